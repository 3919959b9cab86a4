"""Public URLs Folio hands out (the hosted invoice page). The base is where payers reach
this server, configured once at start (FOLIO_PUBLIC_URL); one per process."""

from __future__ import annotations

_base = ["http://127.0.0.1:8000"]


def set_public_base_url(url: str) -> None:
    _base[0] = url.rstrip("/")


def hosted_invoice_url(token: str | None) -> str | None:
    return f"{_base[0]}/i/{token}" if token else None


def public_base_url() -> str:
    return _base[0]
