"""Retries, refresh, idempotency keys, envelopes and pages against scripted answers (httpx.MockTransport)."""
import json
from typing import Any, Callable, Dict, List

import httpx
import pytest

from cryptoorchestrator import (
    AsyncCryptoOrchestratorClient,
    AuthenticationError,
    CallOptions,
    ConnectionError,
    CryptoOrchestratorClient,
    NotFoundError,
    RateLimitError,
    ServerError,
)


def error_body(code: str, status: int) -> Dict[str, Any]:
    return {
        "success": False,
        "error": {"code": code, "message": f"{code} happened", "status_code": status, "classification": "user_error", "suggestion": "Try again later"},
        "request_id": "req_123",
    }


def scripted(answers: List[Any]):
    seen: List[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if callable(answer):
            answer = answer(request)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return seen, httpx.MockTransport(handler)


def client_for(answers: List[Any], **kwargs: Any):
    seen, transport = scripted(answers)
    delays: List[float] = []
    client = CryptoOrchestratorClient("http://api.test", http_client=httpx.Client(transport=transport), sleep=delays.append, **kwargs)
    return client, seen, delays


def test_429_waits_as_retry_after_says_and_reuses_the_idempotency_key():
    client, seen, delays = client_for(
        [
            httpx.Response(429, json=error_body("RATE_LIMITED", 429), headers={"Retry-After": "2"}),
            httpx.Response(201, json={"success": True, "data": {"id": "wl_1", "name": "Majors"}, "meta": {}}),
        ],
        api_key="mk_x",
    )
    created = client.watchlists.create(name="Majors")
    assert created.id == "wl_1"
    assert delays == [2.0]
    keys = [r.headers["Idempotency-Key"] for r in seen]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert seen[0].headers["Authorization"] == "Bearer mk_x"
    assert json.loads(seen[0].content) == {"name": "Majors"}


def test_503_backs_off_then_raises_a_typed_error():
    client, _, delays = client_for([httpx.Response(503, json=error_body("UNAVAILABLE", 503)) for _ in range(4)])
    with pytest.raises(ServerError) as info:
        client.health.get()
    assert delays == [0.5, 1.0, 2.0]
    assert (info.value.code, info.value.request_id, info.value.status) == ("UNAVAILABLE", "req_123", 503)


def test_429_after_the_retries_reports_retry_after():
    client, _, _ = client_for(
        [httpx.Response(429, json=error_body("RATE_LIMITED", 429), headers={"Retry-After": "7"}) for _ in range(2)],
        max_retries=1,
    )
    with pytest.raises(RateLimitError) as info:
        client.assets.list()
    assert info.value.retry_after == 7.0
    assert info.value.suggestion == "Try again later"


def test_a_lost_write_is_retried_with_the_same_key():
    client, seen, _ = client_for(
        [httpx.ConnectError("reset"), httpx.Response(201, json={"success": True, "data": {"id": "a1"}, "meta": {}})]
    )
    client.alerts.create(asset_id="BTC", options=CallOptions(idempotency_key="my-key"))
    assert [r.headers["Idempotency-Key"] for r in seen] == ["my-key", "my-key"]


def test_network_failures_end_in_connection_error():
    client, _, _ = client_for([httpx.ConnectError("down"), httpx.ConnectError("down")], max_retries=1)
    with pytest.raises(ConnectionError):
        client.health.get()


def test_401_refreshes_rotates_and_retries():
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/auth/refresh":
            assert json.loads(request.content) == {"refresh_token": "r1"}
            return httpx.Response(200, json={"access_token": "a2", "refresh_token": "r2", "expires_in": 900})
        if request.headers.get("Authorization") == "Bearer a2":
            return httpx.Response(200, json={"success": True, "data": {"portfolios": []}, "meta": {}})
        return httpx.Response(401, json=error_body("TOKEN_EXPIRED", 401))

    kept = []
    client, seen, _ = client_for([answer] * 3, access_token="a1", refresh_token="r1", on_tokens=kept.append)
    assert client.portfolios.list().portfolios == []
    assert [r.url.path for r in seen] == ["/api/v1/portfolios", "/api/v1/auth/refresh", "/api/v1/portfolios"]
    assert client.tokens.refresh_token == "r2" and kept[-1].access_token == "a2"


def test_a_refused_refresh_forgets_the_tokens():
    client, _, _ = client_for(
        [httpx.Response(401, json=error_body("TOKEN_EXPIRED", 401)), httpx.Response(401, json=error_body("INVALID_REFRESH_TOKEN", 401))],
        access_token="a1",
        refresh_token="r1",
    )
    with pytest.raises(AuthenticationError):
        client.users.get_me()
    assert client.tokens is None


def test_not_found_is_typed():
    client, _, _ = client_for([httpx.Response(404, json=error_body("ASSET_NOT_FOUND", 404))])
    with pytest.raises(NotFoundError) as info:
        client.assets.get("NOPE")
    assert info.value.code == "ASSET_NOT_FOUND"


def test_pages_follow_the_link_header():
    def page(ids: List[int], more: bool) -> httpx.Response:
        headers = {"Link": '</api/trades?offset=2>; rel="next"'} if more else {}
        return httpx.Response(200, json=[{"id": str(i)} for i in ids], headers=headers)

    client, seen, _ = client_for([page([1, 2], True), page([3], False)], api_key="mk_x")
    assert [t.id for t in client.trades.list_all(limit=2)] == ["1", "2", "3"]
    assert [r.url.params["offset"] for r in seen] == ["0", "2"]


def test_the_async_client_unwraps_the_v2_envelope():
    seen, transport = scripted([httpx.Response(200, json={"success": True, "data": {"mode": "paper"}, "meta": {"version": "2.0"}})])

    async def run() -> Any:
        async with AsyncCryptoOrchestratorClient("http://api.test/api", api_version=2, http_client=httpx.AsyncClient(transport=transport)) as client:
            return await client.portfolio.get("paper")

    import asyncio

    result = asyncio.run(run())
    assert result.mode == "paper"
    assert seen[0].headers["X-API-Version"] == "2.0"
    assert seen[0].url.path == "/api/portfolio/paper"


def test_sends_back_the_newest_d1_bookmark_so_later_reads_see_this_clients_writes():
    older = "00000000-00000010-00000000-00000000000000000000000000000000"
    newer = "00000000-00000012-00000000-00000000000000000000000000000000"
    empty = {"success": True, "data": {"watchlists": []}, "meta": {}}
    client, seen, _ = client_for(
        [
            httpx.Response(201, json={"success": True, "data": {"id": "wl_1", "name": "Majors"}, "meta": {}}, headers={"X-D1-Bookmark": newer}),
            httpx.Response(200, json=empty, headers={"X-D1-Bookmark": older}),
            httpx.Response(200, json=empty),
        ],
        api_key="mk_x",
    )
    client.watchlists.create(name="Majors")
    client.watchlists.list()
    client.watchlists.list()
    assert [r.headers.get("X-D1-Bookmark") for r in seen] == [None, newer, newer]
