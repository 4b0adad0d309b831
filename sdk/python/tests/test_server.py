"""The Python SDK against the real API (the `wrangler dev` of `npm run test:sdk`)."""
import asyncio
import time

import httpx
import pytest

from conftest import PASSWORD
from cryptoorchestrator import AsyncCryptoOrchestratorClient, AuthenticationError, CryptoOrchestratorClient, NotFoundError
from cryptoorchestrator._transport import Tokens


def test_authenticate_then_rotate_the_refresh_token_when_the_access_token_is_refused(origin, email):
    client = CryptoOrchestratorClient(f"{origin}/api")
    auth = client.authenticate(email, PASSWORD)
    assert auth["access_token"]
    first = client.tokens
    client.transport.tokens = Tokens("not-a-token", first.refresh_token, None)
    assert client.users.get_me().email == email
    assert client.tokens.refresh_token != first.refresh_token
    stale = CryptoOrchestratorClient(origin, access_token="not-a-token", refresh_token=first.refresh_token)
    with pytest.raises(AuthenticationError):
        stale.users.get_me()


def test_api_key_authentication(origin, email):
    client = CryptoOrchestratorClient(origin)
    client.authenticate(email, PASSWORD)
    created = client.api_keys.create(name="sdk py", scopes=["read", "write"])
    assert created.key.startswith("mk_")
    keyed = CryptoOrchestratorClient(origin, api_key=created.key)
    assert keyed.users.get_me().email == email


def test_a_lost_write_is_retried_once_with_its_key(origin, email):
    state = {"lost": False}

    class Flaky(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = super().handle_request(request)
            if not state["lost"] and request.method == "POST" and request.url.path == "/api/v1/watchlists":
                response.read()
                state["lost"] = True  # the API did the work; the answer never arrived
                raise httpx.ReadError("connection reset", request=request)
            return response

    client = CryptoOrchestratorClient(origin, http_client=httpx.Client(transport=Flaky()), sleep=lambda s: None)
    client.authenticate(email, PASSWORD)
    name = f"Retried py {time.time()}"
    created = client.watchlists.create(name=name, assets=["BTC", "ETH"])
    assert state["lost"]
    mine = [w.id for w in client.watchlists.list().watchlists if w.name == name]
    assert mine == [created.id]


def test_list_all_walks_every_page(origin):
    client = CryptoOrchestratorClient(origin)
    everything = [a.symbol for a in client.assets.list(limit=1000).assets]
    walked = [a.symbol for a in client.assets.list_all(limit=4)]
    assert len(everything) > 8 and walked == everything


def test_typed_errors(origin):
    with pytest.raises(NotFoundError) as info:
        CryptoOrchestratorClient(origin).assets.get("NO-SUCH-ASSET")
    assert "NOT_FOUND" in info.value.code and info.value.request_id


def test_async_client_and_socket_resume(origin, tick):
    async def run() -> None:
        async with AsyncCryptoOrchestratorClient(origin) as client:
            assert (await client.health.get()).status
            async with client.live("/ws/market-data", symbols=["*"]) as feed:
                async for message in feed:
                    if message["type"] == "subscribed":
                        break
                await asyncio.to_thread(tick)
                async for message in feed:
                    if message["type"] == "price_update":
                        break
                before = feed.last_seq
                assert before and before > 0
                await feed.disconnect()
                await asyncio.sleep(1.5)  # the market clock moves on
                await asyncio.to_thread(tick)  # published while we are away
                await feed.resume()
                async for message in feed:
                    if message["type"] in ("resumed", "reset"):
                        assert message["type"] == "resumed"
                        assert message["from"] == before + 1
                        assert message["to"] >= before + 1
                        assert feed.last_seq == message["to"]
                        break

    asyncio.run(asyncio.wait_for(run(), 60))


def test_socket_refreshes_a_refused_token(origin, email):
    async def run() -> None:
        async with AsyncCryptoOrchestratorClient(origin) as client:
            await client.authenticate(email, PASSWORD)
            client.transport.tokens = Tokens("expired-token", client.tokens.refresh_token, None)
            async with client.live("/ws/notifications") as feed:
                async for message in feed:
                    if message["type"] == "welcome":
                        break
            assert client.tokens.access_token != "expired-token"

    asyncio.run(asyncio.wait_for(run(), 60))
