"""Configuration of the KIS simulator: its accounts, its market, its limits and its faults.

Frozen, keyword-only, unknown keys rejected (STYLE.md §4). Durations are seconds, money KRW,
the start time KST. Where KIS.md marks a behaviour unverified, the knob is here with the
documented-most-likely default.

Accounts file (TOML or JSON), one `[[accounts]]` table per account:

    [[accounts]]
    appkey = "PSabc..."            # any string; KIS's are 36 chars
    appsecret = "..."              # KIS's are 180 chars
    account = "12345678-01"        # CANO-ACNT_PRDT_CD
    hts_id = "demo"                # tr_key of the execution-notice subscription
    name = "홍길동"                # ACNT_NAME of notices (optional)
    cash = 100000000               # KRW, settled
    holdings = { "005930" = 100 }  # shares held at start (their codes join the universe)
"""

from __future__ import annotations

import json
import random
import string
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any

import msgspec

from jts.core.errors import ConfigError
from jts.venues.kis.protocol import Env

__all__ = ["AccountSpec", "KisSimConfig", "demo_account", "load_accounts"]


class AccountSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One simulated KIS customer: credentials, account number, starting cash and holdings."""

    appkey: str
    appsecret: str
    account: str
    hts_id: str
    name: str = "모의고객"
    cash: int = 100_000_000
    holdings: dict[str, int] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        cano, _, product = self.account.partition("-")
        if not (len(cano) == 8 and cano.isdigit() and len(product) == 2 and product.isdigit()):
            raise ConfigError("accounts.account", f"{self.account!r} is not like 12345678-01")
        if not self.appkey or not self.appsecret or not self.hts_id:
            raise ConfigError("accounts", "appkey, appsecret and hts_id must not be empty")
        if self.cash < 0 or any(q < 0 for q in self.holdings.values()):
            raise ConfigError("accounts.cash", "cash and holdings must not be negative")

    @property
    def cano(self) -> str:
        return self.account[:8]

    @property
    def product(self) -> str:
        return self.account[9:]


class KisSimConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Everything the simulator can be told. Ports 0 = pick free ones."""

    accounts: tuple[AccountSpec, ...]
    env: Env = Env.PAPER
    host: str = "127.0.0.1"
    rest_port: int = 0
    ws_port: int = 0
    symbols: int = 20
    """Size of the simulated universe (`codes` and held codes count towards it)."""
    codes: tuple[str, ...] = ()
    seed: int = 0
    day: date | None = None
    """The simulated trading day (default: today KST if a trading day, else the last one)."""
    start_time: time | None = time(9, 0, 30)
    """Where the simulated KST clock starts; None: the real KST time of day."""
    speed: float = 1.0
    """Simulated seconds per wall second; 0 = manual clock (tests call `advance`)."""
    rate_limit: int | None = None
    """REST requests per second per appkey; None: 20 real, 2 paper (KIS.md §3.4)."""
    token_interval_s: float = 60.0
    token_reuse_s: float = 6 * 3600.0
    token_ttl_s: int = 86_400
    approval_ttl_s: int = 86_400
    ws_cap: int = 41
    """Registrations per WebSocket session (KIS measured 41; official clients stop at 40)."""
    session_linger_s: float = 0.0
    """After an abrupt disconnect the appkey's session stays "in use" this long."""
    ping_interval_s: float = 60.0
    ping_strict: int = 0
    """Close a session after this many unanswered PINGPONGs (0: never)."""
    drop_wrong_hts_id: bool = True
    """A notice subscription with another customer's HTS id drops the socket without a close
    frame (KIS.md §6.1); False answers OPSP8992 instead."""
    trade_batch: int = 4
    """Up to this many prints of one symbol per H0STCNT0 frame (multi-record frames)."""
    pad_msg1: int = 0
    """Right-pad msg1 of success envelopes to this width (KIS sometimes does)."""
    page_size: int | None = None
    """Rows per page of account TRs; None: KIS's own (balance 50/20, daily-ccld 100/15)."""
    error_rate: float = 0.0
    """Share of REST calls answered EGW00002 (HTTP 500) before doing anything."""
    latency_ms: int = 0
    """Added to every REST answer."""
    drop_ws_every: int = 0
    """Cut each WebSocket session (no close frame) after this many data frames (0: never)."""

    def __post_init__(self) -> None:
        if not self.accounts:
            raise ConfigError("accounts", "at least one account is needed")
        keys = [a.appkey for a in self.accounts]
        if len(set(keys)) != len(keys):
            raise ConfigError("accounts.appkey", "appkeys must be unique")
        if self.speed < 0 or not 0.0 <= self.error_rate <= 1.0 or self.ws_cap < 1:
            raise ConfigError("kis_sim", "speed >= 0, error_rate in [0, 1], ws_cap >= 1")

    @property
    def requests_per_second(self) -> int:
        if self.rate_limit is not None:
            return self.rate_limit
        return 20 if self.env is Env.REAL else 2


_ALNUM = string.ascii_letters + string.digits


def demo_account(seed: int = 0, *, env: Env = Env.PAPER) -> AccountSpec:
    """A made-up customer for demos: 36-char appkey, 180-char appsecret like KIS's."""
    rng = random.Random(f"kis-demo-{seed}-{env.value}")
    prefix = "PS" if env is Env.REAL else "PSVT"
    appkey = prefix + "".join(rng.choice(_ALNUM) for _ in range(36 - len(prefix)))
    appsecret = "".join(rng.choice(_ALNUM + "+/") for _ in range(180))
    cano = f"{rng.randrange(10_000_000, 100_000_000)}"
    return AccountSpec(
        appkey=appkey, appsecret=appsecret, account=f"{cano}-01", hts_id=f"demo{seed:02d}"
    )


def load_accounts(path: Path) -> tuple[AccountSpec, ...]:
    """The accounts of a TOML or JSON file (`[[accounts]]` tables / {"accounts": [...]})."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError("accounts", f"cannot read {path}: {exc.strerror}") from None
    try:
        data: Any = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("accounts", f"{path} is not valid: {exc}") from None
    rows = data.get("accounts") if isinstance(data, dict) else data
    try:
        return tuple(msgspec.convert(rows, list[AccountSpec]))
    except msgspec.ValidationError as exc:
        raise ConfigError("accounts", f"{path}: {exc}") from None
