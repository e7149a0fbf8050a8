"""Canonical JSON of records (via the kinds registry) and their content hash.

One record version is stored once however many snapshots hold it: its identity is the sha256 of its canonical
JSON (sorted keys, compact separators, dates as ISO strings). Tags are stored whole; no credentials live in
records (`models/inventory.py`), and nothing else of a collection is stored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date, datetime
from typing import Any

from awsinv_mcp.inventory.kinds import ResourceKind


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


def decode(body: str) -> dict[str, Any]:
    return json.loads(body)
