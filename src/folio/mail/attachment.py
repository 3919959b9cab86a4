"""The PDF attached to invoice e-mails.

The invoice PDF comes from the document renderer (`folio.services.pdfs.invoice_pdf(ctx,
invoice_id) -> bytes`, typst) when this build has it. Until then, a one-page summary PDF
written here (number, seller, customer, amounts, due date, link) stands in, so the e-mail
always carries a PDF. Pointing `invoice_attachment` at the renderer is the only change the
renderer needs here."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from folio.db.models import Invoice
from folio.mail.compose import Attachment, InvoiceMail
from folio.services.context import Ctx


def _renderer() -> Callable[[Ctx, str], bytes] | None:
    try:
        module: Any = importlib.import_module("folio.services.pdfs")
    except ImportError:
        return None
    render = getattr(module, "invoice_pdf", None)
    return render if callable(render) else None


def invoice_attachment(ctx: Ctx, invoice: Invoice, mail: InvoiceMail) -> Attachment:
    filename = f"{invoice.number or invoice.public_id}.pdf"
    render = _renderer()
    if render is not None:
        return Attachment(filename=filename, content=render(ctx, invoice.public_id))
    return Attachment(filename=filename, content=summary_pdf(_summary_lines(mail)))


def _summary_lines(mail: InvoiceMail) -> list[str]:
    lines = [f"Invoice {mail.number}", "", f"From: {mail.seller}", f"To: {mail.customer}",
             "", f"Total: {mail.total}", f"Amount due: {mail.amount_due}",
             f"Due date: {mail.due_date}"]
    if mail.hosted_url:
        lines += ["", "View and pay online:", mail.hosted_url]
    return lines


def _pdf_text(text: str) -> str:
    """A PDF literal string in WinAnsi (Helvetica's encoding); characters outside it
    become '?'."""
    raw = text.encode("cp1252", errors="replace").decode("latin-1")
    return "(" + raw.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def summary_pdf(lines: list[str]) -> bytes:
    """A minimal one-page A4 PDF with the given lines in Helvetica."""
    text = ["BT", "/F1 12 Tf", "16 TL", "56 780 Td"]
    for i, line in enumerate(lines):
        size = 18 if i == 0 else 12
        text += [f"/F1 {size} Tf", f"{_pdf_text(line)} Tj", "T*"]
    text.append("ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)
