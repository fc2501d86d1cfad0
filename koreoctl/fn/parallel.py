"""Splitting a large, pure computation over the machine's cores (``vet-celexpr`` on a unit
of thousands of resources).

``split_map(work, count)`` returns ``work(0, count)``, computed as ``work(start, end)`` over
consecutive parts in forked worker processes and this one, joined in order: the result is the
same as the serial one, only sooner. Workers are forked (they inherit the data and compiled
programs as they are, nothing is pickled but the results), so this is done only where fork
is safe and cheap: on Linux, with no other thread running, for at least ``minimum`` items.
``KOREOCTL_PROCESSES=1`` turns it off. A worker that cannot start or dies makes the whole
computation run serially instead.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

__all__ = ["process_count", "split_map"]

T = TypeVar("T")

MAXIMUM_PROCESSES = 4
_work: Callable[[int, int], list[object]] | None = None


def process_count(count: int, minimum: int) -> int:
    """How many processes (this one included) to split ``count`` items over."""
    if count < minimum or sys.platform != "linux" or threading.active_count() > 1:
        return 1
    setting = os.environ.get("KOREOCTL_PROCESSES", "").strip()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    wanted = int(setting) if setting.isdigit() and int(setting) > 0 else (cores or 1)
    return max(1, min(wanted, MAXIMUM_PROCESSES, count // max(minimum // 2, 1)))


def _run_part(start: int, end: int) -> list[object]:
    assert _work is not None, "split_map's work is set before the workers fork"
    return _work(start, end)


def split_map(work: Callable[[int, int], list[T]], count: int, *, minimum: int = 1000) -> list[T]:
    """``work(0, count)``, split over processes when that is worth it (see the module)."""
    parts = process_count(count, minimum)
    if parts == 1:
        return work(0, count)
    global _work
    bounds = [(count * i // parts, count * (i + 1) // parts) for i in range(parts)]
    _work = work  # type: ignore[assignment]
    try:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=parts - 1, mp_context=context) as pool:
            futures = [pool.submit(_run_part, start, end) for start, end in bounds[1:]]
            results = [work(*bounds[0])]
            results.extend(future.result() for future in futures)  # type: ignore[misc]
    except (BrokenProcessPool, OSError):
        return work(0, count)
    finally:
        _work = None
    return [item for part in results for item in part]
