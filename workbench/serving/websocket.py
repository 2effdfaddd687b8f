"""The kernel websocket of ``workbench serve``: Jupyter Server's connection with ``TCP_NODELAY``.

Why: on a click the kernel answers with several small messages in a row (status busy, the widget
update that shows "Saved", status idle).  Jupyter Server leaves Nagle's algorithm on for the kernel
websocket, so the second small write waits until the browser acknowledges the first, and browsers
delay acknowledgements (Linux 40 ms, Windows 200 ms).  Measured here with 40 participants reading
0-2 s before each Save: the path kernel -> participant took p95 40 ms (max 45 ms) of a 44 ms total,
i.e. almost all of the submit-to-"Saved" time.  With ``TCP_NODELAY`` each message leaves at once;
the messages are few and small, so the extra packets cost nothing measurable.
"""

from __future__ import annotations

import contextlib
from typing import Any

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection


class NoDelayChannelsConnection(ZMQChannelsWebsocketConnection):
    """:class:`ZMQChannelsWebsocketConnection` that switches Nagle's algorithm off on the socket."""

    def connect(self) -> Any:
        """Set ``TCP_NODELAY`` on the open websocket, then connect as usual."""
        with contextlib.suppress(AssertionError, AttributeError, OSError):
            self.websocket_handler.set_nodelay(True)
        return super().connect()
