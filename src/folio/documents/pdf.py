"""typst source to PDF/A-3b bytes, with the typst compiler held in-process.

One compiler per process keeps its fonts and its memoised layout work between
documents (the first compile costs ~0.2 s, the next ones a few milliseconds for a
one-page invoice). The compiler is not safe to share between threads, so calls are
serialised with a lock. Only the fonts embedded in typst are used (no system fonts), so
a document renders the same everywhere.

Rendered PDFs are kept in a small in-process cache keyed by a hash of the exact source
and creation time: the same input always gives the same bytes, so a hit can never be
stale (a change of status, payment or branding changes the source)."""

from __future__ import annotations

import hashlib
import tempfile
import threading
from collections import OrderedDict
from datetime import UTC, date, datetime
from typing import Literal

import typst

from folio.documents.logo import logo_svg
from folio.documents.typst_markup import string
from folio.domain.errors import InvalidInput

PDF_STANDARD: Literal["a-3b"] = "a-3b"
CACHE_BYTES = 64 * 1024 * 1024

_lock = threading.Lock()
_compiler: typst.Compiler | None = None


class _Cache:
    """Least recently used PDFs, bounded by their total size."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size = limit, 0
        self.items: OrderedDict[str, bytes] = OrderedDict()
        self.hits = self.misses = 0
        self.enabled = True

    def get(self, key: str) -> bytes | None:
        found = self.items.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self.items.move_to_end(key)
        return found

    def put(self, key: str, pdf: bytes) -> None:
        if len(pdf) > self.limit // 4 or key in self.items:
            return
        self.items[key] = pdf
        self.size += len(pdf)
        while self.size > self.limit:
            _, dropped = self.items.popitem(last=False)
            self.size -= len(dropped)

    def clear(self) -> None:
        self.items.clear()
        self.size = self.hits = self.misses = 0


cache = _Cache(CACHE_BYTES)


def _compile(source: str, created: datetime) -> bytes:
    global _compiler
    with _lock:
        if _compiler is None:  # an empty root: a document can read no file
            _compiler = typst.Compiler(root=tempfile.mkdtemp(prefix="folio-typst-"),
                                       ignore_system_fonts=True)
        result = _compiler.compile(input=source.encode("utf-8"), format="pdf",
                                   pdf_standards=[PDF_STANDARD], timestamp=created)
    assert isinstance(result, bytes)
    return result


def creation_time(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def render_pdf(source: str, created: date, *, use_cache: bool = True) -> bytes:
    """The PDF/A-3b of a typst source; `created` is written as its creation date (a
    fixed date keeps the bytes reproducible)."""
    if not (use_cache and cache.enabled):
        return _compile(source, creation_time(created))
    key = hashlib.sha256(f"{created.isoformat()}\n{source}".encode()).hexdigest()
    hit = cache.get(key)
    if hit is not None:
        return hit
    pdf = _compile(source, creation_time(created))
    cache.put(key, pdf)
    return pdf


def check_logo(data: bytes, media_type: str) -> None:
    """Refuses a logo typst cannot draw (e.g. a broken SVG), at upload rather than on
    every PDF later."""
    source = (f'#image(bytes({string(logo_svg(data, media_type))}), format: "svg", '
              "height: 1cm)")
    try:
        _compile(source, datetime(2000, 1, 1, tzinfo=UTC))
    except BaseException as exc:  # typst errors, and a panic in its Rust code
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise InvalidInput("The logo could not be drawn; give a PNG or a plain SVG image.",
                           param="logo", code="logo_invalid") from None
