"""Live topics over WebSocket (asyncio): subscribe, resume from the last seq after a drop, re-authenticate."""
from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any, Dict, List, Optional
from urllib.parse import urlencode

import websockets

TERMINAL_ERRORS = {"SESSION_REVOKED", "API_KEY_REVOKED"}


class LiveConnection:
    """One topic (``/ws/market-data``, ``/ws/assets/BTC``, ``/ws/notifications``...)::

        async with client.live("/ws/market-data", symbols=["BTC/USD"]) as feed:
            async for message in feed:
                print(message["type"], message.get("seq"))

    After a drop it reconnects with ``?last_seq=`` so the server replays what was missed (or
    sends ``reset``); a refused token is refreshed once before it gives up.
    """

    def __init__(self, transport: Any, path: str, symbols: Optional[List[str]] = None, last_seq: Optional[int] = None, max_reconnect_delay: float = 10.0) -> None:
        self.transport = transport
        self.path = path
        self.symbols = list(symbols or [])
        self.last_seq: Optional[int] = last_seq
        self.max_reconnect_delay = max_reconnect_delay
        self.reconnects = 0
        self._ws: Any = None
        self._closed = False
        self._attempts = 0
        self._ending = False
        self._resumed = asyncio.Event()
        self._resumed.set()

    def _url(self) -> str:
        url = self.transport.origin.replace("http", "ws", 1) + self.path
        if self.last_seq is not None:
            url += ("&" if "?" in url else "?") + urlencode({"last_seq": self.last_seq})
        return url

    async def _connect(self) -> None:
        credential = self.transport.credential()
        protocols = ["meridian.v1"] + ([f"bearer.{credential}"] if credential else [])
        self._ws = await websockets.connect(self._url(), subprotocols=protocols, max_size=2**22)
        if self.symbols:
            await self._ws.send(json.dumps({"type": "subscribe", "symbols": self.symbols}))

    async def __aenter__(self) -> "LiveConnection":
        await self._connect()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def __aiter__(self) -> "LiveConnection":
        return self

    async def __anext__(self) -> Dict[str, Any]:
        while True:
            if self._closed or self._ending:
                raise StopAsyncIteration
            await self._resumed.wait()
            if self._ws is None:
                await self._connect()
            try:
                raw = await self._ws.recv()
            except websockets.ConnectionClosed as closed:
                if self._closed:
                    raise StopAsyncIteration from None
                await self._after_close(closed.code, closed.reason or "")
                continue
            message = json.loads(raw)
            seq = message.get("seq")
            kind = message.get("type")
            if isinstance(seq, int) and kind not in ("welcome", "reset"):
                self.last_seq = max(self.last_seq or 0, seq)
            if kind == "reset" and isinstance(seq, int):
                self.last_seq = seq
            if kind == "welcome":
                self._attempts = 0
            if kind == "error" and message.get("code") in TERMINAL_ERRORS:
                self._ending = True
            return message

    async def _after_close(self, code: int, reason: str) -> None:
        self._ws = None
        if code == 1008 and "token" in reason.lower():
            refreshed = self.transport.refresh_tokens()
            if inspect.isawaitable(refreshed):
                refreshed = await refreshed
            if refreshed and self._attempts == 0:
                self._attempts += 1
                self.reconnects += 1
                return
            self._closed = True
            return
        if code == 1008:
            self._closed = True
            return
        await asyncio.sleep(min(self.max_reconnect_delay, 0.25 * 2**self._attempts))
        self._attempts += 1
        self.reconnects += 1

    async def subscribe(self, symbols: List[str]) -> None:
        self.symbols.extend(s for s in symbols if s not in self.symbols)
        if self._ws is not None:
            await self._ws.send(json.dumps({"type": "subscribe", "symbols": symbols}))

    async def unsubscribe(self, symbols: List[str]) -> None:
        self.symbols = [s for s in self.symbols if s not in symbols]
        if self._ws is not None:
            await self._ws.send(json.dumps({"type": "unsubscribe", "symbols": symbols}))

    async def disconnect(self) -> None:
        """Drops the connection but keeps ``last_seq``: ``resume()`` gets what was published meanwhile."""
        self._resumed.clear()
        if self._ws is not None:
            ws, self._ws = self._ws, None
            await ws.close()

    async def resume(self) -> None:
        """Connects again after ``disconnect()``, asking for everything after ``last_seq``."""
        if not self._closed and self._ws is None:
            self.reconnects += 1
            await self._connect()
        self._resumed.set()

    async def reconnect(self) -> None:
        """Drops the connection and reconnects at once, resuming from ``last_seq``."""
        await self.disconnect()
        await self.resume()

    async def close(self) -> None:
        self._closed = True
        self._resumed.set()
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
