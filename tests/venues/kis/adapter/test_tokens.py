"""`TokenStore`: tokens reused across restarts and stores (processes), renewed before expiry,
never issued twice within a minute, approval keys cached."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from pathlib import Path

import pytest

from jts.core.clock import NS_PER_SECOND
from jts.venues.kis.errors import KisRateLimited
from jts.venues.kis.tokens import IssuedToken, TokenStore
from tests.venues.kis.adapter.fakes import KEY, OTHER_KEY, CountingIssuer, SteppingClock


def make_store(path: Path, clock: SteppingClock, issuer: CountingIssuer) -> TokenStore:
    return TokenStore(path, issuer, clock=clock, sleep=clock.sleep, renew_margin_s=3_600)


async def test_a_token_is_issued_once_and_reused_by_a_restarted_store(tmp_path: Path) -> None:
    clock = SteppingClock()
    issuer = CountingIssuer(clock)
    first = await make_store(tmp_path, clock, issuer).access_token(KEY)
    clock.advance(3_600)
    again = await make_store(tmp_path, clock, issuer).access_token(KEY)
    assert first == again == "token-1"
    assert len(issuer.issued) == 1


async def test_the_token_file_is_private_and_named_without_the_key(tmp_path: Path) -> None:
    clock = SteppingClock()
    await make_store(tmp_path, clock, CountingIssuer(clock)).access_token(KEY)
    path = tmp_path / f"{KEY.key_id}.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert all(KEY.app_key not in p.name for p in tmp_path.iterdir())
    assert KEY.app_secret not in path.read_text()


async def test_the_token_is_renewed_once_inside_the_margin_before_expiry(tmp_path: Path) -> None:
    clock = SteppingClock()
    issuer = CountingIssuer(clock)
    store = make_store(tmp_path, clock, issuer)
    assert await store.access_token(KEY) == "token-1"
    clock.advance(86_400 - 3_601)  # just outside the margin: still the first token
    assert await store.access_token(KEY) == "token-1"
    clock.advance(2)  # inside the margin: renew
    assert await store.access_token(KEY) == "token-2"
    assert await store.access_token(KEY) == "token-2"
    assert len(issuer.issued) == 2


async def test_an_expired_token_within_a_minute_of_issuance_waits_out_the_minute(
    tmp_path: Path,
) -> None:
    clock = SteppingClock()
    issuer = CountingIssuer(clock)
    store = make_store(tmp_path, clock, issuer)
    token = await store.access_token(KEY)
    clock.advance(10)
    await store.invalidate(KEY, token)  # KIS said EGW00123 ten seconds after issuance
    assert await store.access_token(KEY) == "token-2"
    assert clock.slept == [pytest.approx(50.0)]
    assert issuer.issued[1] - issuer.issued[0] == 60 * NS_PER_SECOND


async def test_a_token_still_valid_is_kept_rather_than_waiting_for_the_minute(
    tmp_path: Path,
) -> None:
    clock = SteppingClock()
    issuer = CountingIssuer(clock, lifetime_s=1_800)  # shorter than the margin from the start
    store = make_store(tmp_path, clock, issuer)
    assert await store.access_token(KEY) == "token-1"
    clock.advance(30)
    assert await store.access_token(KEY) == "token-1"  # not fresh, but good and < 1 min old
    assert clock.slept == []
    clock.advance(31)
    assert await store.access_token(KEY) == "token-2"


async def test_two_stores_sharing_a_directory_issue_one_token_between_them(
    tmp_path: Path,
) -> None:
    clock = SteppingClock()
    issuer = CountingIssuer(clock)
    stores = [make_store(tmp_path, clock, issuer) for _ in range(4)]
    tokens = await asyncio.gather(*(s.access_token(KEY) for s in stores for _ in range(3)))
    assert set(tokens) == {"token-1"}
    assert len(issuer.issued) == 1


async def test_invalidating_an_old_token_keeps_a_newer_one(tmp_path: Path) -> None:
    clock = SteppingClock()
    issuer = CountingIssuer(clock)
    store = make_store(tmp_path, clock, issuer)
    await store.access_token(KEY)
    clock.advance(86_400)
    assert await store.access_token(KEY) == "token-2"
    await store.invalidate(KEY, "token-1")  # a late refusal of the old token
    assert await store.access_token(KEY) == "token-2"
    assert len(issuer.issued) == 2


async def test_each_app_key_has_its_own_token(tmp_path: Path) -> None:
    clock = SteppingClock()
    issuer = CountingIssuer(clock)
    store = make_store(tmp_path, clock, issuer)
    await store.access_token(KEY)
    clock.advance(60)
    await store.access_token(OTHER_KEY)
    assert store.record(KEY).access_token == "token-1"
    assert store.record(OTHER_KEY).access_token == "token-2"


async def test_a_refused_issuance_counts_as_an_issuance_for_the_minute_rule(
    tmp_path: Path,
) -> None:
    clock = SteppingClock()

    class Refusing(CountingIssuer):
        async def issue_token(self, key: object) -> IssuedToken:
            raise KisRateLimited("EGW00133", "1분당 1회", 60.0)

    store = make_store(tmp_path, clock, Refusing(clock))
    with pytest.raises(KisRateLimited):
        await store.access_token(KEY)
    assert store.record(KEY).issued_ns == clock.now_ns()


async def test_a_corrupt_token_file_is_replaced(tmp_path: Path) -> None:
    clock = SteppingClock()
    issuer = CountingIssuer(clock)
    (tmp_path / f"{KEY.key_id}.json").write_text("{not json")
    assert await make_store(tmp_path, clock, issuer).access_token(KEY) == "token-1"


async def test_the_approval_key_is_reused_for_a_day_then_renewed(tmp_path: Path) -> None:
    clock = SteppingClock()
    issuer = CountingIssuer(clock)
    assert await make_store(tmp_path, clock, issuer).approval_key(KEY) == "approval-1"
    clock.advance(3_600)
    assert await make_store(tmp_path, clock, issuer).approval_key(KEY) == "approval-1"
    assert await make_store(tmp_path, clock, issuer).approval_key(KEY, renew=True) == "approval-2"
    clock.advance(86_400)
    assert await make_store(tmp_path, clock, issuer).approval_key(KEY) == "approval-3"


_PROCESS_SCRIPT = """
import asyncio, sys, time
from pathlib import Path
from jts.core.clock import NS_PER_SECOND
from jts.venues.kis.config import AppKey
from jts.venues.kis.tokens import IssuedToken, TokenStore

class FileIssuer:
    async def issue_token(self, key):
        with open(sys.argv[2], "a") as log:
            log.write("issued\\n")
        await asyncio.sleep(0.2)  # a slow KIS: the others must wait on the lock, not issue
        return IssuedToken("token-from-" + sys.argv[3], time.time_ns() + 86_400 * NS_PER_SECOND)

    async def issue_approval(self, key):
        return "approval"

async def main():
    store = TokenStore(Path(sys.argv[1]), FileIssuer())
    print(await store.access_token(AppKey("PSappkey-shared", "secret")))

asyncio.run(main())
"""


async def test_processes_sharing_the_directory_issue_one_token(tmp_path: Path) -> None:
    log = tmp_path / "issued.log"
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _PROCESS_SCRIPT,
            str(tmp_path / "tokens"),
            str(log),
            str(n),
            stdout=asyncio.subprocess.PIPE,
        )
        for n in range(3)
    ]
    outputs = [(await p.communicate())[0].decode().strip() for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0]
    assert log.read_text().count("issued") == 1
    assert len(set(outputs)) == 1
    assert outputs[0].startswith("token-from-")
