"""The Python SDK's tests run against the `wrangler dev` that `npm run test:sdk` starts (SDK_ORIGIN)."""
import os
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "sdk-password-1"


@pytest.fixture(scope="session")
def origin() -> str:
    value = os.environ.get("SDK_ORIGIN")
    assert value, "run through `npm run test:sdk`, which starts the server"
    return value


@pytest.fixture(scope="session")
def email(origin: str) -> str:
    address = f"sdk-py-{int(time.time())}-{uuid.uuid4().hex[:6]}@example.com"
    res = httpx.post(f"{origin}/api/v1/auth/register", json={"email": address, "password": PASSWORD})
    assert res.status_code == 201, res.text
    return address


@pytest.fixture(scope="session")
def tick(origin: str):
    """One replay tick, as the minute cron runs it: it publishes prices."""

    def run() -> None:
        res = httpx.get(f"{origin}/__scheduled?cron={quote('* * * * *')}", timeout=60)
        assert res.status_code == 200, res.text

    return run
