"""Fixtures for the sandbox tests: real sandbox processes on loopback, talked to over HTTP with requests."""

from __future__ import annotations

import pytest
import requests

from qtickets_sandbox.testing import SandboxServer


class Api:
    """Thin REST/Partners caller bound to one sandbox (GET with JSON bodies, like the real clients)."""

    def __init__(self, sb: SandboxServer):
        self.sb = sb
        self.http = requests.Session()

    def rest(self, method: str, path: str, body=None, token: str | None = "default", **kw) -> requests.Response:
        headers = {"Accept": "application/json"}
        token = self.sb.token if token == "default" else token
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        kw.setdefault("timeout", 30)
        return self.http.request(method, self.sb.rest_url + path, json=body, headers=headers, **kw)

    def get(self, path: str, body=None, **kw) -> requests.Response:
        return self.rest("GET", path, body, **kw)

    def partners(self, path: str, body=None, method: str = "POST", token: str | None = "default", **kw):
        token = self.sb.partners_token if token == "default" else token
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        kw.setdefault("timeout", 30)
        return self.http.request(method, self.sb.partners_url + path, json=body, headers=headers, **kw)

    def ok(self, resp: requests.Response, status: int = 200):
        assert resp.status_code == status, (resp.status_code, resp.text[:500])
        return resp.json()

    def all_pages(self, path: str, body=None, per_page: int = 1000) -> list:
        out, page = [], 1
        while True:
            data = self.ok(self.get(path, {**(body or {}), "page": page, "perPage": per_page}))
            out.extend(data["data"])
            if page * data["paging"]["perPage"] >= data["paging"]["total"]:
                return out
            page += 1


@pytest.fixture(scope="session")
def shared_sandbox():
    """Read-only tests share one server: never write to it."""
    with SandboxServer(orders=1500, seed=42) as sb:
        yield sb


@pytest.fixture(scope="session")
def api(shared_sandbox) -> Api:
    return Api(shared_sandbox)


@pytest.fixture(scope="module")
def own_sandbox():
    """A private server per test module, for writes, clock moves, faults and payload modes."""
    with SandboxServer(orders=800, seed=7) as sb:
        yield sb


@pytest.fixture(scope="module")
def wapi(own_sandbox) -> Api:
    return Api(own_sandbox)
