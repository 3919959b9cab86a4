"""Where the seeds' OpenAPI texts live: `shared/seeds/openapi` beside the checkout (the
main checkout is /work/main and the seeds /work/shared). A checkout elsewhere (a git
worktree one level deeper) finds them by walking up; FOLIO_SEEDS_DIR overrides both."""

from __future__ import annotations

import os
from pathlib import Path


def seeds_openapi_dir() -> Path:
    override = os.environ.get("FOLIO_SEEDS_DIR")
    if override:
        return Path(override)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "seeds" / "openapi"
        if candidate.is_dir():
            return candidate
    return here.parents[2] / "shared" / "seeds" / "openapi"  # missing: tests fail loudly


SEEDS_OPENAPI = seeds_openapi_dir()
