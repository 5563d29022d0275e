"""A live server for the web tests: the real app under uvicorn, on a free loopback port."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import rejection_diagnosis as rd
from rejection_diagnosis.web import create_app, make_server


@contextlib.contextmanager
def live_server(kb: rd.KnowledgeBase | None = None) -> Iterator[str]:
    """Serve ``kb`` (default: the bundled rules) as ``serve`` does; yield its base URL."""
    server = make_server(create_app(kb or rd.load_rules()), "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
