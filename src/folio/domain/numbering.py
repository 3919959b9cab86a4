"""Invoice number patterns. A pattern has text, optional placeholders and exactly one
counter: `INV-{YYYY}-{SEQ:6}` gives INV-2026-000123; `{CUSTOMER}-{SEQ:4}` gives
GJXQAHMC-0001. Everything before the counter, once rendered, names the series: a new
year or another customer starts its own gapless sequence at 1."""

from __future__ import annotations

import re
from dataclasses import dataclass

from folio.domain.errors import InvalidInput

_SEQ = re.compile(r"\{SEQ(?::([0-9]{1,2}))?\}")
_PLACEHOLDERS = {"{YYYY}", "{YY}", "{MM}", "{CUSTOMER}"}
_ALLOWED_TEXT = re.compile(r"[A-Za-z0-9_\-/.]*")

DEFAULT_INVOICE_PATTERN = "INV-{YYYY}-{SEQ:6}"
PER_CUSTOMER_PATTERN = "{CUSTOMER}-{SEQ:4}"
DEFAULT_CREDIT_NOTE_PATTERN = "CN-{YYYY}-{SEQ:6}"


@dataclass(frozen=True)
class SeriesSlot:
    series: str  # the rendered prefix, which is also the series key
    width: int
    suffix: str

    @property
    def key(self) -> str:
        return f"{self.series}#{self.suffix}"

    def format(self, counter: int) -> str:
        return f"{self.series}{counter:0{self.width}d}{self.suffix}"


def validate_pattern(pattern: str) -> str:
    matches = _SEQ.findall(pattern)
    if len(matches) != 1:
        raise InvalidInput("A number pattern needs exactly one {SEQ} or {SEQ:n} counter.",
                           param="number_pattern")
    rest = _SEQ.sub("", pattern)
    for placeholder in _PLACEHOLDERS:
        rest = rest.replace(placeholder, "")
    if not _ALLOWED_TEXT.fullmatch(rest) or len(pattern) > 64:
        raise InvalidInput("A number pattern may hold letters, digits, - _ / . and the "
                           "placeholders {YYYY} {YY} {MM} {CUSTOMER} {SEQ:n}.",
                           param="number_pattern")
    return pattern


def slot_for(pattern: str, *, year: int, month: int, customer_prefix: str) -> SeriesSlot:
    match = _SEQ.search(pattern)
    if match is None:
        raise InvalidInput("A number pattern needs a {SEQ} counter.", param="number_pattern")
    width = int(match.group(1) or 4)

    def render(text: str) -> str:
        return (text.replace("{YYYY}", f"{year:04d}").replace("{YY}", f"{year % 100:02d}")
                .replace("{MM}", f"{month:02d}").replace("{CUSTOMER}", customer_prefix))

    return SeriesSlot(series=render(pattern[: match.start()]), width=width,
                      suffix=render(pattern[match.end():]))
