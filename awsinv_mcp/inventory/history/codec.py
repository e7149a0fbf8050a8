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
from datetime import date, datetime
from typing import Any

from awsinv_mcp.inventory.history.reader import FINDING
from awsinv_mcp.inventory.kinds import ResourceKind
from awsinv_mcp.models.findings import Finding


def plain(value: Any) -> Any:
    """`value` as JSON-ready data: dataclasses to dicts, tuples to lists, dates to ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
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
    hints = _hints(cls)
    return cls(**{name: _value(hints[name], value) for name, value in data.items() if name in hints})


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in typing.get_type_hints(cls).items() if k in names}


def _value(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _value(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        inner = typing.get_args(hint)[0]
        return tuple(_value(inner, v) for v in value)
    if origin is dict or origin is typing.Literal:
        return value
    if hint is datetime:
        return datetime.fromisoformat(value)
    if hint is date:
        return date.fromisoformat(value)
    if dataclasses.is_dataclass(hint):
        return revive(hint, value)  # type: ignore[arg-type]
    return value
