"""Canonical JSON of records (via the kinds registry) and their content hash.

One record version is stored once however many snapshots hold it: its identity is the sha256 of its canonical
JSON (sorted keys, compact separators, dates as ISO strings). Tags are stored whole; no credentials live in
records (`models/inventory.py`), and nothing else of a collection is stored.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from awsinv_mcp.inventory.history.reader import FINDING
from awsinv_mcp.inventory.kinds import ResourceKind
from awsinv_mcp.models.findings import Finding

_SCALARS = frozenset({str, int, float, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # dataclass -> its field names (dataclasses.fields is slow)


def plain(value: Any) -> Any:
    """`value` as JSON-ready data: dataclasses to dicts, tuples to lists, dates to ISO strings (the store's hot
    path: every record of every saved snapshot goes through it)."""
    cls = type(value)
    if cls in _SCALARS:
        return value
    names = _FIELD_NAMES.get(cls)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if cls is tuple or cls is list:
        return [v if type(v) in _SCALARS else plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    return value


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclasses.dataclass(frozen=True, slots=True)
class Encoded:
    kind: str
    key: str  # "identifier/account/region": one resource's versions are a key range (`sql.resource_history`)
    hash: str
    body: str  # canonical JSON


def record_key(kind: ResourceKind, record: Any) -> str:
    account, region, identifier = kind.key(record)
    return f"{identifier}/{account}/{region}"


def split_key(key: str) -> tuple[str, str, str]:
    """(identifier, account, region) of a stored key."""
    identifier, account, region = key.rsplit("/", 2)
    return identifier, account, region


def encode(kind: ResourceKind, record: Any) -> Encoded:
    body = canonical(plain(record))
    return Encoded(kind=kind.name, key=record_key(kind, record), hash=content_hash(body), body=body)


def finding_key(f: Finding) -> str:
    """`identifier/account/region|resource_type|rule|severity`: a resource's findings share its key range, and a
    finding whose severity changes counts as one resolved and one opened."""
    return f"{f.resource_id}/{f.account}/{f.region}|{f.resource_type}|{f.rule}|{f.severity}"


def split_finding_key(key: str) -> tuple[str, str, str, str, str, str]:
    """(identifier, account, region, resource_type, rule, severity) of a finding's key."""
    resource, resource_type, rule, severity = key.rsplit("|", 3)
    return (*split_key(resource), resource_type, rule, severity)


def encode_finding(f: Finding) -> Encoded:
    """A finding as a history member: what identifies it and whom it concerns (no evidence: values such as a
    backup retention are the record's, so an unchanged finding keeps its version)."""
    body = canonical(
        {
            "rule": f.rule,
            "severity": f.severity,
            "resource_type": f.resource_type,
            "resource_id": f.resource_id,
            "account": f.account,
            "region": f.region,
            "environment": f.environment,
            "team": f.team,
        }
    )
    return Encoded(kind=FINDING, key=finding_key(f), hash=content_hash(body), body=body)


def decode(body: str) -> dict[str, Any]:
    return json.loads(body)


def revive(cls: type, data: Any) -> Any:
    """The inverse of `plain` for the record classes of `models/inventory.py`: nested dataclasses, tuples, dicts,
    dates and datetimes rebuilt from their field types (a field missing from `data` takes its default)."""
    converters = _converters(cls)
    out = {}
    for name, value in data.items():
        if name in converters:
            convert = converters[name]
            out[name] = value if convert is None or value is None else convert(value)
    return cls(**out)


@functools.cache
def _converters(cls: type) -> dict[str, Callable[[Any], Any] | None]:
    """field name -> how to rebuild its value from JSON (None: as it is), from the class' type hints."""
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: _converter(v) for k, v in typing.get_type_hints(cls).items() if k in names}


def _converter(hint: Any) -> Callable[[Any], Any] | None:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _converter(options[0]) if len(options) == 1 else None
    if origin is tuple:
        inner = _converter(typing.get_args(hint)[0])
        return tuple if inner is None else (lambda v: tuple(inner(x) for x in v))
    if hint is datetime:
        return datetime.fromisoformat
    if hint is date:
        return date.fromisoformat
    if dataclasses.is_dataclass(hint):
        return lambda v: revive(hint, v)  # type: ignore[arg-type]
    return None  # str, int, float, bool, Literal, dict[str, str]
