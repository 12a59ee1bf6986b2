"""Broker credentials (app keys, secrets, account passwords), encrypted at rest.

Each account's fields are one JSON object sealed with AES-256-GCM under the master key
(`JTS_SECRET_KEY`, else `var/secrets/master.key`, created on first use); the broker and account
number are the associated data, so a ciphertext moved to another row does not open. The API
writes and deletes credentials but never returns them: answers and logs list field names only.
"""

import base64
import json
import os
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field, SecretStr
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from jts.core.clock import Clock
from jts.core.errors import ConfigError
from jts.gateway.auth.guard import PrincipalDependency
from jts.gateway.auth.principal import Principal
from jts.gateway.errors import ERROR_RESPONSES, not_found
from jts.storage.models import BrokerCredentialRow

NONCE_BYTES: Final = 12
Broker = Literal["kis", "creon"]


class SecretBox:
    """AES-256-GCM with a random nonce per message: `nonce || ciphertext+tag`, base64url."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ConfigError("secret key", "needs 32 bytes")
        self._aead = AESGCM(key[:32])

    def seal(self, plaintext: bytes, context: bytes) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(nonce, plaintext, context)
        return base64.urlsafe_b64encode(sealed).decode("ascii")

    def open(self, token: str, context: bytes) -> bytes:
        raw = base64.urlsafe_b64decode(token)
        try:
            return self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context)
        except InvalidTag:
            raise ConfigError("secret key", "cannot open a stored credential: wrong key") from None


@dataclass(frozen=True, slots=True)
class CredentialInfo:
    broker: str
    account: str
    fields: list[str]
    updated_ns: int


class CredentialStore:
    def __init__(self, engine: Engine, box: SecretBox, clock: Clock) -> None:
        self._engine = engine
        self._box = box
        self._clock = clock

    def put(self, broker: str, account: str, secrets: dict[str, str]) -> CredentialInfo:
        sealed = self._box.seal(json.dumps(secrets).encode(), _context(broker, account))
        now = self._clock.now_ns()
        with Session(self._engine) as session:
            row = session.scalar(
                select(BrokerCredentialRow).where(
                    BrokerCredentialRow.broker == broker, BrokerCredentialRow.account == account
                )
            )
            if row is None:
                row = BrokerCredentialRow(broker=broker, account=account, created_ns=now)
                session.add(row)
            row.ciphertext = sealed
            row.updated_ns = now
            session.commit()
        return CredentialInfo(broker, account, sorted(secrets), now)

    def get(self, broker: str, account: str) -> dict[str, str] | None:
        """The clear fields, for the broker adapter only (never an API answer)."""
        with Session(self._engine) as session:
            row = session.scalar(
                select(BrokerCredentialRow).where(
                    BrokerCredentialRow.broker == broker, BrokerCredentialRow.account == account
                )
            )
            if row is None:
                return None
            opened = self._box.open(row.ciphertext, _context(broker, account))
        value: dict[str, str] = json.loads(opened)
        return value

    def list(self) -> list[CredentialInfo]:
        with Session(self._engine) as session:
            rows = list(
                session.scalars(select(BrokerCredentialRow).order_by(BrokerCredentialRow.id))
            )
        return [
            CredentialInfo(
                row.broker,
                row.account,
                sorted(
                    json.loads(self._box.open(row.ciphertext, _context(row.broker, row.account)))
                ),
                row.updated_ns,
            )
            for row in rows
        ]

    def delete(self, broker: str, account: str) -> bool:
        with Session(self._engine) as session:
            count = session.execute(
                delete(BrokerCredentialRow).where(
                    BrokerCredentialRow.broker == broker, BrokerCredentialRow.account == account
                )
            ).rowcount
            session.commit()
        return bool(count)


def _context(broker: str, account: str) -> bytes:
    return f"jts-broker-credential:{broker}:{account}".encode()


class CredentialFields(BaseModel):
    app_key: SecretStr | None = Field(default=None, max_length=512)
    app_secret: SecretStr | None = Field(default=None, max_length=512)
    account_password: SecretStr | None = Field(default=None, max_length=128)
    hts_id: SecretStr | None = Field(default=None, max_length=64)


class CredentialAnswer(BaseModel):
    broker: str
    account: str
    fields: list[str] = Field(description="which secrets are stored (never their values)")
    updated_ns: int


Account = Annotated[str, Path(pattern=r"^[0-9A-Za-z\-]{1,64}$")]


def brokers_router(store: CredentialStore, admin: PrincipalDependency) -> APIRouter:
    router = APIRouter(
        prefix="/api/v1/brokers/credentials", tags=["brokers"], responses=ERROR_RESPONSES
    )

    def answer(info: CredentialInfo) -> dict[str, Any]:
        return {"broker": info.broker, "account": info.account, "fields": info.fields,
                "updated_ns": info.updated_ns}  # fmt: skip

    @router.get("", response_model=list[CredentialAnswer])
    async def listed(_: Annotated[Principal, Depends(admin)]) -> list[dict[str, Any]]:
        """Stored broker accounts and which fields each has; secrets are write-only."""
        return [answer(info) for info in await run_in_threadpool(store.list)]

    @router.put("/{broker}/{account}", response_model=CredentialAnswer)
    async def put(
        broker: Broker,
        account: Account,
        fields: CredentialFields,
        _: Annotated[Principal, Depends(admin)],
    ) -> dict[str, Any]:
        """Store (replace) a broker account's secrets, encrypted at rest (admin)."""
        secrets = {
            name: value.get_secret_value()
            for name, value in fields.__dict__.items()
            if isinstance(value, SecretStr)
        }
        return answer(await run_in_threadpool(store.put, broker, account, secrets))

    @router.delete("/{broker}/{account}", status_code=204)
    async def remove(
        broker: Broker, account: Account, _: Annotated[Principal, Depends(admin)]
    ) -> None:
        """Forget a broker account's secrets (admin)."""
        if not await run_in_threadpool(store.delete, broker, account):
            raise not_found("credentials", f"{broker}/{account}")

    return router
