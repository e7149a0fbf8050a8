"""What changed between two snapshots, per kind: records added, removed and changed, with field-level changes.

Pure: it compares memberships ((kind, key) -> content hash) and, for changed records, their decoded bodies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    kind: str
    key: str
    change: str  # added, removed, changed
    fields: tuple[FieldChange, ...] = field(default=())


def changed_keys(
    before: dict[tuple[str, str], str], after: dict[tuple[str, str], str]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """(added, removed, changed) (kind, key) pairs, each sorted."""
    added = sorted(k for k in after if k not in before)
    removed = sorted(k for k in before if k not in after)
    changed = sorted(k for k, h in after.items() if k in before and before[k] != h)
    return added, removed, changed


def field_changes(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> tuple[FieldChange, ...]:
    """Leaf-level differences between two decoded records (nested dicts such as tags compared key by key)."""
    out: list[FieldChange] = []
    for name in sorted(set(before) | set(after)):
        b, a = before.get(name), after.get(name)
        if b == a:
            continue
        path = f"{prefix}{name}"
        if isinstance(b, dict) and isinstance(a, dict):
            out.extend(field_changes(b, a, path + "."))
        else:
            out.append(FieldChange(field=path, before=b, after=a))
    return tuple(out)
