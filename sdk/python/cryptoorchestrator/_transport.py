"""The HTTP layer both clients share: auth, refresh-token rotation, retries, idempotency keys, envelopes."""
from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any, AsyncIterator, Callable, Dict, Iterator, Optional
from urllib.parse import quote

import httpx

from .errors import ConnectionError, RateLimitError, error_for

WRITES = {"POST", "PATCH"}
SAFE = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}
LOGIN_PATH = "/api/v1/auth/login"
REFRESH_PATH = "/api/v1/auth/refresh"
# The API's D1 session bookmark: sent back, a read sees at least what the client last saw.
BOOKMARK_HEADER = "X-D1-Bookmark"


@dataclass(frozen=True)
class OperationSpec:
    method: str
    path: str
    response: str  # json | text | none
    unwrap: bool  # the body is 001's {success, data, meta} envelope: return data
    list_key: Optional[str]  # a list's items are under this key (None: the body is the list)
    body_type: Optional[str]
    tf: Optional[str] = None  # the body field of a two-factor code, when the operation takes one


@dataclass
class CallOptions:
    """Per-call options: your own idempotency key for a write, extra headers, a timeout."""

    idempotency_key: Optional[str] = None
    headers: Dict[str, str] = field(default_factory=dict)
    timeout: Optional[float] = None


@dataclass
class Tokens:
    access_token: str
    refresh_token: Optional[str]
    expires_at: Optional[float]  # epoch seconds


def _fields(names: Dict[str, Any], extra: Dict[str, Any], body: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """A body or query from keyword arguments: the API's names for the ones given, ``extra`` as written."""
    out: Dict[str, Any] = dict(body or {})
    out.update({k: v for k, v in names.items() if v is not None})
    out.update(extra)
    return out


def _plain(value: Any) -> Any:
    """JSON-ready: models by their API names, decimals as strings, dates in ISO 8601."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def origin_of(base_url: str) -> str:
    """The API origin from a base URL, which may end in /api, /api/v1 or /api/v2."""
    return re.sub(r"/api(/v[12])?$", "", base_url.rstrip("/"))


def retry_after_seconds(headers: httpx.Headers, now: Optional[float] = None) -> Optional[float]:
    raw = headers.get("Retry-After")
    if not raw:
        return None
    raw = raw.strip()
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        return float(raw)
    try:
        at = parsedate_to_datetime(raw).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, at - (now if now is not None else time.time()))


def _is_envelope(body: Any) -> bool:
    return isinstance(body, dict) and body.get("success") is True and "data" in body


class _Core:
    def __init__(
        self,
        base_url: str,
        api_key: Optional[str] = None,
        access_token: Optional[str] = None,
        refresh_token: Optional[str] = None,
        on_tokens: Optional[Callable[[Optional[Tokens]], None]] = None,
        max_retries: int = 3,
        max_retry_delay: float = 30.0,
        timeout: float = 30.0,
        api_version: int = 1,
        headers: Optional[Dict[str, str]] = None,
        two_factor: Optional[Callable[[], Any]] = None,
    ) -> None:
        self.origin = origin_of(base_url)
        self.two_factor = two_factor
        self.api_key = api_key
        self.tokens: Optional[Tokens] = Tokens(access_token, refresh_token, None) if access_token else None
        self.on_tokens = on_tokens
        self.max_retries = max_retries
        self.max_retry_delay = max_retry_delay
        self.timeout = timeout
        self.api_version = api_version
        self.headers = dict(headers or {})
        self.bookmark: Optional[str] = None

    def credential(self) -> Optional[str]:
        return self.api_key or (self.tokens.access_token if self.tokens else None)

    def _set_tokens(self, tokens: Optional[Tokens]) -> None:
        self.tokens = tokens
        if self.on_tokens:
            self.on_tokens(tokens)

    def accept_auth(self, body: Any) -> None:
        data = body["data"] if _is_envelope(body) else body
        if not isinstance(data, dict) or not data.get("access_token"):
            return
        expires_in = data.get("expires_in")
        self._set_tokens(
            Tokens(
                data["access_token"],
                data.get("refresh_token") or (self.tokens.refresh_token if self.tokens else None),
                time.time() + expires_in if isinstance(expires_in, (int, float)) else None,
            )
        )

    def _url(self, spec: OperationSpec, path: Dict[str, Any]) -> str:
        def sub(m: "re.Match[str]") -> str:
            name = m.group(1)
            if path.get(name) is None:
                raise TypeError(f"missing path parameter {name}")
            return quote(str(path[name]), safe="")

        return self.origin + re.sub(r"\{([^}]+)\}", sub, spec.path)

    @staticmethod
    def _query(query: Optional[Dict[str, Any]]) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        for k, v in (query or {}).items():
            if v is None:
                continue
            if isinstance(v, bool):
                out[k] = "true" if v else "false"
            elif isinstance(v, (list, tuple)):
                out[k] = [str(x) for x in v]
            else:
                out[k] = str(_plain(v))
        return out

    def _headers(self, spec: OperationSpec, options: CallOptions, key: Optional[str], auth: bool) -> Dict[str, str]:
        h = {"Accept": "text/csv, application/json" if spec.response == "text" else "application/json"}
        h.update(self.headers)
        h.update(options.headers)
        if self.api_version == 2:
            h["X-API-Version"] = "2.0"
        credential = self.credential() if auth else None
        if credential:
            h["Authorization"] = f"Bearer {credential}"
        if key:
            h["Idempotency-Key"] = key
        if self.bookmark:
            h[BOOKMARK_HEADER] = self.bookmark
        return h

    def _note_bookmark(self, res: httpx.Response) -> None:
        """Keeps the newest bookmark (they order as strings), so later reads see this client's writes."""
        bookmark = res.headers.get(BOOKMARK_HEADER)
        if bookmark and (self.bookmark is None or bookmark > self.bookmark):
            self.bookmark = bookmark

    def _content(self, spec: OperationSpec, body: Any) -> Dict[str, Any]:
        if body is None:
            return {}
        if (spec.body_type or "application/json") == "application/json":
            return {"content": json.dumps(_plain(body)), "headers": {"Content-Type": "application/json"}}
        return {"content": str(body), "headers": {"Content-Type": spec.body_type or "text/plain"}}

    def _backoff(self, attempt: int) -> float:
        return min(self.max_retry_delay, 0.5 * 2**attempt)

    def _needs_refresh(self) -> bool:
        t = self.tokens
        return bool(not self.api_key and t and t.refresh_token and t.expires_at and t.expires_at - 30 < time.time())

    @staticmethod
    def _read(spec: OperationSpec, res: httpx.Response) -> Any:
        if spec.response == "text":
            return res.text
        if not res.content:
            return None
        return res.json() if "json" in res.headers.get("Content-Type", "") else res.text

    def _wants_two_factor(self, spec: OperationSpec, res: httpx.Response, body: Any, asked: bool) -> bool:
        """The API asks for a code this call did not carry, and a provider can give one."""
        if asked or not spec.tf or not self.two_factor or res.status_code not in (400, 401, 403):
            return False
        try:
            code = res.json().get("error", {}).get("code")
        except (ValueError, AttributeError):
            return False
        return code == "INVALID_MFA_TOKEN" and not (isinstance(body, dict) and body.get(spec.tf))

    @staticmethod
    def _raise(res: httpx.Response) -> None:
        try:
            body: Any = res.json()
        except ValueError:
            body = res.text
        error = error_for(res.status_code, body, res.headers.get("X-Request-Id"))
        if isinstance(error, RateLimitError):
            error.retry_after = retry_after_seconds(res.headers)
        raise error

    def _unwrap(self, spec: OperationSpec, body: Any) -> Any:
        if spec.unwrap or (self.api_version == 2 and _is_envelope(body)):
            return body["data"] if _is_envelope(body) else body
        return body

    @staticmethod
    def _page_state(query: Optional[Dict[str, Any]]) -> Dict[str, Any]:
        q = dict(query or {})
        limit = int(q.get("limit") or 100)
        page = q.pop("page", None)
        q["limit"] = limit
        q["offset"] = int(q.get("offset") or ((int(page) - 1) * limit if page else 0))
        return q

    def _next_page(self, spec: OperationSpec, res: httpx.Response, body: Any, items: Any, q: Dict[str, Any]) -> bool:
        if not isinstance(items, list) or not items:
            return False
        meta = body.get("meta", {}).get("pagination") if _is_envelope(body) else None
        link = res.headers.get("Link")
        more = bool(meta.get("has_next")) if meta else ('rel="next"' in link if link is not None else len(items) == q["limit"])
        q["offset"] += len(items)
        return more

    def _items(self, spec: OperationSpec, body: Any) -> Any:
        data = self._unwrap(spec, body)
        return data.get(spec.list_key) if spec.list_key and isinstance(data, dict) else data


class SyncTransport(_Core):
    def __init__(self, *args: Any, http_client: Optional[httpx.Client] = None, sleep: Optional[Callable[[float], None]] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = http_client or httpx.Client(timeout=self.timeout)
        self.sleep = sleep or time.sleep
        self._lock = threading.Lock()

    def refresh_tokens(self) -> bool:
        """Rotates the refresh token for a new access token; False (tokens forgotten) when refused."""
        before = self.tokens
        with self._lock:
            if self.tokens is not before and self.tokens is not None:
                return True  # another thread refreshed while this one waited
            t = self.tokens
            if self.api_key or not t or not t.refresh_token:
                return False
            try:
                res = self.http.post(self.origin + REFRESH_PATH, json={"refresh_token": t.refresh_token})
            except httpx.HTTPError:
                return False
            if res.status_code != 200:
                self._set_tokens(None)
                return False
            self.accept_auth(res.json())
            return True

    def send(self, spec: OperationSpec, path: Dict[str, Any], query: Any = None, body: Any = None, options: Optional[CallOptions] = None) -> "tuple[httpx.Response, Any]":
        options = options or CallOptions()
        key = (options.idempotency_key or str(uuid.uuid4())) if spec.method in WRITES else None
        auth = spec.path not in (LOGIN_PATH, REFRESH_PATH)
        refreshed = False
        asked = False
        if auth and self._needs_refresh():
            refreshed = self.refresh_tokens()
        url = self._url(spec, path)
        attempt = 0
        while True:
            content = self._content(spec, body)
            headers = {**self._headers(spec, options, key, auth), **content.pop("headers", {})}
            try:
                res = self.http.request(spec.method, url, params=self._query(query), headers=headers, timeout=options.timeout or self.timeout, **content)
            except httpx.HTTPError as err:
                if (spec.method in SAFE or key) and attempt < self.max_retries:
                    self.sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                raise ConnectionError(f"{spec.method} {spec.path} failed: {err}") from err
            self._note_bookmark(res)
            if res.status_code == 401 and auth and not refreshed and not self.api_key and self.tokens and self.tokens.refresh_token:
                refreshed = True
                if self.refresh_tokens():
                    continue
            if res.status_code in (429, 503) and attempt < self.max_retries:
                wait = retry_after_seconds(res.headers)
                self.sleep(min(wait if wait is not None else self._backoff(attempt), self.max_retry_delay))
                attempt += 1
                continue
            if self._wants_two_factor(spec, res, body, asked):
                asked = True
                code = self.two_factor()
                body = {**(body or {}), spec.tf: code}
                key = str(uuid.uuid4()) if key else None  # a new body: a new idempotency key
                continue
            if res.status_code >= 400:
                self._raise(res)
            return res, self._read(spec, res)

    def _call(self, spec: OperationSpec, path: Dict[str, Any], query: Any = None, body: Any = None, options: Optional[CallOptions] = None) -> Any:
        _, data = self.send(spec, path, query or None, body, options)
        return None if spec.response == "none" else self._unwrap(spec, data)

    def _paginate(self, spec: OperationSpec, path: Dict[str, Any], query: Any = None, body: Any = None, options: Optional[CallOptions] = None) -> Iterator[Any]:
        q = self._page_state(query)
        while True:
            res, data = self.send(spec, path, dict(q), body, options)
            items = self._items(spec, data)
            yield from items if isinstance(items, list) else []
            if not self._next_page(spec, res, data, items, q):
                return


class AsyncTransport(_Core):
    def __init__(self, *args: Any, http_client: Optional[httpx.AsyncClient] = None, sleep: Optional[Callable[[float], Any]] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = http_client or httpx.AsyncClient(timeout=self.timeout)
        self.sleep = sleep or asyncio.sleep
        self._lock = asyncio.Lock()

    async def refresh_tokens(self) -> bool:
        """Rotates the refresh token; concurrent callers share one refresh."""
        before = self.tokens
        async with self._lock:
            if self.tokens is not before and self.tokens is not None:
                return True  # another call refreshed while this one waited
            t = self.tokens
            if self.api_key or not t or not t.refresh_token:
                return False
            try:
                res = await self.http.post(self.origin + REFRESH_PATH, json={"refresh_token": t.refresh_token})
            except httpx.HTTPError:
                return False
            if res.status_code != 200:
                self._set_tokens(None)
                return False
            self.accept_auth(res.json())
            return True

    async def send(self, spec: OperationSpec, path: Dict[str, Any], query: Any = None, body: Any = None, options: Optional[CallOptions] = None) -> "tuple[httpx.Response, Any]":
        options = options or CallOptions()
        key = (options.idempotency_key or str(uuid.uuid4())) if spec.method in WRITES else None
        auth = spec.path not in (LOGIN_PATH, REFRESH_PATH)
        refreshed = False
        asked = False
        if auth and self._needs_refresh():
            refreshed = await self.refresh_tokens()
        url = self._url(spec, path)
        attempt = 0
        while True:
            content = self._content(spec, body)
            headers = {**self._headers(spec, options, key, auth), **content.pop("headers", {})}
            try:
                res = await self.http.request(spec.method, url, params=self._query(query), headers=headers, timeout=options.timeout or self.timeout, **content)
            except httpx.HTTPError as err:
                if (spec.method in SAFE or key) and attempt < self.max_retries:
                    await self.sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                raise ConnectionError(f"{spec.method} {spec.path} failed: {err}") from err
            self._note_bookmark(res)
            if res.status_code == 401 and auth and not refreshed and not self.api_key and self.tokens and self.tokens.refresh_token:
                refreshed = True
                if await self.refresh_tokens():
                    continue
            if res.status_code in (429, 503) and attempt < self.max_retries:
                wait = retry_after_seconds(res.headers)
                await self.sleep(min(wait if wait is not None else self._backoff(attempt), self.max_retry_delay))
                attempt += 1
                continue
            if self._wants_two_factor(spec, res, body, asked):
                asked = True
                code = self.two_factor()
                if asyncio.iscoroutine(code):
                    code = await code
                body = {**(body or {}), spec.tf: code}
                key = str(uuid.uuid4()) if key else None  # a new body: a new idempotency key
                continue
            if res.status_code >= 400:
                self._raise(res)
            return res, self._read(spec, res)

    async def _call(self, spec: OperationSpec, path: Dict[str, Any], query: Any = None, body: Any = None, options: Optional[CallOptions] = None) -> Any:
        _, data = await self.send(spec, path, query or None, body, options)
        return None if spec.response == "none" else self._unwrap(spec, data)

    async def _paginate(self, spec: OperationSpec, path: Dict[str, Any], query: Any = None, body: Any = None, options: Optional[CallOptions] = None) -> AsyncIterator[Any]:
        q = self._page_state(query)
        while True:
            res, data = await self.send(spec, path, dict(q), body, options)
            items = self._items(spec, data)
            for item in items if isinstance(items, list) else []:
                yield item
            if not self._next_page(spec, res, data, items, q):
                return
