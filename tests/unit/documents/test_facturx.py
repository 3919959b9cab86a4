"""Factur-X: the CII embedded in a PDF/A-3b. The PDF/A-3b input is made with typst (a
Python wheel, no system software), as Folio's renderer will make it."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
import typst
from facturx import get_facturx_xml_from_pdf, get_level
from lxml import etree
from pypdf import PdfReader

from folio.documents.cii import to_cii
from folio.documents.facturx import declares_pdfa3, embed_cii
from folio.domain.errors import InvalidInput
from tests.unit.documents import scenarios

PAGE = b"""#set document(title: "Invoice INV-2026-000001", author: "Folio Test GmbH")
= Invoice INV-2026-000001
Consulting, 3 hours: 360.00 EUR
"""


@pytest.fixture(scope="module")
def pdfa3() -> bytes:
    pdf = typst.compile(PAGE, pdf_standards=["a-3b"])
    assert isinstance(pdf, bytes)
    return pdf


def test_typst_writes_pdfa3(pdfa3: bytes) -> None:
    assert declares_pdfa3(pdfa3)
    assert not declares_pdfa3(typst.compile(PAGE))  # a plain PDF declares nothing
    assert not declares_pdfa3(b"not a pdf")


@pytest.mark.parametrize("name", ["eur_tax_mix", "jpy_mix"])
def test_embedded_xml_is_the_cii(pdfa3: bytes, name: str) -> None:
    xml = to_cii(scenarios.invoice_documents()[name])
    result = embed_cii(pdfa3, xml, lang="en-GB")
    assert result.startswith(b"%PDF")
    assert declares_pdfa3(result)
    filename, embedded = get_facturx_xml_from_pdf(result, check_xsd=True)
    assert filename == "factur-x.xml"
    assert embedded == xml
    assert get_level(etree.fromstring(embedded), "factur-x") == "en16931"
    xmp = PdfReader(BytesIO(result)).root_object["/Metadata"].get_object().get_data()
    assert re.search(rb"fx:ConformanceLevel>\s*EN 16931\s*<", xmp)
    assert re.search(rb"fx:DocumentFileName>\s*factur-x.xml\s*<", xmp)
    assert re.search(rb"pdfaid:part>\s*3\s*<", xmp)


def test_a_pdf_that_is_not_pdfa3_is_refused() -> None:
    xml = to_cii(scenarios.invoice_documents()["eur_tax_mix"])
    with pytest.raises(InvalidInput) as caught:
        embed_cii(typst.compile(PAGE), xml)
    assert caught.value.code == "pdf_not_pdfa3"
