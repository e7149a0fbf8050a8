"""`Memo`: values computed once per key for the lifetime of their owner (an estate, an analysis context).

Concurrent first calls for one key wait for a single computation (the findings of 100,000 instances are not
computed twice because two requests arrived together); different keys compute in parallel. A computation
that raises is not kept. With `maxsize`, the least recently used values are dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Memo:
    def __init__(self, maxsize: int | None = None) -> None:
        self._maxsize = maxsize
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            gate = self._pending.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            try:
                value = compute()
            finally:
                with self._lock:
                    self._pending.pop(key, None)
            with self._lock:
                self._values[key] = value
                if self._maxsize is not None:
                    while len(self._values) > self._maxsize:
                        self._values.popitem(last=False)
            return value

    def __len__(self) -> int:
        return len(self._values)
