"""The typst renderer: snapshots of the PDFs' text (EN, DE, FR invoices and a credit
note), PDF/A-3b declaration, a 500-line invoice whose table header repeats on every
page, draft marking, safe escaping of user text, labels and branding.

Snapshots live in tests/unit/documents/snapshots; to accept a deliberate change of the
layout, run with FOLIO_UPDATE_SNAPSHOTS=1 and review the diff."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
import typst
from hypothesis import given, settings
from hypothesis import strategies as st

from folio.documents.build import invoice_document
from folio.documents.labels import labels_for, language
from folio.documents.logo import PNG, SVG, logo_media_type, logo_svg
from folio.documents.model import Document
from folio.documents.pdf import cache, check_logo, render_pdf
from folio.documents.typst_markup import string
from folio.documents.typst_source import Branding, typst_source
from folio.domain.errors import InvalidInput
from tests.unit.documents import scenarios
from tests.unit.documents.pdf_support import declares_pdfa3b, page_texts, png, text_of
from tests.unit.documents.support import InvoiceSpec, LineSpec, q, rate, stored_invoice

SNAPSHOTS = Path(__file__).parent / "snapshots"


def render(doc: Document, locale: str | None = "en", branding: Branding | None = None
           ) -> bytes:
    assert doc.issue_date is not None
    return render_pdf(typst_source(doc, locale=locale, branding=branding), doc.issue_date)


def matches_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("FOLIO_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}: run with FOLIO_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8"), f"{name}: see {path}"


@pytest.fixture(scope="module")
def tax_mix() -> Document:
    return scenarios.invoice_documents()["eur_tax_mix"]


@pytest.mark.parametrize("locale", ["en", "de", "fr"])
def test_invoice_text_snapshot(tax_mix: Document, locale: str) -> None:
    pdf = render(tax_mix, locale)
    assert declares_pdfa3b(pdf)
    matches_snapshot(f"invoice_eur_tax_mix_{locale}", text_of(pdf))


def test_credit_note_text_snapshot() -> None:
    note = scenarios.credit_notes()["eur_by_lines"]
    pdf = render(note, "en")
    assert declares_pdfa3b(pdf)
    matches_snapshot("credit_note_eur_by_lines_en", text_of(pdf))


def test_rendering_is_reproducible(tax_mix: Document) -> None:
    source = typst_source(tax_mix, locale="fr")
    assert tax_mix.issue_date is not None
    assert render_pdf(source, tax_mix.issue_date, use_cache=False) == \
        render_pdf(source, tax_mix.issue_date, use_cache=False)


def test_a_cached_pdf_is_the_same_pdf(tax_mix: Document) -> None:
    cache.clear()
    first = render(tax_mix, "de")
    assert render(tax_mix, "de") is first
    assert cache.hits == 1
    assert render(tax_mix, "fr") != first


def test_every_page_of_a_500_line_invoice_repeats_the_table_header() -> None:
    lines = [LineSpec(q(str(1 + i % 7)), q(str(100 + i)), (rate(),),
                      description=f"Item {i + 1}") for i in range(500)]
    doc = invoice_document(stored_invoice(InvoiceSpec(lines=lines)))
    pages = page_texts(render(doc, "en"))
    assert len(pages) > 5
    for number, text in enumerate(pages, start=1):
        if "Item " in text:
            assert "Description Qty Unit price Tax Amount" in text, f"page {number}"
        assert f"Page {number} of {len(pages)}" in text
    everything = "\n".join(pages)
    assert all(f"Item {i}\n" in everything or f"Item {i} " in everything
               for i in (1, 250, 500))


def test_a_draft_is_watermarked_and_says_so(tax_mix: Document) -> None:
    draft = replace(tax_mix, number=None, status="draft", issue_date=None)
    source = typst_source(draft, locale="de")
    assert "background: rotate(" in source
    assert tax_mix.issue_date is not None
    text = text_of(render_pdf(source, tax_mix.issue_date))
    assert "ENTWURF" in text
    assert labels_for("de").draft_notice in text
    assert "ENTWURF" not in text_of(render(tax_mix, "de"))


HOSTILE = ['#panic("pwned")', "*bold* _em_ $x^2$ `raw`", "\\ \" ] } ) // comment /* x",
           "<label> @ref = heading", "line one\nline two\r\nthree\ttab", "\x00\x07 bell",
           '"); #panic("x"); ("', "[#panic()]"]


@pytest.mark.parametrize("text", HOSTILE)
def test_user_text_is_shown_verbatim_never_run(tax_mix: Document, text: str) -> None:
    doc = replace(tax_mix, buyer=replace(tax_mix.buyer, name=text),
                  lines=(replace(tax_mix.lines[0], name=text), *tax_mix.lines[1:]),
                  notes=(text,), footer=text)
    shown = text_of(render(doc, "en"))
    for part in text.replace("\r\n", "\n").split("\n"):
        visible = "".join(ch for ch in part if ord(ch) >= 0x20).replace("\t", " ").strip()
        if visible:
            assert visible.split()[0] in shown


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=60))
def test_a_string_literal_round_trips_through_typst(text: str) -> None:
    """typst evaluates the literal back to the text (control characters dropped)."""
    expected = "".join(ch for ch in text.replace("\r\n", "\n").replace("\r", "\n")
                       if ch in "\n\t" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0
                                               or 0xD800 <= ord(ch) < 0xE000))
    result = typst.Compiler().eval(string(text), format="json")
    assert json.loads(result) == expected


def test_labels_follow_the_language_of_the_locale() -> None:
    assert language("de-AT") == "de"
    assert language("fr_CH") == "fr"
    assert language("es") == "en"
    assert language(None) == "en"
    assert labels_for("fr").invoice == "Facture"


def test_branding_colour_and_logo(tax_mix: Document) -> None:
    logo = png(30, 10)
    source = typst_source(tax_mix, branding=Branding(logo_svg=logo_svg(logo, PNG),
                                                     color="#AA0000"))
    assert 'rgb("#aa0000")' in source
    assert "data:image/png;base64," in source
    evil = typst_source(tax_mix, branding=Branding(color='#000"); panic("x'))
    assert 'rgb("#1f4e79")' in evil  # not a colour: the default
    assert declares_pdfa3b(render(tax_mix, branding=Branding(logo_svg=logo_svg(logo, PNG))))


def test_logos_are_recognised_by_content() -> None:
    assert logo_media_type(png(2, 2)) == PNG
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'
    assert logo_media_type(svg) == SVG
    check_logo(svg, SVG)
    for bad in (b"GIF89a", b"<html/>", b"\x89PNG\r\n\x1a\n", b"<svg>no namespace</svg>",
                b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>',
                b'<svg xmlns="http://www.w3.org/2000/svg"><image href="/etc/logo.png"/></svg>',
                b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/'
                b'xlink"><image x:href="https://example.com/x.png"/></svg>'):
        with pytest.raises(InvalidInput) as caught:
            logo_media_type(bad)
        assert caught.value.code == "logo_invalid"


def test_concurrent_renders_share_the_compiler_safely(tax_mix: Document) -> None:
    """Requests render from the server's thread pool; the one compiler is serialised."""
    sources = [typst_source(replace(tax_mix, number=f"INV-C-{i}"),
                            locale=("en", "de", "fr")[i % 3]) for i in range(12)]
    assert tax_mix.issue_date is not None
    day = tax_mix.issue_date
    alone = [render_pdf(source, day, use_cache=False) for source in sources]
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(lambda source: render_pdf(source, day, use_cache=False),
                                 sources))
    assert together == alone
