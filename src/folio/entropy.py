"""Random bytes for identifiers, from the operating system's CSPRNG, drawn 4 KiB at a
time: one `getrandom` call then serves some 200 ids instead of one (a create + finalize
makes about fifteen). The bytes are the OS's own, handed out once each, in order.

For identifiers only (public ids, UUIDs, request ids). Secrets (API keys, tokens) keep
drawing straight from `secrets`, so none of their bytes wait in memory beforehand.
"""

from __future__ import annotations

import os
import threading

BLOCK = 4096

_lock = threading.Lock()
_buffer = b""
_offset = 0


def random_bytes(n: int) -> bytes:
    """n bytes no other caller of this process has been or will be given."""
    global _buffer, _offset
    with _lock:
        end = _offset + n
        if end > len(_buffer):
            _buffer, _offset, end = os.urandom(max(BLOCK, n)), 0, n
        out = _buffer[_offset:end]
        _offset = end
        return out


def _forget() -> None:
    """A forked child must never hand out bytes its parent hands out too."""
    global _buffer, _offset, _lock
    _buffer, _offset, _lock = b"", 0, threading.Lock()


os.register_at_fork(after_in_child=_forget)
