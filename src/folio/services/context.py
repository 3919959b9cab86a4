"""What every use case receives: the open session, the acting tenant and the clock."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from folio.db.models import Account
from folio.db.repository import Scope


def system_clock() -> int:
    return int(time.time())


class Ctx:
    """The acting tenant is known by id; its Account row (settings such as numbering
    patterns and the default currency) is loaded only when a use case asks for it."""

    def __init__(
        self, session: Session, *, livemode: bool, account: Account | None = None,
        account_id: int | None = None, clock: Callable[[], int] = system_clock,
        request_id: str | None = None, idempotency_key: str | None = None,
    ) -> None:
        if account_id is None:
            if account is None:
                raise ValueError("Ctx needs an account or an account_id")
            account_id = account.id
        self.session = session
        self.account_id: int = account_id
        self.livemode = livemode
        self.clock = clock
        self.request_id = request_id
        self.idempotency_key = idempotency_key
        self._account = account
        self.scope = Scope(account_id=account_id, livemode=livemode)

    @property
    def account(self) -> Account:
        if self._account is None:
            # no autoflush: loading the tenant's row by primary key depends on nothing
            # pending, and flushing the caller's changes here would cost an extra UPDATE
            with self.session.no_autoflush:
                account = self.session.get(Account, self.account_id)
            if account is None:  # pragma: no cover - keys cascade with their account
                raise LookupError(f"account {self.account_id} is gone")
            self._account = account
        return self._account

    def now(self) -> int:
        return self.clock()

    def owned(self) -> dict[str, object]:
        """Column values every new tenant object starts with."""
        return {"account_id": self.account_id, "livemode": self.livemode, "created": self.now()}
