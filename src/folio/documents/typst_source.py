"""The typst source of an invoice or credit note PDF, from the document view model. Pure:
text in, text out; `documents.pdf` compiles it.

Layout (A4): logo or seller name and the title with the document's number and dates;
seller and buyer; a draft notice; the lines in a table whose header repeats on every
page; tax by rate, discounts, totals, amount paid and due; payment instructions, terms,
notes; a footer with the seller's details and page numbers. A draft carries a diagonal
watermark. Labels follow the customer's language, numbers and dates its locale. Every
piece of user text is a string literal (`typst_markup.string`), never markup."""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale

from folio.documents import formatting as fmt
from folio.documents.categories import NOT_SUBJECT
from folio.documents.labels import Labels, labels_for, language
from folio.documents.model import Address, Document, DocumentKind, Line, Party, TaxSubtotal
from folio.documents.typst_markup import array, call, color, lines, string

DEFAULT_BRAND = "#1f4e79"
DASH = " \u2013 "  # en dash between two dates
MINUS = "\u2212"  # minus sign before an amount taken off
FONT = "Libertinus Serif"  # embedded in typst: the same output on every machine


@dataclass(frozen=True)
class Branding:
    """The seller's look: a logo as SVG text (`documents.logo.logo_svg`) and a colour."""

    logo_svg: str | None = None
    color: str | None = None


@dataclass(frozen=True)
class _Ctx:
    doc: Document
    labels: Labels
    locale: Locale

    def money(self, amount: int) -> str:
        return fmt.money(amount, self.doc.currency, self.locale)


PREAMBLE = """#let muted = luma(105)
#let rule = luma(215)
#let label(t) = text(7.5pt, fill: muted, tracking: 0.4pt, upper(t))
#let party(title, name, body) = block({
  label(title); linebreak(); text(weight: "bold", name); linebreak(); body
})
#let meta(rows) = grid(columns: (auto, auto), column-gutter: 10pt, row-gutter: 4pt,
  align: (right, right), ..rows.map(((k, v)) => (text(fill: muted, k), v)).flatten())
"""


def _title(c: _Ctx) -> str:
    return c.labels.invoice if c.doc.kind is DocumentKind.INVOICE else c.labels.credit_note


def _is_draft(doc: Document) -> bool:
    return doc.number is None or doc.status == "draft"


def _address_lines(a: Address) -> list[str | None]:
    city = " ".join(x for x in (a.postal_code, a.city) if x)
    return [a.line1, a.line2, ", ".join(x for x in (city, a.state) if x) or None, a.country]


def _party(c: _Ctx, title: str, party: Party) -> str:
    name = party.name or party.trading_name or ""
    trading = party.trading_name if party.trading_name and party.trading_name != name \
        else None
    ids = [f"{c.labels.vat_id} {party.vat_id}" if party.vat_id else None,
           f"{c.labels.tax_registration_id} {party.tax_registration_id}"
           if party.tax_registration_id else None,
           f"{c.labels.legal_registration_id} {party.legal_registration_id}"
           if party.legal_registration_id else None, party.email]
    body = lines([trading, *_address_lines(party.address), *ids])
    return call("party", string(title), string(name), body)


def _meta_rows(c: _Ctx) -> list[str]:
    doc, lab = c.doc, c.labels
    rows: list[tuple[str, str]] = []
    if doc.number:
        rows.append((lab.number, doc.number))
    if doc.issue_date:
        rows.append((lab.issue_date, fmt.day(doc.issue_date, c.locale)))
    if doc.due_date and doc.kind is DocumentKind.INVOICE:
        rows.append((lab.due_date, fmt.day(doc.due_date, c.locale)))
    if doc.period and (doc.period.start or doc.period.end):
        rows.append((lab.period, f"{fmt.day(doc.period.start, c.locale)}{DASH}"
                                 f"{fmt.day(doc.period.end, c.locale)}"))
    if doc.corrects and doc.corrects.number:
        when = f" ({fmt.day(doc.corrects.issue_date, c.locale)})" \
            if doc.corrects.issue_date else ""
        rows.append((lab.corrects, doc.corrects.number + when))
    if doc.buyer_reference:
        rows.append((lab.buyer_reference, doc.buyer_reference))
    if doc.order_reference:
        rows.append((lab.order_reference, doc.order_reference))
    return [array((string(k), string(v))) for k, v in rows]


def _stamp(c: _Ctx) -> str:
    status = c.doc.status
    if status == "paid":
        return f'text(13pt, weight: "bold", fill: rgb("#2e7d32"), {string(c.labels.paid)})'
    if status == "void":
        return f'text(13pt, weight: "bold", fill: rgb("#b3261e"), {string(c.labels.void)})'
    return "[]"


def _header(c: _Ctx, branding: Branding) -> str:
    seller = c.doc.seller.trading_name or c.doc.seller.name or ""
    if branding.logo_svg:
        brand = (f'image(bytes({string(branding.logo_svg)}), format: "svg", height: 16mm, '
                 f'width: 60mm, fit: "contain")')
    else:
        brand = f'text(17pt, weight: "bold", fill: brand, {string(seller)})'
    title = f'text(22pt, weight: "bold", fill: brand, {string(_title(c))})'
    right = "{" + "; v(4pt); ".join((title, _stamp(c), f"meta({array(_meta_rows(c))})")) + "}"
    return (f"#grid(columns: (1fr, auto), align: (left + top, right + top), "
            f"{brand}, {right})\n")


def _draft_notice(c: _Ctx) -> str:
    if not _is_draft(c.doc):
        return ""
    return ('#block(width: 100%, fill: rgb("#fdecea"), inset: 7pt, radius: 3pt, '
            f'text(fill: rgb("#b3261e"), weight: "bold", {string(c.labels.draft_notice)}))\n')


def _tax_cell(c: _Ctx, line: Line) -> str:
    parts = [c.labels.not_subject if t.category.code == NOT_SUBJECT or t.category.rate is None
             else fmt.percent(t.category.rate, c.locale) for t in line.taxes]
    return string(", ".join(parts) if parts else DASH.strip())


def _description(c: _Ctx, line: Line) -> str:
    extra: list[str] = []
    if line.period and (line.period.start or line.period.end):
        extra.append(f"{fmt.day(line.period.start, c.locale)}{DASH}"
                     f"{fmt.day(line.period.end, c.locale)}")
    own = sum(a.amount for a in line.allowances)  # its share of invoice discounts: totals
    if own:
        extra.append(f"{c.labels.discount} {MINUS}{c.money(own)}")
    name = string(line.name or "")
    if not extra:
        return name
    return "{" + name + f'; linebreak(); text(8pt, fill: muted, {string(" · ".join(extra))})}}'


def _lines_table(c: _Ctx) -> str:
    lab = c.labels
    head = (string("#"), string(lab.description), string(lab.quantity),
            string(lab.unit_price), string(lab.tax), string(lab.amount))
    header = "table.header(repeat: true, " + ", ".join(
        f'text(weight: "bold", fill: brand, {h})' for h in head) + ")"
    cells: list[str] = []
    for line in c.doc.lines:
        cells += [string(line.id), _description(c, line),
                  string(fmt.number(line.quantity, c.locale)),
                  string(fmt.unit_money(line.unit_price, c.doc.currency, c.locale)),
                  _tax_cell(c, line), string(c.money(line.amount))]
    return ("#table(columns: (auto, 1fr, auto, auto, auto, auto), "
            "align: (right, left, right, right, right, right), inset: (x: 4pt, y: 3.6pt), "
            "stroke: (x, y) => if y == 0 { (bottom: 0.9pt + brand) } "
            "else { (bottom: 0.3pt + rule) },\n  " + header + ",\n  "
            + ",\n  ".join(cells) + ")\n")


def _inclusive(doc: Document, subtotal: TaxSubtotal) -> bool:
    return any(t.inclusive and t.category.key == subtotal.category.key
               for line in doc.lines for t in line.taxes)


def _tax_label(c: _Ctx, subtotal: TaxSubtotal) -> str:
    category = subtotal.category
    if category.code == NOT_SUBJECT or category.rate is None:
        return c.labels.not_subject
    rate = fmt.percent(category.rate, c.locale)
    name = ", ".join(subtotal.names)
    # a rate's display name often carries its percentage already ("VAT 19%")
    text = name if name and str(category.rate.normalize()) in name else \
        f"{name or c.labels.tax} {rate}"
    if _inclusive(c.doc, subtotal):
        text += f" ({c.labels.included})"
    return f"{text} {c.labels.taxable} {c.money(subtotal.taxable_amount)}"


def _totals(c: _Ctx) -> str:
    doc, lab = c.doc, c.labels
    rows: list[tuple[str, str, bool]] = [
        (lab.subtotal, c.money(sum(x.amount for x in doc.lines)), False)]
    discount = sum(x.discount_amount for x in doc.lines)
    if discount:
        rows.append((lab.discount, MINUS + c.money(discount), False))
    if doc.credit_applied:
        rows.append((lab.credit_applied, MINUS + c.money(doc.credit_applied), False))
    rows += [(_tax_label(c, s), c.money(s.tax_amount), False) for s in doc.tax_breakdown]
    rows.append((lab.total, c.money(doc.totals.tax_inclusive), True))
    balance = doc.balance
    if balance is not None and doc.kind is DocumentKind.INVOICE:
        if balance.amount_paid:
            rows.append((lab.amount_paid, MINUS + c.money(balance.amount_paid), False))
        if balance.amount_credited:
            rows.append((lab.amount_credited, MINUS + c.money(balance.amount_credited), False))
        rows.append((lab.amount_due, c.money(balance.amount_due), True))
    elif doc.kind is DocumentKind.INVOICE:
        rows.append((lab.amount_due, c.money(doc.totals.payable), True))
    cells = []
    for label, value, strong in rows:  # total and amount due stand out
        label_style = 'fill: brand, weight: "bold"' if strong else "fill: black"
        value_style = 'weight: "bold"' if strong else "fill: black"
        cells += [f"text({label_style}, {string(label)})",
                  f"text({value_style}, {string(value)})"]
    return ("#v(6pt)\n#align(right, block(width: 62%, grid(columns: (1fr, auto), "
            "column-gutter: 12pt, row-gutter: 6pt, align: (right, right),\n  "
            + ",\n  ".join(cells) + ")))\n")


def _group_iban(iban: str) -> str:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def _payment(c: _Ctx) -> str:
    doc, lab, out = c.doc, c.labels, []
    pay = doc.payment
    if pay is not None and doc.kind is DocumentKind.INVOICE and doc.status != "void":
        rows = [(lab.account_holder, pay.account_name), (lab.iban, _group_iban(pay.iban or "")
                                                         if pay.iban else None),
                (lab.bic, pay.bic), (lab.payment_reference, pay.remittance)]
        out.append(f"label({string(lab.payment)}); linebreak(); meta-left("
                   + array(array((string(k), string(v))) for k, v in rows if v) + ")")
    if doc.payment_terms:
        out.append(f"label({string(lab.payment_terms)}); linebreak(); "
                   f"{string(doc.payment_terms)}")
    reasons = [s.category.exemption_reason for s in doc.tax_breakdown
               if s.category.exemption_reason]
    if doc.notes or reasons:
        out.append(f"label({string(lab.notes)}); linebreak(); {lines([*doc.notes, *reasons])}")
    if not out:
        return ""
    blocks = ", ".join("block(breakable: false, {" + part + "})" for part in out)
    columns = "(1fr, 1fr)" if len(out) > 1 else "(1fr,)"
    return ("#let meta-left(rows) = grid(columns: (auto, auto), column-gutter: 10pt, "
            "row-gutter: 4pt, ..rows.map(((k, v)) => (text(fill: muted, k), v)).flatten())\n"
            f"#v(10pt)\n#grid(columns: {columns}, column-gutter: 10mm, row-gutter: 10pt, "
            f"{blocks})\n")


def _footer(c: _Ctx) -> str:
    doc, seller = c.doc, c.doc.seller
    address = ", ".join(x for x in _address_lines(seller.address) if x)
    details = " · ".join(x for x in (seller.name, address, seller.vat_id and
                                     f"{c.labels.vat_id} {seller.vat_id}", seller.email) if x)
    first = [doc.footer] if doc.footer else []
    if not doc.livemode:
        first.append(c.labels.test_mode)
    before, _, rest = c.labels.page.partition("{page}")
    middle, _, after = rest.partition("{total}")
    page = (f"context {{ let n = counter(page).get().first(); "
            f"let t = counter(page).final().first(); "
            f"{string(before)} + str(n) + {string(middle)} + str(t) + {string(after)} }}")
    return (f"footer: {{ set text(7.5pt, fill: muted); line(length: 100%, stroke: 0.3pt + rule); "
            f"grid(columns: (1fr, auto), column-gutter: 12pt, "
            f"{lines([*first, details])}, {page}) }}")


def _watermark(c: _Ctx) -> str:
    if not _is_draft(c.doc):
        return "none"
    return (f'rotate(-40deg, text(96pt, weight: "bold", fill: rgb(200, 40, 40, 40), '
            f"{string(c.labels.draft)}))")


def typst_source(doc: Document, *, locale: str | None = None,
                 branding: Branding | None = None) -> str:
    """The complete typst source of one document."""
    branding = branding or Branding()
    c = _Ctx(doc=doc, labels=labels_for(locale), locale=fmt.babel_locale(locale))
    title = f"{_title(c)} {doc.number or c.labels.draft}"
    author = doc.seller.trading_name or doc.seller.name or ""
    return "".join((
        f"#let brand = {color(branding.color, DEFAULT_BRAND)}\n", PREAMBLE,
        f"#set document(title: {string(title)}, author: {string(author)})\n",
        f'#set text(font: "{FONT}", size: 9.5pt, lang: "{language(locale)}")\n',
        f'#set page(paper: "a4", margin: (x: 18mm, top: 16mm, bottom: 24mm), '
        f"background: {_watermark(c)}, {_footer(c)})\n",
        _header(c, branding), "#v(6mm)\n",
        f"#grid(columns: (1fr, 1fr), column-gutter: 10mm, "
        f"{_party(c, c.labels.seller, doc.seller)}, {_party(c, c.labels.buyer, doc.buyer)})\n",
        "#v(5mm)\n", _draft_notice(c), _lines_table(c), _totals(c), _payment(c),
    ))
