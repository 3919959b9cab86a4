"""What every use case receives: the open session, the acting tenant and the clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from folio.db.models import Account
from folio.db.repository import Scope


def system_clock() -> int:
    return int(time.time())


@dataclass
class Ctx:
    session: Session
    account: Account
    livemode: bool
    clock: Callable[[], int] = field(default=system_clock)
    request_id: str | None = None
    idempotency_key: str | None = None

    @property
    def scope(self) -> Scope:
        return Scope(account_id=self.account.id, livemode=self.livemode)

    def now(self) -> int:
        return self.clock()

    def owned(self) -> dict[str, object]:
        """Column values every new tenant object starts with."""
        return {"account_id": self.account.id, "livemode": self.livemode, "created": self.now()}
