"""Fast deterministic drawing helpers over `random.Random` (weighted picks, AWS-style ids, dates)."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Pick(Generic[T]):
    """A weighted choice, precomputed once and drawn in O(log n) with one `rng.random()` call."""

    __slots__ = ("_cum", "_items", "_total")

    def __init__(self, weighted: Iterable[tuple[T, float]]) -> None:
        pairs = [(item, weight) for item, weight in weighted if weight > 0]
        if not pairs:
            raise ValueError("Pick needs at least one item with a positive weight")
        self._items = tuple(item for item, _ in pairs)
        self._cum = list(accumulate(weight for _, weight in pairs))
        self._total = self._cum[-1]

    def __call__(self, rng: random.Random) -> T:
        index = bisect_right(self._cum, rng.random() * self._total)
        return self._items[min(index, len(self._items) - 1)]

    @property
    def items(self) -> tuple[T, ...]:
        return self._items


def hex_id(rng: random.Random, prefix: str, digits: int = 17) -> str:
    """An AWS-style resource id, e.g. `sg-0a1b2c3d4e5f60718`."""
    return f"{prefix}-{rng.getrandbits(digits * 4):0{digits}x}"


def key_uuid(rng: random.Random) -> str:
    """A UUID-shaped string (KMS key ids)."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def days_ago(rng: random.Random, base: datetime, low: int, high: int) -> datetime:
    """A time between `high` and `low` whole days before `base` (minute resolution)."""
    return base - timedelta(days=rng.randint(low, high), minutes=rng.randrange(1440))


def stream(seed: int, name: str) -> random.Random:
    """An independent random stream per part of the estate, so parts do not shift one another."""
    return random.Random(f"awsinv:{seed}:{name}")
