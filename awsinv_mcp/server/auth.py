"""OAuth 2.1 resource server for the HTTP transports: JWT access tokens checked against the issuer's JWKS.

`oauth_from_settings()` turns `AWSINV_AUTH_*` into the SDK's `AuthSettings` plus a `TokenVerifier`
(`mcp.server.auth`), which `MCPServer` wires into `/mcp`: 401 with
`WWW-Authenticate: Bearer ... resource_metadata=...` for a missing or invalid token, 403 for a valid
token without the required scopes, and `/.well-known/oauth-protected-resource/mcp` (RFC 9728).

A token is accepted when its signature verifies with a key of the issuer's JWKS (asymmetric algorithms
only), and `iss`, `aud` and `exp` (and `nbf` when present) hold. The JWKS is cached for
`AWSINV_AUTH_JWKS_TTL` seconds and fetched again at once for an unknown `kid` (a key rotation), at
most once per `REFETCH_COOLDOWN_S` so a stream of forged `kid`s cannot make the server hammer the issuer.
A failed fetch keeps the last good keys. The static `AWSINV_AUTH_TOKEN` is still accepted alongside.
"""

from __future__ import annotations

import hmac
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx2
import jwt
from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.auth.settings import AuthSettings

from awsinv_mcp.config import Settings
from awsinv_mcp.server.http import is_loopback

log = logging.getLogger("awsinv_mcp.auth")

# JWS algorithms per JWK key type; symmetric (HS*) and "none" are never accepted.
ALGORITHMS_BY_KTY: dict[str, frozenset[str]] = {
    "RSA": frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}),
    "EC": frozenset({"ES256", "ES384", "ES512"}),
    "OKP": frozenset({"EdDSA"}),
}
REFETCH_COOLDOWN_S = 30.0
FETCH_TIMEOUT_S = 5.0
MAX_DOCUMENT_BYTES = 512 * 1024
LEEWAY_S = 30
STATIC_CLIENT_ID = "awsinv-static-token"


class AuthConfigError(ValueError):
    """The OAuth settings cannot work (said in one sentence naming the setting)."""


def _require_https(url: str, setting: str) -> None:
    """OAuth 2.1 requires TLS except on loopback."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not is_loopback(parts.hostname or ""):
        raise AuthConfigError(f"{setting} must be an https:// URL (plain http is accepted on loopback only): {url}")


async def _get_json(client: httpx2.AsyncClient, url: str) -> dict[str, Any]:
    response = await client.get(url, headers={"accept": "application/json"})
    response.raise_for_status()
    if len(response.content) > MAX_DOCUMENT_BYTES:
        raise ValueError(f"{url} answered more than {MAX_DOCUMENT_BYTES} bytes")
    data = response.json()
    if not isinstance(data, dict):
        raise ValueError(f"{url} did not answer a JSON object")
    return data


def metadata_urls(issuer: str) -> list[str]:
    """Where an issuer's metadata may live: RFC 8414 (well-known before the path), then OpenID Connect."""
    parts = urlsplit(issuer)
    origin, path = f"{parts.scheme}://{parts.netloc}", parts.path.rstrip("/")
    return [
        f"{origin}/.well-known/oauth-authorization-server{path}",
        f"{origin}{path}/.well-known/openid-configuration",
    ]


@dataclass(frozen=True)
class SigningKey:
    """One key of the JWKS: the algorithms it may verify (its declared `alg`, else those of its type)."""

    key: Any
    algorithms: frozenset[str]

    @classmethod
    def from_jwk(cls, entry: dict[str, Any]) -> SigningKey:
        allowed = ALGORITHMS_BY_KTY[entry["kty"]]
        declared = entry.get("alg")
        if declared is not None and declared not in allowed:
            raise ValueError(f"alg {declared!r} is not accepted for a {entry['kty']} key")
        return cls(key=jwt.PyJWK(entry).key, algorithms=frozenset({declared}) if declared else allowed)


class JWKSCache:
    """The issuer's signing keys by `kid`, fetched on demand, cached with a TTL, refetched on an unknown kid."""

    def __init__(
        self,
        *,
        issuer: str,
        jwks_url: str | None,
        ttl_s: float,
        cooldown_s: float = REFETCH_COOLDOWN_S,
        client: httpx2.AsyncClient | None = None,
    ) -> None:
        self.issuer = issuer
        self.jwks_url = jwks_url
        self.ttl_s = ttl_s
        self.cooldown_s = cooldown_s
        self._client = client
        self._keys: dict[str | None, SigningKey] = {}
        self._fetched_at: float | None = None
        self._last_forced: float | None = None
        self._lock = anyio.Lock()
        self.fetches = 0

    async def key(self, kid: str | None) -> SigningKey | None:
        """The key for `kid` (None: the only key), fetching the JWKS when stale or when `kid` is unknown."""
        now = time.monotonic()
        if self._fetched_at is None or now - self._fetched_at >= self.ttl_s:
            await self._refresh(forced=False)
        found = self._lookup(kid)
        if found is None and self._may_force(time.monotonic()):
            await self._refresh(forced=True)
            found = self._lookup(kid)
        return found

    def _lookup(self, kid: str | None) -> SigningKey | None:
        if kid is not None:
            return self._keys.get(kid)
        return next(iter(self._keys.values())) if len(self._keys) == 1 else None

    def _may_force(self, now: float) -> bool:
        return self._last_forced is None or now - self._last_forced >= self.cooldown_s

    async def _refresh(self, *, forced: bool) -> None:
        async with self._lock:
            now = time.monotonic()
            if forced:
                if not self._may_force(now):
                    return  # another request refetched meanwhile
                self._last_forced = now
            elif self._fetched_at is not None and now - self._fetched_at < self.ttl_s:
                return
            try:
                keys = await self._fetch()
                if not keys:
                    raise ValueError("the JWKS holds no usable signing key")
            except Exception as exc:  # network, HTTP status, JSON, no keys: keep the last good keys
                log.warning("could not fetch the JWKS of %s (%s); keeping %d cached key(s), retrying in %.0f s",
                            self.issuer, exc, len(self._keys), self.cooldown_s)  # fmt: skip
                self._fetched_at = now - self.ttl_s + min(self.cooldown_s, self.ttl_s)  # retry after a pause
                return
            self._keys, self._fetched_at = keys, now

    async def _fetch(self) -> dict[str | None, SigningKey]:
        self.fetches += 1
        client = self._client or httpx2.AsyncClient(timeout=FETCH_TIMEOUT_S, follow_redirects=False)
        try:
            url = self.jwks_url or await self._discover(client)
            document = await _get_json(client, url)
        finally:
            if self._client is None:
                await client.aclose()
        keys: dict[str | None, SigningKey] = {}
        for entry in document.get("keys") or []:
            usable = isinstance(entry, dict) and entry.get("use", "sig") == "sig"
            if not usable or entry.get("kty") not in ALGORITHMS_BY_KTY:
                continue
            try:
                keys[entry.get("kid")] = SigningKey.from_jwk(entry)
            except (jwt.PyJWTError, ValueError) as exc:
                log.warning("skipping a JWKS key of %s: %s", self.issuer, exc)
        log.info("fetched %d signing key(s) of %s", len(keys), self.issuer)
        return keys

    async def _discover(self, client: httpx2.AsyncClient) -> str:
        errors = []
        for url in metadata_urls(self.issuer):
            try:
                metadata = await _get_json(client, url)
            except Exception as exc:
                errors.append(f"{url}: {exc}")
                continue
            if metadata.get("issuer") != self.issuer:
                raise ValueError(f"{url} names issuer {metadata.get('issuer')!r}, not {self.issuer!r}")
            jwks_uri = metadata.get("jwks_uri")
            if not isinstance(jwks_uri, str):
                raise ValueError(f"{url} has no jwks_uri")
            _require_https(jwks_uri, "the issuer's jwks_uri")
            self.jwks_url = jwks_uri
            return jwks_uri
        raise ValueError("no authorization server metadata found (" + "; ".join(errors) + ")")


def _scopes(claims: dict[str, Any]) -> list[str]:
    """Scopes of a token: `scope` (space-separated, RFC 9068) or `scp` (a list or string, Azure AD / Okta)."""
    raw = claims.get("scope", claims.get("scp", ""))
    if isinstance(raw, str):
        return raw.split()
    return [str(s) for s in raw] if isinstance(raw, list) else []


class JWTVerifier(TokenVerifier):
    """Verifies JWT access tokens of one issuer and audience (and the static token, when one is set)."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        keys: JWKSCache,
        static_token: str | None = None,
        static_scopes: list[str] | None = None,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.keys = keys
        self._static = static_token.encode() if static_token else None
        self._static_scopes = list(static_scopes or [])

    async def verify_token(self, token: str) -> AccessToken | None:
        if self._static is not None and hmac.compare_digest(token.encode(), self._static):
            return AccessToken(token=token, client_id=STATIC_CLIENT_ID, scopes=self._static_scopes)
        try:
            claims = await self._claims(token)
        except (jwt.PyJWTError, ValueError) as exc:
            log.info("refused a bearer token: %s", exc)
            return None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims.get("azp") or claims.get("sub") or "unknown"),
            scopes=_scopes(claims),
            expires_at=int(claims["exp"]),
            resource=self.audience if self.audience in audiences else str(audiences[0]),
            subject=claims.get("sub"),
            claims=claims,
        )

    async def _claims(self, token: str) -> dict[str, Any]:
        header = jwt.get_unverified_header(token)
        alg = header.get("alg")
        if not any(alg in algs for algs in ALGORITHMS_BY_KTY.values()):
            raise ValueError(f"algorithm {alg!r} is not accepted")
        key = await self.keys.key(header.get("kid"))
        if key is None:
            raise ValueError(f"no signing key {header.get('kid')!r} in the issuer's JWKS")
        if alg not in key.algorithms:
            raise ValueError(f"algorithm {alg!r} does not match key {header.get('kid')!r}")
        return jwt.decode(
            token,
            key.key,
            algorithms=[alg],
            audience=self.audience,
            issuer=self.issuer,
            leeway=LEEWAY_S,
            options={"require": ["exp", "iss", "aud"]},
        )


@dataclass(frozen=True)
class OAuthSetup:
    """What `MCPServer(...)` takes to act as a resource server (`**setup.server_kwargs()`)."""

    auth: AuthSettings
    verifier: JWTVerifier

    def server_kwargs(self) -> dict[str, Any]:
        return {"auth": self.auth, "token_verifier": self.verifier}


def resource_url(settings: Settings, host: str, port: int, path: str = "/mcp") -> str:
    """The URL clients reach `/mcp` by: `AWSINV_PUBLIC_URL` behind a proxy, else the bind address."""
    if settings.public_url:
        return settings.public_url + path
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{path}"


def oauth_from_settings(settings: Settings, resource: str) -> OAuthSetup | None:
    """The resource-server setup for `settings` (None when `AWSINV_AUTH_ISSUER` is unset)."""
    if not settings.auth_issuer:
        if settings.auth_jwks_url or settings.auth_audience or settings.auth_scopes:
            raise AuthConfigError("AWSINV_AUTH_JWKS_URL, _AUDIENCE and _SCOPES need AWSINV_AUTH_ISSUER as well")
        return None
    _require_https(settings.auth_issuer, "AWSINV_AUTH_ISSUER")
    if urlsplit(resource).hostname in ("0.0.0.0", "::"):
        raise AuthConfigError(
            "OAuth on a wildcard bind needs AWSINV_PUBLIC_URL (the URL clients use, e.g. https://awsinv.example.com): "
            f"the protected-resource metadata and the default audience would otherwise name {resource}"
        )
    if settings.auth_jwks_url:
        _require_https(settings.auth_jwks_url, "AWSINV_AUTH_JWKS_URL")
    keys = JWKSCache(issuer=settings.auth_issuer, jwks_url=settings.auth_jwks_url, ttl_s=settings.auth_jwks_ttl)
    static = settings.auth_token.get_secret_value() if settings.auth_token else None
    verifier = JWTVerifier(
        issuer=settings.auth_issuer,
        audience=settings.auth_audience or resource,
        keys=keys,
        static_token=static,
        static_scopes=settings.auth_scopes,
    )
    auth = AuthSettings(
        issuer_url=settings.auth_issuer,
        resource_server_url=resource,
        required_scopes=settings.auth_scopes or None,
        validate_token_resource=False,  # JWTVerifier checks `aud` itself (AWSINV_AUTH_AUDIENCE)
    )
    return OAuthSetup(auth=auth, verifier=verifier)
