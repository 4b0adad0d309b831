"""The Meridian API's Python SDK, under the names seed 002 documents (``cryptoorchestrator-sdk``)."""
from ._transport import CallOptions, Tokens
from ._version import VERSION
from .client import AsyncCryptoOrchestratorClient, CryptoOrchestratorClient
from .errors import (
    AuthenticationError,
    ConflictError,
    ConnectionError,
    CryptoOrchestratorError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from .live import LiveConnection

__version__ = VERSION
__all__ = [
    "AsyncCryptoOrchestratorClient",
    "AuthenticationError",
    "CallOptions",
    "ConflictError",
    "ConnectionError",
    "CryptoOrchestratorClient",
    "CryptoOrchestratorError",
    "LiveConnection",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "Tokens",
    "ValidationError",
    "VERSION",
]
