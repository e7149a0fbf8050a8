"""Named database connections: where they come from, how URLs are normalised, and how secrets are redacted.

Sources, later overriding earlier: the TOML config file (`[databases.NAME]` tables), then `AWSINV_DATABASES`
(a JSON object: name -> URL, or -> {url, description, options}). A connection may instead be AWS-native:
`{rds = "orders-prod", region = "eu-west-1", secret_arn = "arn:...", database = "orders"}` (credentials from
Secrets Manager) or `{rds = "...", iam_auth = true, user = "reader"}` (a fresh IAM auth token per connection),
with TLS through `sslmode` and `ca_bundle`. The model only ever sees names, dialects and descriptions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from awsinv_mcp.config import Settings
from awsinv_mcp.errors import UserError
from awsinv_mcp.redact import redact_text

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$")
_SCHEME_DRIVERS = {
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "postgresql+psycopg2": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
    "mysql+pymysql": "mysql+pymysql",
    "mariadb+pymysql": "mysql+pymysql",
    "mysql+mysqldb": "mysql+pymysql",
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
}
_SECRET_QUERY_KEYS = re.compile(r"(password|passwd|pwd|token|secret|sslkey|sslpassword)", re.I)
_RDS_ENGINES = {
    "postgres": "postgresql",
    "aurora-postgresql": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "aurora-mysql": "mysql",
    "aurora": "mysql",
}


@dataclass(frozen=True, slots=True)
class AwsAuth:
    """An RDS/Aurora database reached through AWS: endpoint from RDS, credentials from a secret or IAM."""

    rds: str | None = None
    region: str | None = None
    secret_arn: str | None = None
    iam_auth: bool = False
    user: str | None = None
    database: str | None = None
    host: str | None = None
    port: int | None = None
    engine: str | None = None


@dataclass(frozen=True, slots=True)
class ConnectionSpec:
    """One named connection. `url` holds credentials: never show it."""

    name: str
    dialect: str  # postgresql | mysql | sqlite (MariaDB is told apart at connect time)
    description: str = ""
    url: str | None = field(default=None, repr=False)
    sqlite_path: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    aws: AwsAuth | None = None
    secrets: tuple[str, ...] = field(default=(), repr=False)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` (a driver's error, whole) with every known secret and every URL password replaced by ***."""
    return redact_text(str(text), secrets, limit=None)


def normalize_url(url: str) -> tuple[str, str, tuple[str, ...], str | None]:
    """(SQLAlchemy URL with our driver, dialect, secrets found in it, SQLite file path or None)."""
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        raise UserError("a database URL must look like postgresql://user@host/db, mysql://..., or sqlite:///path")
    driver = _SCHEME_DRIVERS.get(scheme.lower())
    if driver is None:
        raise UserError(
            f"database URL scheme {scheme!r} is not supported; use postgresql://, postgres://, mysql://, "
            "mariadb:// or sqlite:///path"
        )
    try:
        parts = urlsplit(f"x://{rest}")
        parts.port  # noqa: B018 - parses the port now: a bad one is the URL's fault, said here
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket; the URL itself is not echoed (it may hold a password)
        raise UserError(f"the database URL cannot be parsed ({exc}); check its host, port and brackets") from None
    found = []
    if parts.password:
        found += [parts.password, unquote(parts.password)]
    found += [v for k, v in parse_qsl(parts.query) if _SECRET_QUERY_KEYS.search(k)]
    if driver == "sqlite":
        path = unquote(rest.split("?", 1)[0])
        if path.startswith("/"):
            path = path[1:]  # sqlite:///relative.db and sqlite:////abs.db
        if path in ("", ":memory:"):
            return "sqlite://", "sqlite", (), ":memory:"
        return "sqlite://", "sqlite", (), str(Path(path).expanduser().absolute())
    dialect = "postgresql" if driver.startswith("postgresql") else "mysql"
    return f"{driver}://{rest}", dialect, tuple(found), None


def _spec(name: str, entry: Any, origin: str) -> ConnectionSpec:
    if not _NAME.match(name):
        raise UserError(f"database name {name!r} in {origin} must be letters, digits, '_', '-' or '.'")
    if isinstance(entry, str):
        entry = {"url": entry}
    if not isinstance(entry, Mapping):
        raise UserError(f"database {name!r} in {origin} must be a URL string or an object with 'url' or 'rds'")
    description = str(entry.get("description", ""))
    options = dict(entry.get("options") or {})
    for key in ("sslmode", "ca_bundle", "connect_timeout", "query_timeout", "pool_size"):
        if key in entry:
            options[key] = entry[key]
    if entry.get("url"):
        url, dialect, secrets, path = normalize_url(str(entry["url"]))
        return ConnectionSpec(name, dialect, description, url, path, options, None, secrets)
    if entry.get("rds") or entry.get("secret_arn"):
        engine = entry.get("engine")
        aws = AwsAuth(
            rds=entry.get("rds"),
            region=entry.get("region"),
            secret_arn=entry.get("secret_arn"),
            iam_auth=bool(entry.get("iam_auth", False)),
            user=entry.get("user"),
            database=entry.get("database"),
            host=entry.get("host"),
            port=int(entry["port"]) if entry.get("port") else None,
            engine=engine,
        )
        dialect = _RDS_ENGINES.get(str(engine or "").lower(), "")  # "": known once the RDS API names the engine
        if engine and not dialect:
            raise UserError(f"database {name!r} in {origin}: engine {engine!r} is not one of {', '.join(_RDS_ENGINES)}")
        return ConnectionSpec(name, dialect, description, None, None, options, aws, ())
    raise UserError(f"database {name!r} in {origin} needs 'url', or 'rds' / 'secret_arn' for an AWS database")


def load_specs(settings: Settings, faults: dict[str, str] | None = None) -> dict[str, ConnectionSpec]:
    """All configured connections by name (config file first, then AWSINV_DATABASES).

    With `faults`, an entry that cannot be used is recorded there (name -> what is wrong) and the others load;
    without, the first bad entry raises. A file or JSON document that cannot be read at all always raises.
    """
    specs: dict[str, ConnectionSpec] = {}

    def add(name: str, entry: Any, origin: str) -> None:
        try:
            specs[name] = _spec(name, entry, origin)
        except UserError as exc:
            if faults is None:
                raise
            message = str(exc)
            faults[str(name)] = message if repr(name) in message else f"database {name!r} in {origin}: {message}"

    if settings.config_file:
        import tomllib

        path = Path(settings.config_file).expanduser()
        try:
            data = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise UserError(f"cannot read config file {path.name}: {type(exc).__name__}") from None
        for name, entry in (data.get("databases") or {}).items():
            add(name, entry, path.name)
    if settings.databases:
        try:
            data = json.loads(settings.databases)
        except json.JSONDecodeError:
            raise UserError("AWSINV_DATABASES must be a JSON object: name -> URL or {url, description}") from None
        if not isinstance(data, dict):
            raise UserError("AWSINV_DATABASES must be a JSON object: name -> URL or {url, description}")
        for name, entry in data.items():
            add(name, entry, "AWSINV_DATABASES")
    return specs


@dataclass(frozen=True, slots=True)
class Resolved:
    """What an engine is built from: the URL with credentials, the dialect, and the secrets to redact."""

    url: str
    dialect: str
    secrets: tuple[str, ...]
    token_provider: Any = None  # callable() -> password, for IAM auth
    connect_args: dict[str, Any] = field(default_factory=dict)


def resolve_aws(spec: ConnectionSpec) -> Resolved:
    """Endpoint from RDS (or the secret / explicit host), credentials from Secrets Manager or an IAM token."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError
    from sqlalchemy.engine import URL

    aws = spec.aws
    assert aws is not None
    identifier = aws.rds
    arn_region = None
    if identifier and identifier.startswith("arn:"):  # an ARN as list_db_instances shows it
        arn_region, identifier = identifier.split(":")[3], identifier.split(":")[-1]
    region = aws.region or arn_region or (aws.secret_arn.split(":")[3] if aws.secret_arn else None)
    session = boto3.session.Session(region_name=region)
    secret: dict[str, Any] = {}
    instance: dict[str, Any] = {}
    try:
        if aws.secret_arn:
            raw = session.client("secretsmanager").get_secret_value(SecretId=aws.secret_arn)["SecretString"]
            secret = json.loads(raw)
        known = (aws.host or secret.get("host")) and (aws.engine or secret.get("engine"))
        if identifier and not known:
            instance = _describe_rds(session, identifier)
    except (BotoCoreError, ClientError, ValueError) as exc:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
        raise UserError(
            f"database {spec.name!r}: AWS lookup failed ({code}); check the identifier, ARN and region"
        ) from None
    engine = aws.engine or secret.get("engine") or instance.get("engine") or ""
    dialect = _RDS_ENGINES.get(str(engine).lower())
    if dialect is None:
        raise UserError(f"database {spec.name!r}: engine {engine!r} is not PostgreSQL, MySQL or MariaDB")
    host = aws.host or secret.get("host") or instance.get("host")
    port = aws.port or secret.get("port") or instance.get("port")
    user = aws.user or secret.get("username") or instance.get("user")
    database = aws.database or secret.get("dbname") or instance.get("database")
    if not host or not user:
        raise UserError(f"database {spec.name!r}: no endpoint or user found; set host/user in its configuration")
    password = secret.get("password")
    token_provider = None
    if aws.iam_auth:
        client = session.client("rds")

        def token_provider() -> str:
            return client.generate_db_auth_token(
                DBHostname=host, Port=int(port or 0), DBUsername=user, Region=session.region_name
            )

    driver = "postgresql+psycopg" if dialect == "postgresql" else "mysql+pymysql"
    url = URL.create(driver, username=user, password=None, host=host, port=int(port) if port else None)
    url = url.set(database=database) if database else url
    secrets = tuple(s for s in (password,) if s)
    connect_args = {"password": password} if password and not aws.iam_auth else {}
    return Resolved(url.render_as_string(hide_password=False), dialect, secrets, token_provider, connect_args)


def _describe_rds(session: Any, identifier: str) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    rds = session.client("rds")
    try:
        db = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
        endpoint = db.get("Endpoint") or {}
        return {
            "engine": db.get("Engine"),
            "host": endpoint.get("Address"),
            "port": endpoint.get("Port"),
            "user": db.get("MasterUsername"),
            "database": db.get("DBName"),
        }
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "DBInstanceNotFound":
            raise
    cluster = rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
    return {
        "engine": cluster.get("Engine"),
        "host": cluster.get("ReaderEndpoint") or cluster.get("Endpoint"),
        "port": cluster.get("Port"),
        "user": cluster.get("MasterUsername"),
        "database": cluster.get("DatabaseName"),
    }
