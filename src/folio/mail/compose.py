"""The invoice and reminder e-mails: a text and an HTML body from Jinja2 templates, the
hosted invoice link, the PDF attached, and a Message-ID derived from the delivery key (the
same for every retry of one delivery, so receivers can spot a duplicate)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from folio.mail.smtp import SmtpConfig

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "pdf"


@dataclass(frozen=True)
class InvoiceMail:
    """What the message says, already formatted for the reader's locale."""

    kind: str  # invoice | reminder
    seller: str
    customer: str
    number: str
    amount_due: str
    total: str
    due_date: str
    hosted_url: str | None
    memo: str | None
    offset_days: int | None = None  # reminders: days from the due date (negative: before)
    paid: bool = False


def message_id(key: str, from_email: str) -> str:
    domain = from_email.rpartition("@")[2] or "folio.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}.folio@{domain}>"


def subject(mail: InvoiceMail) -> str:
    if mail.kind == "reminder":
        if mail.offset_days is not None and mail.offset_days < 0:
            return f"Reminder: invoice {mail.number} from {mail.seller} is due {mail.due_date}"
        if mail.offset_days == 0:
            return f"Reminder: invoice {mail.number} from {mail.seller} is due today"
        return f"Overdue: invoice {mail.number} from {mail.seller}"
    return f"Invoice {mail.number} from {mail.seller}"


def compose(mail: InvoiceMail, *, config: SmtpConfig, recipients: list[str], key: str,
            sent_at: int, attachment: Attachment | None) -> EmailMessage:
    template = "reminder" if mail.kind == "reminder" else "invoice"
    message = EmailMessage()
    message["Subject"] = subject(mail)
    message["From"] = Address(display_name=config.from_name or "", addr_spec=config.from_email)
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(sent_at, usegmt=True)
    message["Message-ID"] = message_id(key, config.from_email)
    message.set_content(_TEMPLATES.get_template(f"{template}.txt").render(mail=mail))
    message.add_alternative(_TEMPLATES.get_template(f"{template}.html").render(mail=mail),
                            subtype="html")
    if attachment is not None:
        message.add_attachment(attachment.content, maintype=attachment.maintype,
                               subtype=attachment.subtype, filename=attachment.filename)
    return message
