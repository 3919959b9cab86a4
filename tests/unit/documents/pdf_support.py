"""Reading PDFs back in tests: their text, their PDF/A declaration; a PNG to upload."""

from __future__ import annotations

import re
import struct
import zlib
from io import BytesIO
from typing import Any

from pypdf import PdfReader


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def text_of(pdf: bytes) -> str:
    """Every page's text, no-break spaces (Babel's, around currency signs and in French
    thousands) read as plain spaces."""
    return "\n".join(page_texts(pdf)).replace("\u00a0", " ").replace("\u202f", " ")


def xmp(pdf: bytes) -> bytes:
    metadata: Any = reader(pdf).root_object["/Metadata"]
    return bytes(metadata.get_object().get_data())


def declares_pdfa3b(pdf: bytes) -> bool:
    """The XMP metadata says PDF/A part 3, conformance B (as element or attribute)."""
    data = xmp(pdf)
    part = re.search(rb"pdfaid:part(?:>\s*|=[\"']\s*)(\d)", data)
    conformance = re.search(rb"pdfaid:conformance(?:>\s*|=[\"']\s*)([A-Za-z])", data)
    return bool(part and conformance and part.group(1) == b"3"
                and conformance.group(1).upper() == b"B")


def png(width: int, height: int, rgba: tuple[int, int, int, int] = (200, 40, 40, 255)
        ) -> bytes:
    """A plain single-colour PNG, built by hand."""
    row = b"\x00" + bytes(rgba) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))
