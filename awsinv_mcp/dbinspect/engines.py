"""SQLAlchemy 2 engines per named connection, built lazily, pooled, read-only at the session level too.

Every session starts read-only before the guard and the per-call transaction add their layers:
PostgreSQL `default_transaction_read_only=on` and no auto-prepared statements; MySQL/MariaDB
`SET SESSION TRANSACTION READ ONLY` on connect; SQLite opened with a `mode=ro` URI, `PRAGMA query_only`,
no ATTACH (limit 0) and no extension loading.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from awsinv_mcp.config import Settings
from awsinv_mcp.dbinspect.connections import ConnectionSpec, Resolved, load_specs, redact, resolve_aws
from awsinv_mcp.dbinspect.dialects import dialect as dialect_named
from awsinv_mcp.errors import NotFoundError, UnavailableError, UpstreamError, UserError

log = logging.getLogger("awsinv_mcp.dbinspect")

CATALOG_TTL = 30.0
_PG_SESSION = "-c default_transaction_read_only=on -c standard_conforming_strings=on"


def family(name: str) -> str:
    """The engine family of a dialect name (an unknown name raises: no silent SQLite or MySQL path)."""
    return dialect_named(name).family


MAX_OVERFLOW = 3
BUSY_WAIT_S = 2.0
"""How long a call waits for one of a database's connections before it is told the database is busy."""


class Database:
    """One named connection: its spec, engine (built on first use) and per-schema catalog cache."""

    def __init__(self, spec: ConnectionSpec, settings: Settings) -> None:
        self.spec = spec
        self.settings = settings
        self._engine: Any = None
        self._resolved: Resolved | None = None
        self._lock = threading.Lock()
        self.catalog_cache: dict[str, tuple[float, Any]] = {}
        self.server_version: str | None = None
        self.slots = int(spec.options.get("pool_size", 2)) + MAX_OVERFLOW  # calls at once: the pool's connections
        self._busy = threading.BoundedSemaphore(self.slots)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def timeout(self) -> float:
        return float(self.spec.options.get("query_timeout", self.settings.query_timeout))

    @property
    def secrets(self) -> tuple[str, ...]:
        extra = self._resolved.secrets if self._resolved else ()
        return self.spec.secrets + extra

    @property
    def dialect(self) -> str:
        """postgresql, mysql, mariadb or sqlite (mysql vs mariadb is known after the first connection; an RDS
        connection's once its engine is resolved)."""
        base = self._resolved.dialect if self._resolved else self.spec.dialect
        engine = self._engine
        if engine is not None and base == "mysql" and getattr(engine.dialect, "is_mariadb", False):
            return "mariadb"
        return base

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)

    def engine(self) -> Any:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._build()
        return self._engine

    def _build(self) -> Any:
        from sqlalchemy import create_engine, event
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import QueuePool

        spec, opts = self.spec, self.spec.options
        if not spec.aws and family(spec.dialect) == "sqlite":  # an unknown dialect stops here with an error
            path = spec.sqlite_path or ":memory:"
            self._resolved = Resolved("sqlite://", "sqlite", ())
            return create_engine(
                "sqlite://",
                creator=lambda: _sqlite_connect(path),
                poolclass=QueuePool,
                pool_size=int(opts.get("pool_size", 2)),
                max_overflow=MAX_OVERFLOW,
            )
        resolved = resolve_aws(spec) if spec.aws else Resolved(spec.url or "", spec.dialect, ())
        self._resolved = resolved
        connect_timeout = int(opts.get("connect_timeout", 5))
        args: dict[str, Any] = dict(resolved.connect_args)
        sslmode = opts.get("sslmode") or ("require" if spec.aws and spec.aws.iam_auth else None)
        ca = opts.get("ca_bundle")
        url: Any = resolved.url
        if family(resolved.dialect) == "postgresql":
            url = make_url(url)
            user_options = url.query.get("options", "")
            url = url.difference_update_query(["options"])
            args |= {
                "connect_timeout": connect_timeout,
                "application_name": "awsinv-mcp",
                "options": f"{user_options} {_PG_SESSION}".strip(),
                "prepare_threshold": None,
            }
            if sslmode:
                args["sslmode"] = sslmode
            if ca:
                args["sslrootcert"] = ca
        else:
            # no multi-statement packets, no LOAD DATA LOCAL, and our own session setup, whatever the URL says
            url = make_url(url).difference_update_query(["client_flag", "init_command", "local_infile"])
            args |= {
                "connect_timeout": connect_timeout,
                "read_timeout": int(self.timeout) + 10,
                "write_timeout": int(self.timeout) + 10,
                "init_command": "SET SESSION TRANSACTION READ ONLY",
                "charset": "utf8mb4",
            }
            if (sslmode and sslmode != "disable") or ca:
                verify = sslmode in ("verify-ca", "verify-full")
                args["ssl"] = {"ca": ca} if ca else {}
                args["ssl_verify_cert"] = verify or bool(ca)
                args["ssl_verify_identity"] = sslmode == "verify-full"
        engine = create_engine(
            url,
            connect_args=args,
            pool_size=int(opts.get("pool_size", 2)),
            max_overflow=MAX_OVERFLOW,
            pool_pre_ping=True,
            pool_recycle=600 if resolved.token_provider else 1800,
        )
        if resolved.token_provider is not None:
            provider = resolved.token_provider

            @event.listens_for(engine, "do_connect")
            def _iam_token(dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
                cparams["password"] = provider()

        return engine

    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        """A pooled DB-API connection; discarded (not returned to the pool) when the block fails.

        At most `slots` calls use one database at once; another caller waits up to BUSY_WAIT_S, then hears that the
        database is busy (not that it is unreachable), so a slow database cannot hold the threads other tools need.
        """
        if not self._busy.acquire(timeout=min(BUSY_WAIT_S, self.timeout)):
            retry = max(1, round(self.timeout))
            raise UnavailableError(
                f"database {self.name!r} is busy: its {self.slots} connections are all running other calls; "
                f"retry in about {retry} s",
                retry_after_s=retry,
            )
        try:
            with self._pooled() as conn:
                yield conn
        finally:
            self._busy.release()

    @contextlib.contextmanager
    def _pooled(self) -> Iterator[Any]:
        try:
            raw = self.engine().raw_connection()
        except UserError:
            raise
        except Exception as exc:
            if family(self.dialect) == "sqlite":
                raise UpstreamError(
                    f"database {self.name!r} cannot be opened: {self._brief(exc)}. "
                    "Check that the configured SQLite file exists and this process may read it."
                ) from None
            raise UpstreamError(
                f"database {self.name!r} is unreachable or refused the login: {self._brief(exc)}. "
                "Check that the server is running and the configured credentials."
            ) from None
        if self.server_version is None:
            self.server_version = _server_version(self.engine())
        try:
            yield raw.driver_connection
        except BaseException:
            with contextlib.suppress(Exception):
                raw.invalidate()
            raise
        else:
            raw.close()

    def _brief(self, exc: BaseException) -> str:
        orig = getattr(exc, "orig", None) or exc
        lines = [ln.strip() for ln in str(orig).splitlines() if ln.strip()]
        text = lines[0] if lines else type(orig).__name__
        return self.redact(text)[:300]

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def _server_version(engine: Any) -> str | None:
    info = getattr(engine.dialect, "server_version_info", None)
    return ".".join(str(p) for p in info) if info else None


def _sqlite_connect(path: str) -> Any:
    import sqlite3

    if path == ":memory:":
        conn = sqlite3.connect(":memory:", check_same_thread=False)
    else:
        from pathlib import Path

        uri = Path(path).as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=2)
    conn.execute("PRAGMA query_only = ON")
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    if hasattr(conn, "enable_load_extension"):  # absent when Python is built without extension loading
        conn.enable_load_extension(False)
    return conn


class DatabaseRegistry:
    """All configured databases of one server; engines are created on first use of each name."""

    def __init__(self, settings: Settings, specs: dict[str, ConnectionSpec] | None = None) -> None:
        self.settings = settings
        self.invalid: dict[str, str] = {}  # name -> why its entry cannot be used (the others still work)
        if specs is None:
            specs = load_specs(settings, self.invalid)
            if not specs and not self.invalid and settings.sample_database:
                from awsinv_mcp.dbinspect.sample import sample_spec

                specs = {"sample": sample_spec()}  # a fresh install has something to inspect
        self._dbs = {name: Database(spec, settings) for name, spec in sorted(specs.items())}

    def names(self) -> list[str]:
        """Every configured name, the unusable ones included (`list_databases` reports why)."""
        return sorted([*self._dbs, *self.invalid])

    def get(self, name: str) -> Database:
        if name in self.invalid:
            raise UserError(f"{self.invalid[name]}; fix that entry (the other databases keep working)")
        try:
            return self._dbs[name]
        except KeyError:
            known = ", ".join(self.names()) or "none are configured (set AWSINV_DATABASES or [databases.NAME])"
            raise NotFoundError(f"unknown database {name!r}; configured databases: {known}") from None

    def close(self) -> None:
        for db in self._dbs.values():
            db.close()


def fresh_catalog(db: Database, key: str) -> Any | None:
    """What the cache holds under `key` if it is younger than CATALOG_TTL seconds, else None."""
    hit = db.catalog_cache.get(key)
    return hit[1] if hit and time.monotonic() - hit[0] < CATALOG_TTL else None


def cached_catalog(db: Database, key: str, loader: Any, *, refresh: bool = False) -> Any:
    """The schema catalog (or another catalog read, under its own `key`) from the cache or `loader()`."""
    hit = None if refresh else fresh_catalog(db, key)
    if hit is not None:
        return hit
    value = loader()
    db.catalog_cache[key] = (time.monotonic(), value)
    return value
