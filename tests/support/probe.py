"""A light Voila client: fetches a dashboard page and drives its widgets over the kernel websocket.

Used by the load test, the serving tests and the benchmark to stand in for participants' browsers
(which in a workshop run on the participants' own devices, not on the server): it requests the page
exactly like a browser, opens the kernel channel with the protocol browsers use
(``v1.kernel.websocket.jupyter.org``: little-endian uint64 offsets, then channel, header, parent
header, metadata, content and buffers), asks for the widgets' state (``jupyter.widget.control``
``request_states``, what the Voila front end does) and then sends the same comm messages a browser
sends when a value changes or a button is clicked.  No JavaScript, no rendering.

``legacy=True`` speaks Jupyter's legacy protocol instead (no subprotocol; JSON text, big-endian
binary framing): only to show that ``workbench serve`` refuses it (it froze Voila 0.5.13).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

_KERNEL_ID = re.compile(r'"kernelId"\s*:\s*"([0-9a-f-]{36})"')
KERNEL_PROTOCOL = "v1.kernel.websocket.jupyter.org"


def encode_v1(channel: str, parts: list[bytes]) -> bytes:
    """A v1 websocket frame: uint64 LE count of offsets, the offsets, channel, then ``parts``
    (header, parent header, metadata, content, buffers...)."""
    chunks = [channel.encode(), *parts]
    offsets = [8 * (1 + len(chunks) + 1)]
    for chunk in chunks:
        offsets.append(offsets[-1] + len(chunk))
    head = len(offsets).to_bytes(8, "little") + b"".join(o.to_bytes(8, "little") for o in offsets)
    return head + b"".join(chunks)


def decode_v1(raw: bytes) -> dict[str, Any]:
    """A kernel message from a v1 frame (buffers are left out)."""
    count = int.from_bytes(raw[:8], "little")
    offsets = [int.from_bytes(raw[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    parts = [raw[offsets[i] : offsets[i + 1]] for i in range(count - 1)]
    header, parent, metadata, content = (json.loads(p.decode() or "{}") for p in parts[1:5])
    return {
        "channel": parts[0].decode(),
        "header": header,
        "parent_header": parent,
        "metadata": metadata,
        "content": content,
        "msg_type": header.get("msg_type"),
    }


def _decode_legacy(raw: str | bytes) -> dict[str, Any]:
    """A kernel message of the legacy protocol: JSON text, or a big-endian uint32 count and
    offsets, then the JSON message and its buffers."""
    if isinstance(raw, str):
        return json.loads(raw)
    count = int.from_bytes(raw[:4], "big")
    offsets = [int.from_bytes(raw[4 * (i + 1) : 4 * (i + 2)], "big") for i in range(count)]
    end = offsets[1] if count > 1 else len(raw)
    return json.loads(raw[offsets[0] : end].decode())


@dataclass
class PageTiming:
    """Seconds from the request to: page delivered, kernel channel open, widget states received."""

    page_s: float = 0.0
    channel_s: float = 0.0
    widgets_s: float = 0.0
    page_bytes: int = 0


@dataclass
class VoilaPage:
    """One participant's page: widget states by model id, kept current from the kernel's messages."""

    base_url: str
    notebook: str
    token: str | None = None
    legacy: bool = False  # speak the legacy protocol (refused by workbench serve)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    timing: PageTiming = field(default_factory=PageTiming)
    kernel_id: str = ""

    def __post_init__(self) -> None:
        self.session = uuid.uuid4().hex
        self._ws: Any = None
        self._waiters: list[tuple[Callable[[str, dict[str, Any]], bool], asyncio.Future[Any]]] = []
        self._reader: asyncio.Task[None] | None = None
        self._control = uuid.uuid4().hex

    def _url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return self.base_url.rstrip("/") + path + (f"{sep}token={self.token}" if self.token else "")

    def _msg(
        self,
        msg_type: str,
        content: dict[str, Any],
        channel: str = "shell",
        metadata: dict[str, Any] | None = None,
    ) -> str | bytes:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "session": self.session,
            "username": "probe",
            "version": "5.3",
        }
        if not self.legacy:
            parts = [header, {}, metadata or {}, content]
            return encode_v1(channel, [json.dumps(p).encode() for p in parts])
        return json.dumps(
            {
                "header": header,
                "parent_header": {},
                "metadata": metadata or {},
                "content": content,
                "channel": channel,
                "buffers": [],
            }
        )

    async def fetch_page(self, timeout: float = 120.0) -> str:
        """Fetch the page (the kernel starts, or a preheated one is taken); return the HTML."""
        AsyncHTTPClient.configure(None, max_clients=1000)
        response = await AsyncHTTPClient().fetch(
            HTTPRequest(
                self._url(f"/voila/render/{self.notebook}"),
                request_timeout=timeout,
                connect_timeout=timeout,
            )
        )
        body = response.body.decode()
        match = _KERNEL_ID.search(body)
        if not match:
            text = " ".join(re.sub(r"<[^>]+>", " ", body).split())
            raise RuntimeError(
                f"no kernel id in the Voila page (HTTP {response.code}, {len(body)} bytes): "
                f"{text[:300]!r} ... {text[-500:]!r}"
            )
        self.kernel_id = match.group(1)
        return body

    async def connect(self, kernel_id: str | None = None) -> None:
        """Open the kernel channel (of this page's kernel, or of ``kernel_id``)."""
        ws_url = self._url(
            f"/api/kernels/{kernel_id or self.kernel_id}/channels?session_id={self.session}"
        )
        self._ws = await websocket_connect(
            ws_url.replace("http", "ws", 1),
            max_message_size=64 * 2**20,
            subprotocols=None if self.legacy else [KERNEL_PROTOCOL],
        )
        self._reader = asyncio.ensure_future(self._read())

    async def open(self, timeout: float = 120.0) -> PageTiming:
        """Fetch the page, open the kernel channel, wait for the widgets' state."""
        t0 = time.perf_counter()
        body = await self.fetch_page(timeout)
        self.timing.page_s = time.perf_counter() - t0
        self.timing.page_bytes = len(body.encode())
        await self.connect()
        self.timing.channel_s = time.perf_counter() - t0
        await self.request_states(timeout)
        self.timing.widgets_s = time.perf_counter() - t0
        return self.timing

    async def request_states(self, timeout: float = 120.0) -> None:
        """Ask the kernel for every widget's state (what Voila's front end does on load)."""
        states = self._expect(
            lambda kind, data: kind == "comm_msg" and data.get("method") == "update_states"
        )
        await self._send(
            self._msg(
                "comm_open",
                {"comm_id": self._control, "target_name": "jupyter.widget.control", "data": {}},
                metadata={"version": "1.0.0"},
            )
        )
        await self._send(
            self._msg("comm_msg", {"comm_id": self._control, "data": {"method": "request_states"}})
        )
        data = await asyncio.wait_for(states, timeout)
        for model_id, entry in data["states"].items():
            self.states[model_id] = dict(entry.get("state", {}))

    async def _send(self, message: str | bytes) -> None:
        await self._ws.write_message(message, binary=isinstance(message, bytes))

    def _expect(self, predicate: Callable[[str, dict[str, Any]], bool]) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_event_loop().create_future()
        self._waiters.append((predicate, future))
        return future

    async def _read(self) -> None:
        while True:
            raw = await self._ws.read_message()
            if raw is None:
                return
            msg = _decode_legacy(raw) if self.legacy else decode_v1(raw)
            kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
            content = msg.get("content", {})
            data = content.get("data", {}) if isinstance(content, dict) else {}
            comm_id = content.get("comm_id") if isinstance(content, dict) else None
            if kind == "comm_open" and comm_id:
                self.states[comm_id] = dict(data.get("state", {}))
            elif kind == "comm_msg" and comm_id in self.states and data.get("method") == "update":
                self.states[comm_id].update(data.get("state", {}))
            for predicate, future in list(self._waiters):
                if not future.done() and predicate(kind, {**data, "_comm_id": comm_id}):
                    future.set_result(data)
                    self._waiters.remove((predicate, future))

    def find(self, **match: Any) -> list[str]:
        """Model ids whose state has all the given values (e.g. ``_model_name="ButtonModel"``)."""
        return [
            mid for mid, st in self.states.items() if all(st.get(k) == v for k, v in match.items())
        ]

    async def update(self, model_id: str, **state: Any) -> None:
        """Send a value change, as the browser does when the user edits a widget: only the values
        that differ from the page's copy of the widget (a browser sends nothing for a field left
        as it was), and the copy then holds them (the kernel does not echo them back)."""
        current = self.states.setdefault(model_id, {})
        state = {k: v for k, v in state.items() if k not in current or current[k] != v}
        if not state:
            return
        current.update(state)
        await self._send(
            self._msg(
                "comm_msg",
                {
                    "comm_id": model_id,
                    "data": {"method": "update", "state": state, "buffer_paths": []},
                },
                metadata={"version": "2.1.0"},
            )
        )

    async def click(self, model_id: str) -> None:
        """Click a button."""
        await self._send(
            self._msg(
                "comm_msg",
                {"comm_id": model_id, "data": {"method": "custom", "content": {"event": "click"}}},
                metadata={"version": "2.1.0"},
            )
        )

    async def click_and_wait(
        self, button: str, status: str, done: Callable[[str], bool], timeout: float = 60.0
    ) -> str:
        """Click ``button`` and wait until the HTML widget ``status`` shows a value for which ``done``."""
        future = self._expect(
            lambda kind, data: (
                kind == "comm_msg"
                and data.get("_comm_id") == status
                and data.get("method") == "update"
                and done(str(data.get("state", {}).get("value", "")))
            )
        )
        await self.click(button)
        data = await asyncio.wait_for(future, timeout)
        return str(data["state"]["value"])

    def children(self, model_id: str) -> list[str]:
        """Model ids of a box's children."""
        return [c.replace("IPY_MODEL_", "") for c in self.states[model_id].get("children", [])]

    async def close(self) -> None:
        """Close the kernel channel (the page is closed)."""
        if self._reader is not None:
            self._reader.cancel()
        if self._ws is not None:
            self._ws.close()


async def join_participant(
    page: VoilaPage, code: str, timeout: float = 60.0
) -> dict[str, dict[str, str]]:
    """Type ``code`` and press Join; return ``{statement_id: {"rating", "comment", "save", "status"}}``."""
    text = page.find(_model_name="TextModel", description="Code")[0]
    join = page.find(_model_name="ButtonModel", description="Join")[0]
    await page.update(text, value=code)
    await page.click(join)
    deadline = time.perf_counter() + timeout
    seen = -1
    while True:  # the page is built when the tab exists and the number of cards stops changing
        await asyncio.sleep(0.1)
        count = sum(
            any(str(c).startswith("fs-statement-") for c in st.get("_dom_classes", []))
            for st in page.states.values()
        )
        if page.find(_model_name="TabModel") and count and count == seen:
            break
        seen = count
        if time.perf_counter() > deadline:
            raise TimeoutError("the participant page did not appear after Join")
    cards: dict[str, dict[str, str]] = {}
    for mid, st in list(page.states.items()):
        classes = [c for c in st.get("_dom_classes", []) if c.startswith("fs-statement-")]
        if not classes:
            continue
        _html, rating, comment, row = page.children(mid)
        save, status = page.children(row)
        cards[classes[0].removeprefix("fs-statement-")] = {
            "rating": rating,
            "comment": comment,
            "save": save,
            "status": status,
        }
    return cards


async def submit_answer(
    page: VoilaPage,
    card: dict[str, str],
    value: int,
    comment: str = "",
    timeout: float = 60.0,
    think_s: float = 0.0,
) -> tuple[str, float]:
    """Choose ``value`` (dropdown index = value), type the comment, wait ``think_s`` (a person
    reading before pressing), press Save; return (status, seconds from the click to the status
    shown to the participant)."""
    await page.update(card["rating"], index=value)
    await page.update(card["comment"], value=comment)
    if think_s > 0:
        await asyncio.sleep(think_s)
    t0 = time.perf_counter()
    status = await page.click_and_wait(
        card["save"], card["status"], lambda v: "fs-ok" in v or "fs-err" in v, timeout
    )
    return status, time.perf_counter() - t0
