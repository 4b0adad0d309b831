"""CryptoOrchestratorClient (sync) and AsyncCryptoOrchestratorClient, as seed 002 documents them."""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional

import httpx

from ._namespaces import AsyncNamespaces, Namespaces
from ._transport import AsyncTransport, CallOptions, OperationSpec, SyncTransport, Tokens
from .live import LiveConnection

_LOGIN = OperationSpec("POST", "/api/v1/auth/login", "json", False, None, "application/json", "totp_code")


def _login_body(email: str, password: str, totp_code: Optional[str]) -> Dict[str, Any]:
    body: Dict[str, Any] = {"email": email, "password": password}
    if totp_code:
        body["totp_code"] = totp_code
    return body


class CryptoOrchestratorClient(Namespaces):
    """The Meridian API client. Every operation of /openapi.json is a method of a namespace
    (``client.bots.list()``, ``client.dex.get_quote(...)``); ``request()`` reaches any path by hand."""

    def __init__(
        self,
        base_url: str,
        api_key: Optional[str] = None,
        *,
        access_token: Optional[str] = None,
        refresh_token: Optional[str] = None,
        on_tokens: Optional[Callable[[Optional[Tokens]], None]] = None,
        max_retries: int = 3,
        max_retry_delay: float = 30.0,
        timeout: float = 30.0,
        api_version: int = 1,
        headers: Optional[Dict[str, str]] = None,
        two_factor: Optional[Callable[[], str]] = None,
        http_client: Optional[httpx.Client] = None,
        sleep: Optional[Callable[[float], None]] = None,
    ) -> None:
        self.transport = SyncTransport(
            base_url,
            api_key,
            access_token=access_token,
            refresh_token=refresh_token,
            on_tokens=on_tokens,
            max_retries=max_retries,
            max_retry_delay=max_retry_delay,
            timeout=timeout,
            api_version=api_version,
            headers=headers,
            two_factor=two_factor,
            http_client=http_client,
            sleep=sleep,
        )
        super().__init__(self.transport)

    def authenticate(self, email: str, password: str, totp_code: Optional[str] = None) -> Dict[str, Any]:
        """Signs in; later calls carry the access token, refreshed by refresh-token rotation."""
        body = self.transport._call(_LOGIN, {}, None, _login_body(email, password, totp_code))
        self.transport.accept_auth(body)
        return body

    @property
    def tokens(self) -> Optional[Tokens]:
        return self.transport.tokens

    def request(self, method: str, path: str, *, path_params: Optional[Dict[str, Any]] = None, query: Optional[Dict[str, Any]] = None, body: Any = None, options: Optional[CallOptions] = None) -> Any:
        """Any path by hand: ``request("GET", "/api/v1/assets/{asset_id}", path_params={"asset_id": "BTC"})``."""
        spec = OperationSpec(method.upper(), path, "json", True, None, "application/json")
        return self.transport._call(spec, path_params or {}, query, body, options)

    def live(self, path: str, **kwargs: Any) -> LiveConnection:
        """A live topic (async): ``async with client.live("/ws/market-data", symbols=["BTC/USD"]) as feed``."""
        return LiveConnection(self.transport, path, **kwargs)

    def close(self) -> None:
        self.transport.http.close()

    def __enter__(self) -> "CryptoOrchestratorClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncCryptoOrchestratorClient(AsyncNamespaces):
    """The same client for asyncio: every method is a coroutine, ``*_all`` lists are async iterators."""

    def __init__(
        self,
        base_url: str,
        api_key: Optional[str] = None,
        *,
        access_token: Optional[str] = None,
        refresh_token: Optional[str] = None,
        on_tokens: Optional[Callable[[Optional[Tokens]], None]] = None,
        max_retries: int = 3,
        max_retry_delay: float = 30.0,
        timeout: float = 30.0,
        api_version: int = 1,
        headers: Optional[Dict[str, str]] = None,
        two_factor: Optional[Callable[[], Any]] = None,
        http_client: Optional[httpx.AsyncClient] = None,
        sleep: Optional[Callable[[float], Any]] = None,
    ) -> None:
        self.transport = AsyncTransport(
            base_url,
            api_key,
            access_token=access_token,
            refresh_token=refresh_token,
            on_tokens=on_tokens,
            max_retries=max_retries,
            max_retry_delay=max_retry_delay,
            timeout=timeout,
            api_version=api_version,
            headers=headers,
            two_factor=two_factor,
            http_client=http_client,
            sleep=sleep,
        )
        super().__init__(self.transport)

    async def authenticate(self, email: str, password: str, totp_code: Optional[str] = None) -> Dict[str, Any]:
        body = await self.transport._call(_LOGIN, {}, None, _login_body(email, password, totp_code))
        self.transport.accept_auth(body)
        return body

    @property
    def tokens(self) -> Optional[Tokens]:
        return self.transport.tokens

    async def request(self, method: str, path: str, *, path_params: Optional[Dict[str, Any]] = None, query: Optional[Dict[str, Any]] = None, body: Any = None, options: Optional[CallOptions] = None) -> Any:
        spec = OperationSpec(method.upper(), path, "json", True, None, "application/json")
        return await self.transport._call(spec, path_params or {}, query, body, options)

    def live(self, path: str, **kwargs: Any) -> LiveConnection:
        return LiveConnection(self.transport, path, **kwargs)

    async def aclose(self) -> None:
        await self.transport.http.aclose()

    async def __aenter__(self) -> "AsyncCryptoOrchestratorClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()
