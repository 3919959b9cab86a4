"""The account's e-mail settings: its SMTP server and its default reminder days. Part of
the account update (services.account_settings); the password is write-only."""

from __future__ import annotations

from typing import Any

from folio.db.models import Account
from folio.services.inputs import AccountUpdate, SmtpSettings

_SMTP_COLUMNS = ("host", "port", "tls", "username", "from_email", "from_name")


def apply(account: Account, changes: dict[str, Any], data: AccountUpdate) -> None:
    """Takes `smtp` and `reminder_offsets` out of `changes` and applies them."""
    if "smtp" in changes:
        changes.pop("smtp")
        _apply_smtp(account, data.smtp)
    if "reminder_offsets" in changes:
        account.reminder_offsets = changes.pop("reminder_offsets")


def _apply_smtp(account: Account, smtp: SmtpSettings | None) -> None:
    if smtp is None:  # back to the server-wide defaults
        for name in (*_SMTP_COLUMNS, "password"):
            setattr(account, f"smtp_{name}", None)
        return
    for name in _SMTP_COLUMNS:
        setattr(account, f"smtp_{name}", getattr(smtp, name))
    if "password" in smtp.model_fields_set:  # omitted: the stored password is kept
        account.smtp_password = smtp.password
