"""Queries over an estate: filters, text match, sorting, paging, identifier resolution, counts.

Every list tool is one call here (`list_records` with the kind's own extra filters); the analysis tools reuse
`predicates` for their account / region / label filters, so a value one tool accepts, every tool accepts, and
with the same meaning. Filter values are comma lists ("any of"); label filters take the values
`Estate.labels` reports, `untagged` included.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple, dataclass
from datetime import datetime
from typing import Any, TypeVar

from awsinv_mcp.engine_versions import version_sort_key
from awsinv_mcp.errors import NotFoundError, UserError
from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.inventory.kinds import ResourceKind
from awsinv_mcp.inventory.tags import UNTAGGED
from awsinv_mcp.models.inventory import DBInstance, DBSnapshot, EC2Instance, S3Bucket, Snapshot
from awsinv_mcp.paging import Page, fingerprint, paginate

T = TypeVar("T")
Check = Callable[[Any], bool]

RDS_ENGINES = (
    "mysql",
    "postgres",
    "mariadb",
    "aurora-mysql",
    "aurora-postgresql",
    "oracle-ee",
    "oracle-ee-cdb",
    "oracle-se2",
    "oracle-se2-cdb",
    "sqlserver-ee",
    "sqlserver-se",
    "sqlserver-ex",
    "sqlserver-web",
)
ENGINE_FAMILIES = {
    "aurora": ("aurora-mysql", "aurora-postgresql"),
    "oracle": ("oracle-ee", "oracle-ee-cdb", "oracle-se2", "oracle-se2-cdb"),
    "sqlserver": ("sqlserver-ee", "sqlserver-se", "sqlserver-ex", "sqlserver-web"),
    "postgresql": ("postgres", "aurora-postgresql"),
    "mysql-compatible": ("mysql", "mariadb", "aurora-mysql"),
}
SNAPSHOT_TYPES = ("manual", "automated", "awsbackup", "shared", "public")  # RDS SnapshotType values, lower-cased


def words(value: str | Sequence[str] | None) -> list[str]:
    """A comma list (or a list of them) as lower-cased, stripped words."""
    parts = [value] if isinstance(value, str) or value is None else list(value)
    return [w.strip().lower() for p in parts for w in (p or "").split(",") if w.strip()]


def engine_set(engine: str | None) -> frozenset[str] | None:
    """Engines selected by a comma list of engine names or families (aurora, oracle, sqlserver, postgresql)."""
    names = words(engine)
    if not names:
        return None
    selected: set[str] = set()
    for name in names:
        if name in ENGINE_FAMILIES:
            selected.update(ENGINE_FAMILIES[name])
        elif name in RDS_ENGINES:
            selected.add(name)
        else:
            families = ", ".join(ENGINE_FAMILIES)
            raise UserError(f"unknown engine {name!r}; use one of {', '.join(RDS_ENGINES)} or a family ({families})")
    return frozenset(selected)


def account_ids(snapshot: Snapshot, account: str | None) -> frozenset[str] | None:
    """Account ids selected by a comma list of 12-digit ids or aliases."""
    names = words(account)
    if not names:
        return None
    by_alias = {a.alias.lower(): a.id for a in snapshot.accounts if a.alias}
    known = {a.id for a in snapshot.accounts}
    chosen = set()
    for name in names:
        if name in known:
            chosen.add(name)
        elif name in by_alias:
            chosen.add(by_alias[name])
        else:
            listed = ", ".join(f"{a.id} ({a.alias})" if a.alias else a.id for a in snapshot.accounts)
            raise UserError(f"unknown account {name!r}; accounts in the inventory: {listed}")
    return frozenset(chosen)


def region_set(snapshot: Snapshot, region: str | None) -> frozenset[str] | None:
    names = words(region)
    if not names:
        return None
    unknown = [r for r in names if r not in snapshot.regions]
    if unknown:
        raise UserError(f"unknown region {unknown[0]!r}; regions in the inventory: {', '.join(snapshot.regions)}")
    return frozenset(names)


def choice_set(value: str | None, allowed: Sequence[str], name: str) -> frozenset[str] | None:
    """A comma list of values from a closed set (case-insensitive); raises UserError naming the valid ones."""
    chosen = words(value)
    unknown = [w for w in chosen if w not in allowed]
    if unknown:
        raise UserError(f"unknown {name} {unknown[0]!r}; use {', '.join(allowed)}")
    return frozenset(chosen) or None


def _shown(values: Sequence[str], limit: int = 30) -> str:
    return ", ".join(values[:limit]) + (f" (+{len(values) - limit} more)" if len(values) > limit else "")


def label_matcher(estate: Estate, label: str, value: str | None) -> Callable[[str | None], bool] | None:
    """Matcher of a label filter (environment, team, application): `untagged` selects records without the label,
    any spelling of an environment selects all of it (prod = production = prd ...), teams and applications match
    case-insensitively. A value no record carries is a UserError listing the valid ones."""
    wanted = words(value)
    if not wanted:
        return None
    raw = estate.values(label)
    if label == "environment":
        canonical = estate.environments.canonical
        known = {canonical(v): v for v in raw}
        keys = {UNTAGGED if w == UNTAGGED else canonical(w) for w in wanted}
        accepted = {v for v in raw if canonical(v) in keys}
    else:
        known = {v.lower(): v for v in raw}
        keys = set(wanted)
        accepted = {v for v in raw if v.lower() in keys}
    unknown = [k for k in keys if k != UNTAGGED and k not in known]
    if unknown:
        raise UserError(
            f"unknown {label} {unknown[0]!r}; {label} values in the inventory: {_shown(estate.labels(label))}"
        )
    untagged = UNTAGGED in keys
    return lambda v: v in accepted or (untagged and not v)


@dataclass(frozen=True, kw_only=True)
class Filters:
    """The common filters; every field is optional and a comma list means 'any of'."""

    engine: str | None = None
    region: str | None = None
    account: str | None = None
    environment: str | None = None
    team: str | None = None
    application: str | None = None
    status: str | None = None
    q: str | None = None

    def key(self) -> tuple[Any, ...]:
        return astuple(self)


def text_match(q: str | None, fields: Callable[[Any], Iterable[str | None]]) -> Check | None:
    """Case-insensitive substring match over ids, names and tag values."""
    if not q or not q.strip():
        return None
    needle = q.strip().lower()
    return lambda r: any(needle in f.lower() for f in fields(r) if f)


def _default_text(r: Any) -> Iterable[str | None]:
    yield getattr(r, "identifier", None)
    yield getattr(r, "name", None)
    yield from r.tags.values()
    yield from r.tags.keys()


def predicates(
    estate: Estate,
    f: Filters,
    *,
    status_attr: str | None = "status",
    engine_attr: str | None = "engine",
    text_fields: Callable[[Any], Iterable[str | None]] | None = None,
    known_statuses: Sequence[str] = (),
) -> list[Check]:
    """Checks of `f` for records (or findings) with those attributes; UserError for unknown engines, regions,
    accounts, label values and (given `known_statuses`) statuses."""
    snapshot = estate.snapshot
    checks: list[Check] = []
    engines = engine_set(f.engine) if engine_attr else None
    if engines is not None:
        checks.append(lambda r: getattr(r, engine_attr) in engines)
    regions = region_set(snapshot, f.region)
    if regions is not None:
        checks.append(lambda r: r.region in regions)
    accounts = account_ids(snapshot, f.account)
    if accounts is not None:
        checks.append(lambda r: r.account in accounts)
    for label, value in (("environment", f.environment), ("team", f.team), ("application", f.application)):
        m = label_matcher(estate, label, value)
        if m is not None:
            checks.append(lambda r, m=m, label=label: m(getattr(r, label)))
    statuses = frozenset(words(f.status)) if status_attr else frozenset()
    if statuses and known_statuses:
        unknown = sorted(statuses - set(known_statuses))
        if unknown:
            raise UserError(f"unknown {status_attr} {unknown[0]!r}; use one of: {', '.join(known_statuses)}")
    if statuses:
        checks.append(lambda r: getattr(r, status_attr).lower() in statuses)
    arn = (f.q or "").strip()
    if arn.lower().startswith("arn:"):  # an ARN selects exactly its resource
        checks.append(lambda r: (getattr(r, "arn", None) or "").lower() == arn.lower())
        return checks
    tm = text_match(f.q, text_fields or _default_text)
    if tm is not None:
        checks.append(tm)
    return checks


def kind_predicates(estate: Estate, kind: ResourceKind, f: Filters) -> list[Check]:
    """`predicates` with the kind's own status, engine and text attributes (`inventory/kinds.py`)."""
    listing = kind.listing
    assert listing is not None, kind.name
    return predicates(
        estate,
        f,
        status_attr=listing.status_attr,
        engine_attr=listing.engine_attr,
        text_fields=listing.text,
        known_statuses=listing.statuses,
    )


def select(records: Sequence[T], checks: list[Callable[[T], bool]]) -> list[T]:
    if not checks:
        return list(records)
    return [r for r in records if all(c(r) for c in checks)]


def sort_records(records: list[T], sort: str | None, allowed: Sequence[str], default: str) -> list[T]:
    """Sort by `field` or `-field` (descending); None values last. Unknown fields are a UserError."""
    spec = (sort or default).strip()
    descending = spec.startswith("-")
    key = spec.lstrip("-+")
    if key not in allowed:
        raise UserError(f"cannot sort by {key!r}; sort by one of {', '.join(allowed)} (prefix '-' for descending)")

    def sort_key(r: Any) -> Any:
        v = getattr(r, key)
        if isinstance(v, datetime):
            return v.timestamp()
        return version_sort_key(v) if key == "engine_version" else v

    present = [r for r in records if getattr(r, key) is not None]
    missing = [r for r in records if getattr(r, key) is None]
    present.sort(key=sort_key, reverse=descending)
    return present + missing


def list_records(
    estate: Estate,
    kind: ResourceKind,
    f: Filters,
    *,
    extra: Sequence[Check] = (),
    extra_key: tuple[Any, ...] = (),
    sort: str | None = None,
    limit: int,
    cursor: str | None,
) -> Page:
    """One page of `kind`'s records matching `f` and the kind-specific `extra` checks (described by `extra_key`),
    sorted. The matches are kept per query on the estate, so later pages cost a slice."""
    listing = kind.listing
    assert listing is not None, kind.name
    checks = [*kind_predicates(estate, kind, f), *extra]
    key = fingerprint(kind.name, f.key(), extra_key, sort, estate.id)

    def compute() -> list[Any]:
        matches = select(kind.records(estate.snapshot), checks)
        return sort_records(matches, sort, listing.sort_fields, listing.default_sort)

    rows = estate.listed(key, compute)
    return paginate(rows, limit=limit, cursor=cursor, query=key)


# --- the kind-specific filters of the list tools -----------------------------------------------------------


def list_db_instances(
    estate: Estate,
    f: Filters,
    *,
    cluster: str | None = None,
    sort: str | None = None,
    limit: int,
    cursor: str | None,
) -> Page:
    """DB instances; `cluster` selects one cluster's members, 'none' the standalone ones."""
    extra: list[Check] = []
    if cluster:
        want = None if cluster.strip().lower() == "none" else cluster.strip()
        extra.append(lambda d: d.cluster == want)
    return list_records(
        estate, kinds.DB_INSTANCE, f, extra=extra, extra_key=(cluster,), sort=sort, limit=limit, cursor=cursor
    )


def list_db_snapshots(
    estate: Estate,
    f: Filters,
    *,
    kind: str | None = None,
    snapshot_type: str | None = None,
    public: bool | None = None,
    encrypted: bool | None = None,
    older_than_days: int | None = None,
    shared: bool | None = None,
    sort: str | None = None,
    limit: int,
    cursor: str | None,
) -> Page:
    """Instance and cluster snapshots by kind, type, public / shared / encrypted state and age."""
    extra: list[Callable[[DBSnapshot], bool]] = []
    if kind:
        extra.append(lambda r: r.kind == kind)
    types = choice_set(snapshot_type, SNAPSHOT_TYPES, "snapshot_type")
    if types:
        extra.append(lambda r: r.snapshot_type.lower() in types)
    if public is not None:
        extra.append(lambda r: r.public == public)
    if encrypted is not None:
        extra.append(lambda r: r.encrypted == encrypted)
    if shared is not None:
        extra.append(lambda r: bool(r.shared_with) == shared)
    now = estate.snapshot.collected_at
    if older_than_days is not None:
        extra.append(lambda r: r.created_at is not None and (now - r.created_at).days > older_than_days)
    return list_records(
        estate,
        kinds.DB_SNAPSHOT,
        f,
        extra=extra,
        extra_key=(kind, snapshot_type, public, encrypted, older_than_days, shared),
        sort=sort,
        limit=limit,
        cursor=cursor,
    )


def list_ec2_instances(
    estate: Estate,
    f: Filters,
    *,
    database_host: bool | None = None,
    public: bool | None = None,
    sort: str | None = None,
    limit: int,
    cursor: str | None,
) -> Page:
    """EC2 instances; `database_host` and `public` (has a public IP) narrow them."""
    extra: list[Callable[[EC2Instance], bool]] = []
    if database_host is not None:
        extra.append(lambda e: e.database_host == database_host)
    if public is not None:
        extra.append(lambda e: (e.public_ip is not None) == public)
    return list_records(
        estate,
        kinds.EC2_INSTANCE,
        f,
        extra=extra,
        extra_key=(database_host, public),
        sort=sort,
        limit=limit,
        cursor=cursor,
    )


def list_s3_buckets(
    estate: Estate,
    f: Filters,
    *,
    purpose: str | None = None,
    public: bool | None = None,
    encrypted: bool | None = None,
    sort: str | None = None,
    limit: int,
    cursor: str | None,
) -> Page:
    """S3 buckets by purpose (backups, exports, ...), public and encrypted state."""
    extra: list[Callable[[S3Bucket], bool]] = []
    if public is not None:
        extra.append(lambda b: b.public == public)
    if encrypted is not None:
        extra.append(lambda b: b.encrypted == encrypted)
    purposes = frozenset(words(purpose))
    if purposes:
        extra.append(lambda b: (b.purpose or "").lower() in purposes)
    return list_records(
        estate,
        kinds.S3_BUCKET,
        f,
        extra=extra,
        extra_key=(purpose, public, encrypted),
        sort=sort,
        limit=limit,
        cursor=cursor,
    )


def find_db_instance(
    snapshot: Snapshot, identifier: str, account: str | None = None, region: str | None = None
) -> DBInstance:
    """Resolve a bare identifier or an ARN; ambiguity across accounts/regions is a UserError listing the ARNs."""
    ident = identifier.strip()
    if not ident:
        raise UserError("identifier is empty: pass a DB instance identifier or ARN (list_db_instances lists them)")
    if ident.startswith("arn:"):
        for db in snapshot.db_instances:
            if db.arn == ident:
                return db
        if ":cluster:" in ident:
            raise NotFoundError(f"{ident!r} is an Aurora/DB cluster ARN: call list_db_clusters (q=...) for clusters")
        raise NotFoundError(f"no DB instance with ARN {ident!r}; call list_db_instances to find valid identifiers")
    accounts = account_ids(snapshot, account)
    regions = region_set(snapshot, region)
    named = [db for db in snapshot.db_instances if db.identifier.lower() == ident.lower()]  # RDS ids are lower-case
    matches = [
        db for db in named if (accounts is None or db.account in accounts) and (regions is None or db.region in regions)
    ]
    if named and not matches:
        elsewhere = ", ".join(db.arn for db in named[:10])
        raise NotFoundError(f"DB instance {ident!r} is not in the account/region given; it exists as {elsewhere}")
    if not matches:
        raise NotFoundError(
            f"no DB instance {ident!r} in the inventory; call list_db_instances (q='{ident[:20]}') to find it"
        )
    if len(matches) > 1:
        arns = ", ".join(db.arn for db in matches[:10])
        raise UserError(f"identifier {ident!r} is ambiguous ({len(matches)} matches); pass one of these ARNs: {arns}")
    return matches[0]


def count_by(records: Iterable[T], key: Callable[[T], str | None], *, top: int | None = None) -> dict[str, int]:
    """Counts per key (None -> 'untagged'), largest first, optionally the top N plus 'other'."""
    counts = Counter(key(r) or UNTAGGED for r in records)
    ordered = counts.most_common()
    if top is not None and len(ordered) > top:
        head, tail = ordered[:top], ordered[top:]
        return dict(head) | {"other": sum(c for _, c in tail)}
    return dict(ordered)
