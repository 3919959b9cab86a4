"""An account's logo on its PDFs: a PNG or an SVG, recognised by its content (never by
a name or a declared type), and handed to typst as SVG text. A PNG is wrapped in an SVG
as a data URI, so the logo travels inside the typst source like any other value and no
file is ever written."""

from __future__ import annotations

import base64
import struct

from lxml import etree

from folio.domain.errors import InvalidInput

PNG = "image/png"
SVG = "image/svg+xml"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SVG_ROOT = "{http://www.w3.org/2000/svg}svg"
MAX_PNG_SIDE = 10_000


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(message, param="logo", code="logo_invalid")


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a PNG must start with."""
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise _invalid("The logo is not a valid PNG image.")
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= MAX_PNG_SIDE and 0 < height <= MAX_PNG_SIDE):
        raise _invalid("The logo's PNG dimensions are not valid.")
    return width, height


def _parse_svg(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        raise _invalid("The logo is neither a PNG image nor a well-formed SVG.") from None
    if root.tag != _SVG_ROOT:
        raise _invalid("The logo's XML is not an SVG image (root element <svg> in the "
                       "SVG namespace).")
    if root.getroottree().docinfo.internalDTD is not None:
        raise _invalid("An SVG logo must not declare a DTD.")
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.rpartition("}")[2] == "href" and not value.strip().startswith(
                    ("data:", "#")):  # nothing outside the logo itself
                raise _invalid("An SVG logo must not refer to other files or URLs.")
    return root


def logo_media_type(data: bytes) -> str:
    """PNG or SVG, from the bytes themselves; anything else is refused."""
    if data.startswith(_PNG_SIGNATURE):
        _png_size(data)
        return PNG
    _parse_svg(data)
    return SVG


def logo_svg(data: bytes, media_type: str) -> str:
    """The logo as SVG text for typst."""
    if media_type == SVG:  # re-serialised: any declared encoding becomes plain text
        return str(etree.tostring(_parse_svg(data), encoding="unicode"))
    width, height = _png_size(data)
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><image width="{width}" height="{height}" '
            f'href="data:image/png;base64,{encoded}"/></svg>')
