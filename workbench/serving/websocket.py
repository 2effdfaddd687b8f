"""The kernel websocket of ``workbench serve``: Jupyter Server's connection, current protocol only,
with ``TCP_NODELAY``.

**Legacy protocol refused.**  A client that does not ask for the ``v1.kernel.websocket.jupyter.org``
subprotocol gets Jupyter's legacy framing (a big-endian uint32 count and offsets).  Voila 0.5.13's
``VoilaKernelWebsocketHandler.write_message`` parses every binary message it sends with
``read_header_from_binary_message``, which assumes the v1 framing (a little-endian uint64 count): on a
legacy message with buffers (a plotly FigureWidget update after Refresh on the facilitator page) it
reads a count of about 10^17 and builds that list, spinning at 100 % CPU and growing by ~50 MB/s, so
one such client froze the whole workshop.  Browsers (JupyterLab 4 services in Voila's front end)
always ask for v1, so the upgrade of any other client is refused with HTTP 400 before a kernel
connection exists.

**TCP_NODELAY.**  On a click the kernel answers with several small messages in a row (status busy,
the widget update that shows "Saved", status idle).  Jupyter Server leaves Nagle's algorithm on for
the kernel websocket, so the second small write waits until the browser acknowledges the first, and
browsers delay acknowledgements (Linux 40 ms, Windows 200 ms).  Measured here with 40 participants
reading 0-2 s before each Save: the path kernel -> participant took p95 40 ms (max 45 ms) of a 44 ms
total, i.e. almost all of the submit-to-"Saved" time.  With ``TCP_NODELAY`` each message leaves at
once; the messages are few and small, so the extra packets cost nothing measurable.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, ClassVar

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado import web

KERNEL_PROTOCOL = "v1.kernel.websocket.jupyter.org"


def requested_subprotocols(header: str | None) -> list[str]:
    """The subprotocols of a ``Sec-WebSocket-Protocol`` request header."""
    return [p.strip() for p in (header or "").split(",") if p.strip()]


class PageActivity:
    """When a page last sent its kernel a message (``time.monotonic()``): a click, a value, a page
    asking for its widgets; a page taking a preheated kernel counts too (it is loading).  Background
    work (refilling the kernel pool) waits for a quiet moment, longer while many pages are active
    (:class:`workbench.serving.app.FillSlots`).  ``pages``: kernel id -> its page's last message."""

    last = 0.0
    pages: ClassVar[dict[str, float]] = {}
    taken: ClassVar[
        dict[str, float]
    ] = {}  # kernel id -> when a page took it, until its 1st message
    forget_s = 60.0

    @classmethod
    def took(cls, kernel_id: str) -> None:
        """A page has just taken the preheated kernel ``kernel_id``: it is loading its scripts
        (until its first message)."""
        cls.last = cls.pages[kernel_id] = cls.taken[kernel_id] = time.monotonic()

    @classmethod
    def loading(cls, within_s: float) -> int:
        """Pages that took a kernel within ``within_s`` seconds and have sent it no message yet."""
        since = time.monotonic() - within_s
        return sum(seen >= since for seen in list(cls.taken.values()))

    @classmethod
    def note(cls, kernel_id: str, now: float | None = None) -> None:
        """A page (the one using kernel ``kernel_id``) has just sent a message."""
        cls.last = cls.pages[kernel_id] = time.monotonic() if now is None else now
        cls.taken.pop(kernel_id, None)
        if len(cls.pages) + len(cls.taken) > 64:  # forget pages silent for long (closed ones)
            for record in (cls.pages, cls.taken):
                for key, seen in list(record.items()):
                    if cls.last - seen > cls.forget_s:
                        del record[key]

    @classmethod
    def active(cls, within_s: float) -> int:
        """How many pages sent a message within the last ``within_s`` seconds."""
        since = time.monotonic() - within_s
        return sum(seen >= since for seen in list(cls.pages.values()))


class NoDelayChannelsConnection(ZMQChannelsWebsocketConnection):
    """:class:`ZMQChannelsWebsocketConnection` that refuses the legacy protocol and switches Nagle's
    algorithm off on the socket."""

    async def prepare(self) -> None:
        """Called by the handler before the websocket upgrade: refuse clients without v1."""
        request = self.websocket_handler.request
        if KERNEL_PROTOCOL not in requested_subprotocols(
            request.headers.get("Sec-WebSocket-Protocol")
        ):
            self.log.warning(
                "refused a legacy-protocol kernel websocket from %s", request.remote_ip
            )
            raise web.HTTPError(
                400, f"kernel websockets must use the {KERNEL_PROTOCOL} subprotocol"
            )
        await super().prepare()

    def handle_incoming_message(self, incoming_msg: Any) -> None:
        """Note the moment (:class:`PageActivity`), then pass the message on as usual."""
        PageActivity.note(self.kernel_id)
        super().handle_incoming_message(incoming_msg)

    def connect(self) -> Any:
        """Set ``TCP_NODELAY`` on the open websocket, then connect as usual."""
        with contextlib.suppress(AssertionError, AttributeError, OSError):
            self.websocket_handler.set_nodelay(True)
        return super().connect()
