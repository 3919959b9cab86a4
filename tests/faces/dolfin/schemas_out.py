"""List envelope check ({data, meta: {cursors}}) written from vendors.md."""

from __future__ import annotations

from typing import Any

from folio.faces.dolfin.schemas import ListOut


def check_list(body: Any) -> None:
    ListOut.model_validate(body)
