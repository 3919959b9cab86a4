"""The account's e-mail settings: its SMTP server and its default reminder days. Part of
the account update (services.account_settings); the password is write-only and sealed at
rest under the server secret (services.sealing)."""

from __future__ import annotations

from typing import Any

from folio.db.models import Account
from folio.services.inputs.account import AccountUpdate, SmtpSettings
from folio.services.sealing import smtp_password_sealer

_SMTP_COLUMNS = ("host", "port", "tls", "username", "from_email", "from_name")


def apply(account: Account, changes: dict[str, Any], data: AccountUpdate,
          secret: str | None) -> None:
    """Takes `smtp` and `reminder_offsets` out of `changes` and applies them. `secret`
    (the server secret) seals a new SMTP password."""
    if "smtp" in changes:
        changes.pop("smtp")
        _apply_smtp(account, data.smtp, secret)
    if "reminder_offsets" in changes:
        account.reminder_offsets = changes.pop("reminder_offsets")


def _apply_smtp(account: Account, smtp: SmtpSettings | None, secret: str | None) -> None:
    if smtp is None:  # back to the server-wide defaults
        for name in (*_SMTP_COLUMNS, "password"):
            setattr(account, f"smtp_{name}", None)
        return
    for name in _SMTP_COLUMNS:
        setattr(account, f"smtp_{name}", getattr(smtp, name))
    if "password" in smtp.model_fields_set:  # omitted: the stored password is kept
        account.smtp_password = _sealed(smtp.password, account, secret)


def _sealed(password: str | None, account: Account, secret: str | None) -> str | None:
    if password is None:
        return None
    if secret is None:
        raise ValueError("an SMTP password is sealed with the server secret; none was given")
    return smtp_password_sealer(secret).seal(password, owner=account.uuid)
