"""The QTickets connection as a Dagster resource: settings in, one QTicketsClient out."""

from __future__ import annotations

import os

import dagster as dg
from pydantic import Field

from .api import DEFAULT_MAX_CONCURRENCY, DEFAULT_PAGE_SIZE, DEFAULT_REQUESTS_PER_SECOND, QTicketsClient


class QTicketsResource(dg.ConfigurableResource):
    """QTickets REST + Partners connection settings. Build it with `QTicketsResource.from_env()`."""

    base_url: str = Field(description="REST v1 base, e.g. https://qtickets.ru/api/rest/v1 (QTICKETS_BASE_URL)")
    token: str = Field(description="organiser REST token (QTICKETS_TOKEN)")
    partners_base_url: str = Field(
        default="", description="Partners v1 base (QTICKETS_PARTNERS_BASE_URL); empty = derived from base_url"
    )
    partners_token: str = Field(default="", description="Partners API key (QTICKETS_PARTNERS_TOKEN)")
    requests_per_second: float = DEFAULT_REQUESTS_PER_SECOND
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    timeout_seconds: float = 30.0
    max_retries: int = 6
    page_size: int = DEFAULT_PAGE_SIZE
    allow_writes: bool = False
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 20.0

    @classmethod
    def from_env(cls, **overrides) -> QTicketsResource:
        """Settings from QTICKETS_* (EnvVar: resolved at run time, never stored in the definitions).
        The Partners variables are optional: without them the Partners base is derived from the REST base
        and Partners assets fail with a WRONG_AUTHORIZATION message naming QTICKETS_PARTNERS_TOKEN."""
        settings = dict(base_url=dg.EnvVar("QTICKETS_BASE_URL"), token=dg.EnvVar("QTICKETS_TOKEN"))
        for field_name, env in (
            ("partners_base_url", "QTICKETS_PARTNERS_BASE_URL"),
            ("partners_token", "QTICKETS_PARTNERS_TOKEN"),
        ):
            if os.environ.get(env):
                settings[field_name] = dg.EnvVar(env)
        settings.update(overrides)
        return cls(**settings)

    def get_client(self) -> QTicketsClient:
        return QTicketsClient(
            self.base_url,
            self.token,
            self.partners_base_url,
            self.partners_token,
            requests_per_second=self.requests_per_second,
            max_concurrency=self.max_concurrency,
            timeout_seconds=self.timeout_seconds,
            max_retries=self.max_retries,
            page_size=self.page_size,
            allow_writes=self.allow_writes,
            backoff_base_seconds=self.backoff_base_seconds,
            backoff_max_seconds=self.backoff_max_seconds,
        )
