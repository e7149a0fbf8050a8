"""Last good data: a refresh whose parts failed keeps those parts' previous records, and says so.

A collector names what it could not collect as `Snapshot.gaps` (account, region, service; see
`inventory/aws/collector.py`). `carry_forward(previous, new)` copies into `new` every record of `previous` that a gap
covers and `new` lacks (by the kind's identity), with one warning per gap giving the kept records' age. A refresh
where everything failed (a gap over the whole estate, or no account answered) keeps `previous` whole and says so.
Pure: the store applies it to each new snapshot (`inventory/store.py`).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from awsinv_mcp.inventory.kinds import KINDS
from awsinv_mcp.models.inventory import Gap, Snapshot, Warning


def age(since: datetime, now: datetime) -> str:
    """'3 h 5 min', '2 d 4 h', '40 s': how old data collected at `since` is at `now`."""
    seconds = max(0, int((now - since).total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else f"{secs} s"


def _scope(gap: Gap) -> str:
    return "/".join(p for p in (gap.account or "every account", gap.region, gap.service) if p)


def _note(group: list[tuple[Gap, int]], now: datetime) -> Warning:
    """One warning per account x region whose records were kept (however many services failed there)."""
    first = group[0][0]
    since = min(g.since for g, _ in group if g.since is not None)
    services = sorted({g.service for g, _ in group if g.service})
    place = _scope(dataclasses.replace(first, service=",".join(services) or None))
    count = sum(n for _, n in group)
    return Warning(
        scope=place,
        message=f"kept {count} record(s) of {place} from the collection at {since:%Y-%m-%d %H:%M:%S}Z "
        f"({age(since, now)} old): this part of the refresh failed (see its other warning)",
    )


def _everything_failed(previous: Snapshot, new: Snapshot) -> bool:
    return any(not g.account for g in new.gaps) or (not new.accounts and bool(previous.accounts))


def carry_forward(previous: Snapshot | None, new: Snapshot) -> Snapshot:
    """`new` with the records its gaps lost taken from `previous` (see the module docstring)."""
    if previous is None or not new.gaps or previous.source != new.source:
        return new
    if _everything_failed(previous, new):
        reasons = "; ".join(w.message for w in new.warnings[:3]) or "no account answered"
        note = Warning(
            scope="inventory",
            message=f"the refresh at {new.collected_at:%Y-%m-%d %H:%M:%S}Z failed everywhere ({reasons}); answering "
            f"from the last good snapshot, collected {age(previous.collected_at, new.collected_at)} earlier",
        )
        return dataclasses.replace(previous, warnings=(note, *new.warnings))
    earlier = {(g.account, g.region, g.service): g.since for g in previous.gaps}
    gaps = tuple(
        dataclasses.replace(g, since=earlier.get((g.account, g.region, g.service)) or previous.collected_at)
        for g in new.gaps
    )
    kept: dict[Gap, int] = dict.fromkeys(gaps, 0)
    fields: dict[str, tuple[object, ...]] = {}
    regions = set(new.regions)
    for kind in KINDS:
        present = {kind.key(r) for r in kind.records(new)}
        extra = []
        for record in kind.records(previous):
            gap = next((g for g in gaps if g.covers(record.account, record.region, kind.service)), None)
            if gap is not None and kind.key(record) not in present:
                extra.append(record)
                kept[gap] += 1
                regions.add(record.region)
        if extra:
            fields[kind.field] = tuple(sorted((*kind.records(new), *extra), key=kind.key))
    accounts = {a.id: a for a in new.accounts}
    for account in previous.accounts:
        if account.id not in accounts and any(g.account == account.id for g in gaps):
            accounts[account.id] = account
    by_place: dict[tuple[str, str | None], list[tuple[Gap, int]]] = {}
    for g, n in kept.items():
        if n and g.since is not None:
            by_place.setdefault((g.account, g.region), []).append((g, n))
    notes = tuple(_note(group, new.collected_at) for group in by_place.values())
    return dataclasses.replace(
        new,
        accounts=tuple(sorted(accounts.values(), key=lambda a: a.id)),
        regions=tuple(sorted(r for r in regions if r)),
        warnings=(*new.warnings, *notes),
        gaps=gaps,
        lifecycle_overrides=new.lifecycle_overrides or previous.lifecycle_overrides,
        organisation=new.organisation or previous.organisation,
        orderable_classes=new.orderable_classes or previous.orderable_classes,
        **fields,
    )
