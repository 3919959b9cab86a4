"""Writing typst code safely. User text (names, addresses, descriptions, notes) never
becomes markup: it is only ever written as a typst *string literal* in code mode, which
typst shows verbatim (`*`, `#`, `$`, `[`, `<`, `@` and `//` mean nothing inside a
string). The literal escapes backslash and quote; control characters are dropped except
line breaks and tabs, which become escapes."""

from __future__ import annotations

import re
from collections.abc import Iterable

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def string(text: str) -> str:
    """A typst string literal showing exactly `text`."""
    out = ['"']
    for ch in text.replace("\r\n", "\n").replace("\r", "\n"):
        escaped = _ESCAPES.get(ch)
        if escaped is not None:
            out.append(escaped)
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or 0xD800 <= ord(ch) < 0xE000:
            continue  # control characters and lone surrogates print nothing
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def color(value: str | None, default: str) -> str:
    """A typst `rgb(...)` of a `#rrggbb` colour; anything else gives the default."""
    chosen = value if value is not None and _COLOR.match(value) else default
    return f'rgb("{chosen.lower()}")'


def array(items: Iterable[str]) -> str:
    """A typst array of code expressions (a trailing comma keeps one item an array)."""
    parts = list(items)
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def call(function: str, *args: str, **named: str) -> str:
    """A call with code expressions as arguments."""
    given = [*args, *(f"{k.replace('_', '-')}: {v}" for k, v in named.items())]
    return f"{function}({', '.join(given)})"


def lines(parts: Iterable[str | None]) -> str:
    """Strings on separate lines, as one content expression (empty ones left out)."""
    kept = [string(p) for p in parts if p]
    return "[]" if not kept else "{" + "; linebreak(); ".join(kept) + "}"
