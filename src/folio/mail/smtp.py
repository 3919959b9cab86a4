"""SMTP settings (the account's own, else the server-wide FOLIO_SMTP_* defaults) and the
one call that hands a message to the SMTP server."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from folio.config import Settings
from folio.db.models import Account
from folio.services.sealing import smtp_password_sealer

DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
TIMEOUT_SECONDS = 30  # a socket timeout for one SMTP conversation


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    tls: str  # none | starttls | tls
    username: str | None
    password: str | None
    from_email: str
    from_name: str | None


def smtp_config(account: Account, settings: Settings) -> SmtpConfig | None:
    """The account's SMTP server when it set one, else the server's; None when neither
    is configured or no sender address is known."""
    if account.smtp_host:
        host, port, tls = account.smtp_host, account.smtp_port, account.smtp_tls or "starttls"
        username, password = account.smtp_username, account.smtp_password
        if password is not None:  # sealed at rest (services.sealing); may raise SealBroken
            password = smtp_password_sealer(settings.secret).open(password, owner=account.uuid)
    elif settings.smtp_host:
        host, port, tls = settings.smtp_host, settings.smtp_port, settings.smtp_tls
        username, password = settings.smtp_username, settings.smtp_password
    else:
        return None
    from_email = account.smtp_from_email or settings.smtp_from_email or account.email
    if not from_email:
        return None
    from_name = account.smtp_from_name or settings.smtp_from_name or account.legal_name \
        or account.name
    return SmtpConfig(host=host, port=port or DEFAULT_PORTS[tls], tls=tls,
                      username=username, password=password, from_email=from_email,
                      from_name=from_name)


def deliver(config: SmtpConfig, message: EmailMessage) -> None:
    """Hands the message to the SMTP server; raises smtplib/OS errors on failure."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if config.tls == "tls":
        smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=TIMEOUT_SECONDS,
                                context=context)
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_SECONDS)
    with smtp:
        if config.tls == "starttls":
            smtp.starttls(context=context)
        if config.username:
            smtp.login(config.username, config.password or "")
        smtp.send_message(message)
