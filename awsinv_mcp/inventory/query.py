"""Pure queries over a snapshot: filters, text match, sorting, identifier resolution, summary counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

from awsinv_mcp.engine_versions import version_sort_key
from awsinv_mcp.errors import NotFoundError, UserError
from awsinv_mcp.models.inventory import DBInstance, Snapshot

T = TypeVar("T")

RDS_ENGINES = (
    "mysql", "postgres", "mariadb", "aurora-mysql", "aurora-postgresql", "oracle-ee", "oracle-ee-cdb",
    "oracle-se2", "oracle-se2-cdb", "sqlserver-ee", "sqlserver-se", "sqlserver-ex", "sqlserver-web",
)  # fmt: skip
ENGINE_FAMILIES = {
    "aurora": ("aurora-mysql", "aurora-postgresql"),
    "oracle": ("oracle-ee", "oracle-ee-cdb", "oracle-se2", "oracle-se2-cdb"),
    "sqlserver": ("sqlserver-ee", "sqlserver-se", "sqlserver-ex", "sqlserver-web"),
    "postgresql": ("postgres", "aurora-postgresql"),
    "mysql-compatible": ("mysql", "mariadb", "aurora-mysql"),
}


def _words(value: str | None) -> list[str]:
    return [v.strip().lower() for v in (value or "").split(",") if v.strip()]


def engine_set(engine: str | None) -> frozenset[str] | None:
    """Engines selected by a comma list of engine names or families (aurora, oracle, sqlserver, postgresql)."""
    names = _words(engine)
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
    names = _words(account)
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
    names = _words(region)
    if not names:
        return None
    unknown = [r for r in names if r not in snapshot.regions]
    if unknown:
        raise UserError(f"unknown region {unknown[0]!r}; regions in the inventory: {', '.join(snapshot.regions)}")
    return frozenset(names)


SNAPSHOT_TYPES = ("manual", "automated", "awsbackup", "shared", "public")  # RDS SnapshotType values, lower-cased


def choice_set(value: str | None, allowed: Sequence[str], name: str) -> frozenset[str] | None:
    """A comma list of values from a closed set (case-insensitive); raises UserError naming the valid ones."""
    words = _words(value)
    unknown = [w for w in words if w not in allowed]
    if unknown:
        raise UserError(f"unknown {name} {unknown[0]!r}; use {', '.join(allowed)}")
    return frozenset(words) or None


PRODUCTION_SPELLINGS = ("production", "prod", "prd")  # Settings.production_values' default


def production_spellings(environment: str | None) -> str | None:
    """A comma list of environments where any production spelling stands for all of them (as the analysis does)."""
    words = _words(environment)
    if any(w in PRODUCTION_SPELLINGS for w in words):
        words += [p for p in PRODUCTION_SPELLINGS if p not in words]
    return ",".join(words) or environment


@lru_cache(maxsize=6)
def tag_values(snapshot: Snapshot, attr: str) -> tuple[str, ...]:
    """Distinct values of a tag-derived attribute (team, application) across the estate."""
    records = (snapshot.db_instances, snapshot.db_clusters, snapshot.db_snapshots, snapshot.ec2_instances,
               snapshot.volumes, snapshot.s3_buckets)  # fmt: skip
    return tuple(sorted({v for group in records for r in group if (v := getattr(r, attr, None))}))


def check_tag_values(snapshot: Snapshot, attr: str, value: str | None) -> None:
    """Refuse a team or application no resource carries (it would silently match nothing)."""
    known = tag_values(snapshot, attr)
    lowered = {v.lower() for v in known}
    unknown = [w for w in _words(value) if w not in lowered]
    if unknown and known:
        shown = ", ".join(known[:30]) + (f" (+{len(known) - 30} more)" if len(known) > 30 else "")
        raise UserError(f"unknown {attr} {unknown[0]!r}; {attr} values in the inventory: {shown}")


@dataclass(frozen=True)
class Filters:
    """Common filters; every field is optional and a comma list means 'any of'."""

    engine: str | None = None
    region: str | None = None
    account: str | None = None
    environment: str | None = None
    team: str | None = None
    application: str | None = None
    status: str | None = None
    q: str | None = None


def _matcher(values: str | None) -> Callable[[str | None], bool] | None:
    wanted = _words(values)
    if not wanted:
        return None
    wanted_set = frozenset(wanted)
    return lambda v: v is not None and v.lower() in wanted_set


def text_match(q: str | None, fields: Callable[[Any], Iterable[str | None]]) -> Callable[[Any], bool] | None:
    """Case-insensitive substring match over ids, names and tag values."""
    if not q or not q.strip():
        return None
    needle = q.strip().lower()
    return lambda r: any(needle in f.lower() for f in fields(r) if f)


def _tag_fields(r: Any) -> Iterable[str | None]:
    yield from r.tags.values()
    yield from r.tags.keys()


def predicates(
    snapshot: Snapshot,
    f: Filters,
    *,
    status_attr: str = "status",
    engine_attr: str | None = "engine",
    text_fields: Callable[[Any], Iterable[str | None]] | None = None,
) -> list[Callable[[Any], bool]]:
    """Checks for a record type; raises UserError for unknown engines, regions and accounts."""
    checks: list[Callable[[Any], bool]] = []
    engines = engine_set(f.engine) if engine_attr else None
    if engines is not None:
        checks.append(lambda r: getattr(r, engine_attr) in engines)
    regions = region_set(snapshot, f.region)
    if regions is not None:
        checks.append(lambda r: r.region in regions)
    accounts = account_ids(snapshot, f.account)
    if accounts is not None:
        checks.append(lambda r: r.account in accounts)
    for attr, value in (("environment", f.environment), ("team", f.team), ("application", f.application)):
        if attr == "environment":
            check_tag_values(snapshot, attr, ",".join(w for w in _words(value) if w not in PRODUCTION_SPELLINGS))
            value = production_spellings(value)
        else:
            check_tag_values(snapshot, attr, value)
        m = _matcher(value)
        if m is not None:
            checks.append(lambda r, m=m, attr=attr: m(getattr(r, attr)))
    m = _matcher(f.status)
    if m is not None:
        checks.append(lambda r: m(getattr(r, status_attr)))
    arn = (f.q or "").strip()
    if arn.lower().startswith("arn:"):  # an ARN selects exactly its resource
        checks.append(lambda r: (getattr(r, "arn", None) or "").lower() == arn.lower())
        return checks
    tm = text_match(
        f.q, text_fields or (lambda r: (getattr(r, "identifier", None), getattr(r, "name", None), *_tag_fields(r)))
    )
    if tm is not None:
        checks.append(tm)
    return checks


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

    def sort_key(r: Any) -> tuple[bool, Any]:
        v = getattr(r, key)
        if isinstance(v, datetime):
            v = v.timestamp()
        elif key == "engine_version":
            v = version_sort_key(v)
        return (v is None, v if v is not None else 0)

    present = [r for r in records if getattr(r, key) is not None]
    missing = [r for r in records if getattr(r, key) is None]
    present.sort(key=sort_key, reverse=descending)
    return present + missing


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
    ]  # fmt: skip
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
    counts = Counter(key(r) or "untagged" for r in records)
    ordered = counts.most_common()
    if top is not None and len(ordered) > top:
        head, tail = ordered[:top], ordered[top:]
        return dict(head) | {"other": sum(c for _, c in tail)}
    return dict(ordered)
