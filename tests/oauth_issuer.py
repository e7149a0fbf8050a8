"""A local OAuth authorization server for tests: RFC 8414 metadata and a JWKS on 127.0.0.1, keys made here.

    with LocalIssuer() as issuer:                 # issuer.url = "http://127.0.0.1:<port>"
        token = issuer.mint(aud="http://127.0.0.1:5001/mcp", scope="awsinv:read")
        issuer.rotate()                           # a new signing key (new kid); the old one leaves the JWKS
        issuer.jwks_fetches                       # how often the JWKS was fetched

Tokens are RS256 JWTs signed with the current key; `mint(..., key=other)` signs with another key
under the current kid (a bad signature); any claim can be overridden or removed (value None).
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from typing import Any

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

_kids = itertools.count(1)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class LocalIssuer:
    """Metadata at `/.well-known/oauth-authorization-server`, keys at `/jwks.json`, served by uvicorn in a thread."""

    def __init__(self) -> None:
        self.key = new_key()
        self.kid = f"key-{next(_kids)}"
        self.jwks_fetches = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        app = Starlette(
            routes=[
                Route("/.well-known/oauth-authorization-server", self._metadata),
                Route("/jwks.json", self._jwks),
            ]
        )
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> LocalIssuer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the local issuer did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()

    async def _metadata(self, request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": self.url,
                "jwks_uri": f"{self.url}/jwks.json",
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "response_types_supported": ["code"],
            }
        )

    async def _jwks(self, request: Request) -> JSONResponse:
        self.jwks_fetches += 1
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return JSONResponse({"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]})

    def rotate(self) -> None:
        """A new current key under a new kid; the previous key is withdrawn from the JWKS."""
        self.key, self.kid = new_key(), f"key-{next(_kids)}"

    def mint(self, *, key: rsa.RSAPrivateKey | None = None, kid: str | None = None, **claims: Any) -> str:
        now = int(time.time())
        body: dict[str, Any] = {"iss": self.url, "sub": "alice", "client_id": "test-client", "iat": now}
        body["exp"] = now + 300
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})
