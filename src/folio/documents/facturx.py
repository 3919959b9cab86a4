"""Factur-X (ZUGFeRD 2) EN 16931: the CII XML embedded in the invoice's PDF/A-3 with the
factur-x library, which also adds the Factur-X XMP metadata. The PDF must already be
PDF/A-3 (Folio's renderer, typst, writes PDF/A-3b); anything else is refused, since the
result would claim a conformance it does not have."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from facturx import generate_from_binary
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from folio.domain.errors import InvalidInput

FACTURX_LEVEL = "en16931"
_PDFA3 = re.compile(rb"pdfaid:part(?:>\s*|=[\"']\s*)3\b")


def declares_pdfa3(pdf: bytes) -> bool:
    """Whether the PDF's XMP metadata declares PDF/A part 3."""
    try:
        metadata: Any = PdfReader(BytesIO(pdf)).root_object.get("/Metadata")
        xmp = metadata.get_object().get_data() if metadata is not None else b""
    except (PdfReadError, KeyError, ValueError, AttributeError):
        return False
    return bool(_PDFA3.search(xmp))


def embed_cii(pdf: bytes, cii_xml: bytes, *, lang: str | None = None) -> bytes:
    """The Factur-X PDF: `pdf` (PDF/A-3) with `cii_xml` attached as factur-x.xml. The XML
    is checked against the Factur-X EN 16931 XSD on the way in."""
    if not declares_pdfa3(pdf):
        raise InvalidInput("Factur-X needs a PDF/A-3 document to embed the XML in.",
                           param="pdf", code="pdf_not_pdfa3")
    result = generate_from_binary(pdf, cii_xml, flavor="factur-x", level=FACTURX_LEVEL,
                                  check_xsd=True, lang=lang)
    return bytes(result)
