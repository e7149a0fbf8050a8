"""`serve --transport http` as an OAuth 2.1 resource server: JWTs of a local issuer, checked end to end.

The matrix (each case's status is asserted): no token 401, expired 401, wrong audience 401, wrong issuer
401, bad signature 401, `alg` none / HS256 401, rotated key 200 (the JWKS is fetched again once), forged
kids 401 without further fetches, missing scope 403, good token 200 through the official `mcp` client,
and the static `AWSINV_AUTH_TOKEN` still 200.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx2
import jwt
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.http_server import INIT, MCP_HEADERS, free_port, server_env, wait_healthy
from tests.oauth_issuer import LocalIssuer, new_key

SCOPE = "awsinv:read"
STATIC = "static-token-for-simple-setups"


@dataclass
class Protected:
    issuer: LocalIssuer
    base: str

    @property
    def resource(self) -> str:
        return f"{self.base}/mcp"

    def post(self, token: str | None) -> httpx2.Response:
        headers = dict(MCP_HEADERS)
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        return httpx2.post(self.resource, json=INIT, headers=headers, timeout=10)

    def good(self, **claims: object) -> str:
        return self.issuer.mint(**{"aud": self.resource, "scope": f"openid {SCOPE}", **claims})


@pytest.fixture(scope="module")
def protected() -> Iterator[Protected]:
    with LocalIssuer() as issuer:
        port = free_port()
        env = server_env(AWSINV_AUTH_ISSUER=issuer.url, AWSINV_AUTH_SCOPES=SCOPE, AWSINV_AUTH_TOKEN=STATIC)
        proc = subprocess.Popen(
            [sys.executable, "-m", "awsinv_mcp", "serve", "--transport", "http", "--port", str(port)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
            yield Protected(issuer, f"http://127.0.0.1:{port}")
        finally:
            proc.terminate()
            _, err = proc.communicate(timeout=10)
        assert STATIC not in err and "eyJ" not in err  # neither the static token nor a JWT is ever logged


def test_no_token_is_401_with_resource_metadata(protected: Protected) -> None:
    response = protected.post(None)
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    metadata_url = f"{protected.base}/.well-known/oauth-protected-resource/mcp"
    assert challenge.startswith("Bearer ") and f'resource_metadata="{metadata_url}"' in challenge
    metadata = httpx2.get(metadata_url, timeout=10).json()
    assert metadata["resource"] == protected.resource
    assert metadata["authorization_servers"] == [protected.issuer.url]
    assert metadata["scopes_supported"] == [SCOPE]


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("expired", 401),
        ("wrong_audience", 401),
        ("wrong_issuer", 401),
        ("bad_signature", 401),
        ("no_expiry", 401),
        ("alg_none", 401),
        ("alg_hs256_with_public_key", 401),
        ("missing_scope", 403),
        ("good", 200),
        ("static_token", 200),
    ],
)
def test_token_matrix(protected: Protected, case: str, status: int) -> None:
    issuer, now = protected.issuer, int(time.time())
    tokens = {
        "expired": lambda: protected.good(exp=now - 600, iat=now - 900),
        "wrong_audience": lambda: issuer.mint(aud="https://other.example/mcp", scope=SCOPE),
        "wrong_issuer": lambda: protected.good(iss="https://evil.example"),
        "bad_signature": lambda: protected.good(key=new_key()),
        "no_expiry": lambda: protected.good(exp=None),
        "alg_none": lambda: jwt.encode(
            {"iss": issuer.url, "aud": protected.resource, "exp": now + 60, "scope": SCOPE},
            None,
            algorithm="none",
            headers={"kid": issuer.kid},
        ),
        "alg_hs256_with_public_key": lambda: _hs256_confusion(protected),
        "missing_scope": lambda: issuer.mint(aud=protected.resource, scope="openid"),
        "good": lambda: protected.good(),
        "static_token": lambda: STATIC,
    }
    response = protected.post(tokens[case]())
    assert response.status_code == status, (case, response.status_code, response.text)
    if status == 403:
        assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
    if status == 401:
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


def _hs256_confusion(protected: Protected) -> str:
    """The classic key-confusion forgery: HMAC-signed with the issuer's *public* key as the secret."""
    from cryptography.hazmat.primitives import serialization

    public_pem = protected.issuer.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    body = {"iss": protected.issuer.url, "aud": protected.resource, "exp": int(time.time()) + 60, "scope": SCOPE}
    header = {"alg": "HS256", "kid": protected.issuer.kid, "typ": "JWT"}
    signing_input = b".".join(
        jwt.utils.base64url_encode(json.dumps(part, separators=(",", ":")).encode()) for part in (header, body)
    )
    import hashlib
    import hmac

    signature = jwt.utils.base64url_encode(hmac.new(public_pem, signing_input, hashlib.sha256).digest())
    return (signing_input + b"." + signature).decode()


def test_rotated_key_is_fetched_once_and_forged_kids_do_not_hammer_the_issuer(protected: Protected) -> None:
    assert protected.post(protected.good()).status_code == 200
    before = protected.issuer.jwks_fetches
    protected.issuer.rotate()
    rotated = protected.post(protected.good())
    assert rotated.status_code == 200, rotated.text
    assert protected.issuer.jwks_fetches == before + 1
    for n in range(5):  # unknown kids within the cool-down: refused from the cache, no new fetch
        assert protected.post(protected.good(kid=f"forged-{n}")).status_code == 401
    assert protected.issuer.jwks_fetches == before + 1


@pytest.mark.anyio
async def test_good_token_through_the_official_client(protected: Protected) -> None:
    token = protected.good()
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http,
        Client(streamable_http_client(protected.resource, http_client=http)) as client,
    ):
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"get_inventory_summary", "list_db_instances", "run_query"} <= names
        summary = await client.call_tool("get_inventory_summary", {})
        assert not summary.is_error and summary.structured_content["source"] == "synthetic"


def test_web_api_accepts_the_same_tokens(protected: Protected) -> None:
    from starlette.testclient import TestClient

    from awsinv_mcp.clients.web.app import create_app
    from awsinv_mcp.config import Settings
    from awsinv_mcp.server.auth import oauth_from_settings
    from tests.web_stub import stub_server

    settings = Settings(source="synthetic", auth_issuer=protected.issuer.url, auth_scopes=SCOPE)
    oauth = oauth_from_settings(settings, protected.resource)
    app = create_app(settings, mcp_target=stub_server(30), oauth=oauth)
    with TestClient(app, base_url="http://127.0.0.1") as web:

        def status(token: str | None) -> int:
            headers = {"authorization": f"Bearer {token}"} if token else {}
            return web.get("/api/v1/inventory/summary", headers=headers).status_code

        assert status(None) == 401
        assert status(protected.good()) == 200
        assert status(protected.issuer.mint(aud=protected.resource, scope="openid")) == 403
        assert status(protected.good(aud="https://other.example/mcp")) == 401
        assert web.get("/healthz").status_code == 200


@pytest.mark.anyio
async def test_a_failed_jwks_fetch_keeps_the_last_good_keys() -> None:
    from awsinv_mcp.server.auth import JWKSCache

    key = new_key()
    public = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    answers = [
        httpx2.Response(200, json={"keys": [{**public, "kid": "k1"}]}),
        httpx2.Response(503),
        httpx2.Response(200, json={"keys": []}),
    ]
    transport = httpx2.MockTransport(lambda request: answers.pop(0))
    async with httpx2.AsyncClient(transport=transport) as http:
        cache = JWKSCache(
            issuer="https://idp.example", jwks_url="https://idp.example/jwks", ttl_s=0.0, cooldown_s=0.0, client=http
        )
        assert (await cache.key("k1")) is not None  # first fetch
        assert (await cache.key("k1")) is not None  # TTL 0: fetched again, 503, the cached key stays
        assert (await cache.key("k1")) is not None  # an empty JWKS is a failure too
    assert cache.fetches == 3 and not answers


@pytest.mark.anyio
async def test_a_failing_issuer_is_not_asked_again_on_every_request() -> None:
    from awsinv_mcp.server.auth import JWKSCache

    transport = httpx2.MockTransport(lambda request: httpx2.Response(503))
    async with httpx2.AsyncClient(transport=transport) as http:
        cache = JWKSCache(issuer="https://idp.example", jwks_url="https://idp.example/jwks", ttl_s=600, client=http)
        for _ in range(10):
            assert await cache.key("k1") is None
    assert cache.fetches == 2  # the first attempt, one refetch for the unknown kid; then the cool-down holds


@pytest.mark.anyio
async def test_discovery_refuses_metadata_of_another_issuer() -> None:
    from awsinv_mcp.server.auth import JWKSCache

    transport = httpx2.MockTransport(lambda request: httpx2.Response(200, json={"issuer": "https://evil.example"}))
    async with httpx2.AsyncClient(transport=transport) as http:
        cache = JWKSCache(issuer="https://idp.example", jwks_url=None, ttl_s=60, client=http)
        assert await cache.key("any") is None


def test_settings_that_cannot_work_are_refused_in_one_line() -> None:
    from awsinv_mcp.config import Settings
    from awsinv_mcp.server.auth import AuthConfigError, oauth_from_settings

    with pytest.raises(AuthConfigError, match="AWSINV_AUTH_ISSUER must be an https://"):
        oauth_from_settings(Settings(auth_issuer="http://idp.example"), "http://127.0.0.1:5001/mcp")
    with pytest.raises(AuthConfigError, match="need AWSINV_AUTH_ISSUER"):
        oauth_from_settings(Settings(auth_scopes="awsinv:read"), "http://127.0.0.1:5001/mcp")
    assert oauth_from_settings(Settings(), "http://127.0.0.1:5001/mcp") is None
    with pytest.raises(AuthConfigError, match="needs AWSINV_PUBLIC_URL"):
        oauth_from_settings(Settings(auth_issuer="https://idp.example"), "http://0.0.0.0:5001/mcp")
    proc = subprocess.run(
        [sys.executable, "-m", "awsinv_mcp", "serve", "--transport", "http", "--port", str(free_port())],
        env=server_env(AWSINV_AUTH_ISSUER="http://idp.example"), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        "awsinv-mcp: AWSINV_AUTH_ISSUER must be an https:// URL (plain http is accepted on loopback only): "
        "http://idp.example"
    ]
