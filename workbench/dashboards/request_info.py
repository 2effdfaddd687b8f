"""The page request of a Voila kernel (its URL's query string), without importing Voila.

A preheated kernel runs its notebook before anybody asks for the page; Voila hands it the request
(``QUERY_STRING``, ``SCRIPT_NAME``, ...) when a page takes it, over the server's request-info socket
``/voila/query/<kernel id>``.  ``voila.utils.get_query_string`` does that, but importing
``voila.utils`` imports Voila's whole server side (Jupyter Server, JupyterLab server, nbconvert):
measured 3.8 CPU-seconds and 87 MiB in a fresh process, 1.4 CPU-seconds in a participant kernel
where part of it is loaded already, in every preheated kernel (110 of them before a workshop of
100).  :func:`query_string` speaks the same protocol with the ``websockets`` client only (what
Voila itself uses there): same environment variables, same URL, same answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import warnings

# the names Voila sets in a kernel's environment (voila.utils.ENV_VARIABLE)
PREHEAT = "VOILA_PREHEAT"
KERNEL_ID = "VOILA_KERNEL_ID"
QUERY_STRING = "QUERY_STRING"


def request_info_url() -> str:
    """``ws://HOST:PORT/<base>voila/query/<kernel id>``, as ``voila.utils.wait_for_request``
    builds it."""
    protocol = os.getenv("VOILA_WS_PROTOCOL", "ws")
    server_ip = os.getenv("VOILA_APP_IP", "127.0.0.1")
    server_port = os.getenv("VOILA_APP_PORT", "8866")
    base = os.getenv("VOILA_WS_BASE_URL", os.getenv("VOILA_SERVER_URL", "/"))
    return f"{protocol}://{server_ip}:{server_port}{base}voila/query/{os.getenv(KERNEL_ID)}"


async def _receive(url: str) -> str | None:
    import websockets

    try:
        async with websockets.connect(url, open_timeout=5) as socket:
            message = await socket.recv()
    except Exception as exc:  # refused, timed out, server gone: the page has no URL parameters
        warnings.warn(f"Failed to connect to {url}: {exc}", stacklevel=2)
        return None
    return message.decode() if isinstance(message, bytes) else str(message)


def wait_for_request() -> None:
    """In a preheated kernel: wait until a page takes it, then put the request's variables into
    ``os.environ`` (``QUERY_STRING`` ...).  Elsewhere: return at once."""
    if os.getenv(PREHEAT, "False") == "False":
        return
    found: list[str | None] = []
    # a loop of its own in a thread of its own: the kernel's loop may be running in this thread
    thread = threading.Thread(
        target=lambda: found.append(asyncio.run(_receive(request_info_url()))),
        name="voila-request-info",
    )
    thread.start()
    thread.join()
    if found and found[0]:
        for key, value in json.loads(found[0]).items():
            os.environ[key] = value


def query_string() -> str | None:
    """The page's query string (in a preheated kernel: once a page has taken it)."""
    wait_for_request()
    return os.getenv(QUERY_STRING)
