"""A real uvicorn server over the session app, for tests that need real HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn


@pytest.fixture(scope="session")
def live_server(app: Any) -> Iterator[str]:
    """Serve the session `app` (and so the session test database) with uvicorn on a free
    127.0.0.1 port, in a background thread; yields the base URL, e.g. http://127.0.0.1:54321.

    The listening socket is bound here (port 0) and handed to uvicorn, so there is no race
    for the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                            log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="live-server", daemon=True)
    thread.start()
    try:
        while not server.started:  # no deadline: a failed start ends the thread instead
            if not thread.is_alive():
                raise RuntimeError("the live uvicorn server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
