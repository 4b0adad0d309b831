"""Typed errors carrying the API's error shape: code, request id, suggestion."""
from __future__ import annotations

from typing import Any, Optional


class CryptoOrchestratorError(Exception):
    """An error answered by the API."""

    def __init__(self, status: int, body: Any, request_id: Optional[str]) -> None:
        error = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), dict) else {}
        self.status = status
        self.code: str = error.get("code") or f"HTTP_{status}"
        self.message: str = error.get("message") or f"HTTP {status}"
        self.request_id: Optional[str] = (body.get("request_id") if isinstance(body, dict) else None) or request_id
        self.suggestion: Optional[str] = error.get("suggestion")
        self.details: Any = error.get("details")
        self.body = body
        super().__init__(f"{self.code}: {self.message}")


class ValidationError(CryptoOrchestratorError):
    """400 and 422: the request was not valid; ``details`` names the field."""


class AuthenticationError(CryptoOrchestratorError):
    """401: no credentials, or they expired and could not be refreshed."""


class PermissionDeniedError(CryptoOrchestratorError):
    """403: signed in, but not allowed."""


class NotFoundError(CryptoOrchestratorError):
    """404: no such object, or it belongs to someone else."""


class ConflictError(CryptoOrchestratorError):
    """409: a conflict (a duplicate, an idempotency key reused with another body)."""


class RateLimitError(CryptoOrchestratorError):
    """429 after the retries ran out; ``retry_after`` in seconds when the API said."""

    retry_after: Optional[float] = None


class ServerError(CryptoOrchestratorError):
    """5xx after the retries ran out."""


class ConnectionError(Exception):  # noqa: A001 - the SDK's own, like httpx's
    """The request never got an answer (network failure, timeout)."""


def error_for(status: int, body: Any, request_id: Optional[str]) -> CryptoOrchestratorError:
    cls = {
        400: ValidationError,
        422: ValidationError,
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        409: ConflictError,
        429: RateLimitError,
    }.get(status, ServerError if status >= 500 else CryptoOrchestratorError)
    return cls(status, body, request_id)
