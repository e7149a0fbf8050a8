"""Fast deterministic drawing helpers over `random.Random` (weighted picks, AWS-style ids, dates)."""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Pick(Generic[T]):
    """A weighted choice, precomputed once and drawn in O(log n) with one `rng.random()` call."""

    __slots__ = ("_bounds", "_items")

    def __init__(self, weighted: Iterable[tuple[T, float]]) -> None:
        pairs = [(item, weight) for item, weight in weighted if weight > 0]
        if not pairs:
            raise ValueError("Pick needs at least one item with a positive weight")
        self._items = tuple(item for item, _ in pairs)
        cum = list(accumulate(weight for _, weight in pairs))
        # upper bounds in [0, 1); the last is infinite so rounding can never index past the end
        self._bounds = [c / cum[-1] for c in cum[:-1]] + [math.inf]

    def __call__(self, rng: random.Random) -> T:
        return self._items[bisect_right(self._bounds, rng.random())]

    @property
    def items(self) -> tuple[T, ...]:
        return self._items


def rates_pick(rates: dict[str, tuple[float, ...]], index: int, rest: str) -> Pick[str]:
    """A pick among named outcomes with probabilities `rates[name][index]`; `rest` takes what is left."""
    weighted = [(name, values[index]) for name, values in rates.items()]
    return Pick([*weighted, (rest, 1.0 - sum(w for _, w in weighted))])


def one_of(rng: random.Random, options: Sequence[T]) -> T:
    """A uniform choice; several times faster than `rng.choice` (bias below 2**-40, irrelevant here)."""
    return options[int(rng.random() * len(options))]


def below(rng: random.Random, n: int) -> int:
    """A uniform integer in [0, n), the fast way (see `one_of`)."""
    return int(rng.random() * n)


def hex_id(rng: random.Random, prefix: str, digits: int = 17) -> str:
    """An AWS-style resource id, e.g. `sg-0a1b2c3d4e5f60718`."""
    return f"{prefix}-{rng.getrandbits(digits * 4):0{digits}x}"


def key_uuid(rng: random.Random) -> str:
    """A UUID-shaped string (KMS key ids)."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def days_ago(rng: random.Random, base: datetime, low: int, high: int) -> datetime:
    """A time between `high` and `low` whole days before `base` (minute resolution)."""
    return base - timedelta(days=low + int(rng.random() * (high - low + 1)), minutes=int(rng.random() * 1440))


def stream(seed: int, name: str) -> random.Random:
    """An independent random stream per part of the estate, so parts do not shift one another."""
    return random.Random(f"awsinv:{seed}:{name}")
