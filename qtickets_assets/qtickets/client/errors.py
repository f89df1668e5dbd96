"""Typed errors of the QTickets client.

Every message says which setting to fix and never contains a token: messages are built from our own
words plus values that went through `redact_secrets` (a requests exception can carry the request and its
Authorization header, so it is never re-raised raw).
"""

from __future__ import annotations


class QTicketsError(Exception):
    """Base class: `str(err)` is one clear, token-free sentence."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def __str__(self) -> str:
        return self.message


class WrongAuthorization(QTicketsError):
    """REST 403 WRONG_AUTHORIZATION, or a Partners body with code WRONG_AUTHORIZATION."""


class ResourceNotFound(QTicketsError):
    """JSON 404 RESOURCE_NOT_FOUND: the route exists, the object does not."""


class RouteNotFound(QTicketsError):
    """HTML (non-JSON) 404: the path is not a QTickets route at all (wrong base URL or endpoint)."""


class PartnersError(QTicketsError):
    """A Partners API `{"status":"error","code":…,"message":…}` answer (always HTTP 200)."""


class ApiRequestError(QTicketsError):
    """Any other non-retryable HTTP error (for example a 4xx VALIDATION_ERROR)."""


class ApiUnavailable(QTicketsError):
    """Transport faults, 429 or 5xx persisted through every retry."""


class BadPayload(QTicketsError):
    """The answer could not be parsed as the expected JSON even after retries."""


class WritesDisabled(QTicketsError):
    """A write operation was requested while `allow_writes` is False."""


# Which environment variable holds each setting (messages name the one to fix).
SETTING_ENV = {
    "rest": {"token": "QTICKETS_TOKEN", "base_url": "QTICKETS_BASE_URL"},
    "partners": {"token": "QTICKETS_PARTNERS_TOKEN", "base_url": "QTICKETS_PARTNERS_BASE_URL"},
}
