"""Pausing the cyclic garbage collector while many acyclic objects are built (findings, cost lines, records).

Their allocations would trigger collections that only rescan the large, long-lived snapshot. The pause is
process-wide, so it is counted: concurrent pauses on worker threads nest, and the collector is enabled again
when the last one ends (and only if it was enabled before the first).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
