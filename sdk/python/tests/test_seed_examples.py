"""Seed 002's "Python SDK Example", run as written against the real API.

What the example leaves to the reader is set up first: an account with an API key, two-factor
authentication on (swaps over $100 need a code; the client is given an authenticator, as a
user's app would be) and the 1,000 USDC its swap sells, bought into the paper account.
"""
import base64
import hashlib
import hmac
import struct
import time
import uuid

from cryptoorchestrator import CryptoOrchestratorClient

PASSWORD = "sdk-example-password-1"


def totp(secret: str, step: int) -> str:
    """RFC 6238 TOTP (SHA-1, 6 digits, 30 s) for one time step."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def authenticator(secret: str):
    """A fresh code each time, never a time step already used (the API refuses reuse).

    The API takes the previous, current or next 30-s step, so three codes need no wait; a
    code is never made in the last 2 s of a step, so it is still valid when it arrives.
    """
    last = [0]

    def code() -> str:
        while True:
            if time.time() % 30 > 28:
                time.sleep(30 - time.time() % 30 + 0.05)
            now = int(time.time() // 30)
            step = max(now - 1, last[0] + 1)
            if step <= now + 1:
                last[0] = step
                return totp(secret, step)
            time.sleep(0.5)

    return code


def test_the_python_sdk_example_runs_as_written(origin):
    email = f"sdk-py-example-{uuid.uuid4().hex[:10]}@example.com"
    setup = CryptoOrchestratorClient(origin)
    setup.auth.register(email=email, password=PASSWORD)
    setup.authenticate(email, PASSWORD)
    api_key = setup.api_keys.create(name="seed example", scopes=["read", "write"]).key
    two_factor = authenticator(setup.auth.enroll2fa().secret)
    setup.auth.verify2fa(code=two_factor())
    setup.trades.create(symbol="USDC/USD", side="buy", amount="1000", price="1", mode="paper")
    printed = []
    print_ = printed.append

    # --- the seed's example, as written (its base URL, key and credentials are this test's) ---
    # Initialize client
    client = CryptoOrchestratorClient(
        base_url=f"{origin}/api",
        api_key=api_key,
        two_factor=two_factor,
    )

    # Or use token authentication
    client = CryptoOrchestratorClient(
        base_url=f"{origin}/api",
        two_factor=two_factor,
    )
    client.authenticate(email, PASSWORD)

    # Get all bots
    bots = client.bots.list()
    for bot in bots:
        print_(f"Bot: {bot.name} - Status: {bot.status}")

    # Create a bot
    new_bot = client.bots.create(
        name="My Trading Bot",
        symbol="BTC/USD",
        strategy="momentum",
        mode="paper"
    )

    # Start bot
    client.bots.start(new_bot.id)

    # Get DEX quote
    quote = client.dex.get_quote(
        sell_token="0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
        buy_token="0xdAC17F958D2ee523a2206206994597C13D831ec7",
        sell_amount="1000000000",
        chain_id=1
    )

    # Execute swap
    swap = client.dex.swap(
        sell_token="0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
        buy_token="0xdAC17F958D2ee523a2206206994597C13D831ec7",
        sell_amount="1000000000",
        chain_id=1,
        custodial=True
    )

    # Poll for swap status
    status = client.dex.get_swap_status(swap.trade_id)
    while status.status == "pending":
        time.sleep(2)
        status = client.dex.get_swap_status(swap.trade_id)
    # --- end of the example ---

    assert printed == []  # a new account has no bots yet
    assert (new_bot.name, new_bot.trading_pair, new_bot.strategy, new_bot.status) == ("My Trading Bot", "BTC/USD", "momentum", "stopped")
    assert client.bots.get(new_bot.id).status == "running"
    assert quote.sell_amount == "1000000000" and quote.simulated and int(quote.buy_amount) > 0
    assert swap.trade_id.startswith("trade_")
    assert status.status == "confirmed" and status.trade_id == swap.trade_id
    assert [b.name for b in client.bots.list()] == ["My Trading Bot"]
