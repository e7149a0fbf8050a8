"""Settings from the environment (`AWSINV_*`) and CLI flags, via pydantic-settings.

Every setting has an environment variable `AWSINV_<NAME>` and a CLI flag (see `awsinv_mcp.cli`).
Comma lists (`AWSINV_REGIONS=us-east-1,eu-west-1`) and JSON lists are both accepted.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SourceName = Literal["auto", "aws", "synthetic"]
# The groups of tools a client can choose (`AWSINV_TOOLSETS`); each tool names its own in `server/catalog.py`.
TOOLSETS = ("inventory", "analysis", "cost", "databases", "history")
CommaList = Annotated[list[str], NoDecode]


def _split(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            import json

            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """All runtime configuration. Construct with overrides: `Settings(source="synthetic", scale=1000)`."""

    model_config = SettingsConfigDict(env_prefix="AWSINV_", extra="ignore", populate_by_name=True)

    toolsets: CommaList = Field(
        default_factory=lambda: list(TOOLSETS), description=f"tool groups to offer: {', '.join(TOOLSETS)} (default all)"
    )
    # inventory
    source: SourceName = Field("auto", description="auto (aws when credentials resolve), aws, or synthetic")
    regions: CommaList = Field(default_factory=list, description="regions to collect; default: enabled regions")
    seed: int = Field(42, description="seed of the synthetic estate")
    scale: int = Field(150, ge=1, le=200_000, description="synthetic estate size in DB instances")
    synthetic_history_days: int = Field(
        30, ge=1, le=400, description="daily snapshots of the synthetic history (demo mode, no store)"
    )
    cache_ttl: int = Field(900, ge=0, description="seconds an inventory snapshot stays fresh")
    store: str | None = Field(
        None, description="history store: sqlite:///path/history.db or postgresql://...; unset = memory only"
    )
    retention: str = Field(
        "hourly=24,daily=30,monthly=12", description="snapshots the history store keeps: newest per hour/day/month"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    max_concurrency: int = Field(64, ge=1, le=256, description="concurrent AWS calls (worker threads of the fan-out)")
    share_botocore: bool = Field(
        False, description="share botocore's parsed models between clients (less CPU and memory; relies on internals)"
    )
    collect_deadline: float = Field(
        120.0, gt=0, le=3600, description="seconds a collection may take; parts still running keep their last good data"
    )

    # tags and environments
    env_tag_key: str = Field("Environment", description="tag key naming a resource's environment")
    team_tag_key: str = "Team"
    application_tag_key: str = "Application"
    production_values: CommaList = Field(default_factory=lambda: ["production", "prod", "prd"])

    # many accounts
    profiles: CommaList = Field(default_factory=list, description="named AWS profiles to collect")
    role_arns: CommaList = Field(default_factory=list, description="IAM role ARNs to assume and collect")
    org_role: str | None = Field(None, description="role name assumed in every AWS Organizations member account")
    org_accounts: CommaList = Field(default_factory=list, description="allow-list of member account ids")
    org_ous: CommaList = Field(default_factory=list, description="organizational unit ids to collect")
    external_id: SecretStr | None = None
    role_session_name: str = "awsinv-mcp"

    # costs
    cost_cache_ttl: int = Field(6 * 3600, ge=0, description="seconds a Cost Explorer answer is reused")

    # live databases
    databases: str | None = Field(None, description="JSON object: name -> URL or {url, description, options}")
    config_file: str | None = Field(None, description="TOML file with [databases.NAME] tables")
    query_timeout: float = Field(10.0, gt=0, le=600, description="statement timeout in seconds")
    sample_database: bool = Field(
        True, description="offer the built-in sample SQLite database when no database is configured"
    )
    max_rows: int = Field(200, ge=1, le=100_000, description="row cap of run_query")
    max_bytes: int = Field(1_000_000, ge=1_000, description="byte cap of a run_query answer")

    # server / clients
    auth_token: SecretStr | None = Field(None, description="bearer token required on /mcp and the web API")
    remote_token: SecretStr | None = Field(None, description="token sent to a remote awsinv-mcp HTTP server")
    audit_log: str | None = Field(None, description="JSON-lines file receiving one line per tool call")
    max_sessions: int = Field(256, ge=1, le=100_000, description="open MCP sessions over HTTP (idle ones make room)")
    session_idle_timeout: int = Field(900, ge=10, description="seconds an idle MCP session over HTTP is kept")
    http_stateless: bool = Field(
        False, description="serve HTTP without sessions (any replica answers any request; AWSINV_HTTP_STATELESS)"
    )
    http_header_timeout: float = Field(10.0, gt=0, le=300, description="seconds an HTTP client has to send headers")
    model: str = Field("claude-sonnet-5-5", description="Anthropic model for the chat client (AWSINV_MODEL)")

    # HTTP deployment: OAuth 2.1 resource server and reverse proxies (see awsinv_mcp/server/auth.py, forwarded.py)
    auth_issuer: str | None = Field(None, description="OAuth issuer whose JWT access tokens /mcp accepts")
    auth_audience: str | None = Field(None, description="required token audience (default: the resource URL)")
    auth_jwks_url: str | None = Field(None, description="JWKS URL (default: discovered from the issuer metadata)")
    auth_scopes: CommaList = Field(default_factory=list, description="scopes every token must carry")
    auth_jwks_ttl: int = Field(600, ge=10, le=86_400, description="seconds a fetched JWKS is reused")
    public_url: str | None = Field(
        None, description="origin clients use through a proxy, e.g. https://awsinv.example.com"
    )
    trusted_proxies: CommaList = Field(
        default_factory=list, description="proxy addresses/CIDRs whose X-Forwarded-* headers are honoured"
    )

    @field_validator(
        "regions",
        "toolsets",
        "production_values",
        "profiles",
        "role_arns",
        "org_accounts",
        "org_ous",
        "auth_scopes",
        "trusted_proxies",
        mode="before",
    )
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("toolsets", mode="after")
    @classmethod
    def _known_toolsets(cls, value: list[str]) -> list[str]:
        chosen = [v.lower() for v in value]
        unknown = [v for v in chosen if v not in TOOLSETS]
        if unknown:
            raise ValueError(f"unknown toolset(s) {', '.join(unknown)}; choose from {', '.join(TOOLSETS)}")
        if not chosen:
            raise ValueError(f"no toolset chosen; choose from {', '.join(TOOLSETS)}")
        return chosen

    @field_validator("production_values", mode="after")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [v.lower() for v in value]

    @field_validator("trusted_proxies", mode="after")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or CIDR network") from None
        return value

    @field_validator("public_url", "auth_issuer", "auth_jwks_url", mode="after")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} must be an http:// or https:// URL")
        return value  # an issuer is compared exactly (RFC 8414 §3.3): a trailing slash is kept

    @field_validator("public_url", mode="after")
    @classmethod
    def _origin(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value
