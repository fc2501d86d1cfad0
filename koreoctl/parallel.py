"""Splitting pure work over the machine's cores: lint's file analysis, ``test -j N``,
``vet-celexpr`` over a unit of thousands of resources.

``split_map(work, count, processes=P)`` returns ``work(range(count))``, computed as ``work``
over P strided parts (indexes k, k+P, k+2P, ...; strided, so slow items at one end of the
list are shared out) in forked worker processes and this one, put back in index order: the
result is the serial one, only sooner. Workers are forked, so they inherit the data, the
loaded program and compiled expressions as they are; nothing is pickled but the indexes
and the results. Fork is used only where it is safe and cheap: on Linux, with no other thread
running. A worker that cannot start or dies makes the work run serially instead; an exception
raised by the work reaches the caller as in a serial run.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

__all__ = ["MAXIMUM_PROCESSES", "can_fork", "cores", "process_count", "split_map"]

T = TypeVar("T")

MAXIMUM_PROCESSES = 4
_work: Callable[[Sequence[int]], list[Any]] | None = None


def can_fork() -> bool:
    """Whether work can be forked here: Linux, and no other thread that a fork would copy
    in the middle of whatever it is doing."""
    return sys.platform == "linux" and threading.active_count() == 1


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def process_count(count: int, minimum: int) -> int:
    """How many processes (this one included) to split ``count`` items over when the split
    is koreoctl's choice: none below ``minimum`` items, at least half of it per process, at
    most ``MAXIMUM_PROCESSES``; ``KOREOCTL_PROCESSES`` caps it (1: never split)."""
    if count < minimum or not can_fork():
        return 1
    setting = os.environ.get("KOREOCTL_PROCESSES", "").strip()
    wanted = int(setting) if setting.isdigit() and int(setting) > 0 else cores()
    return max(1, min(wanted, MAXIMUM_PROCESSES, count // max(minimum // 2, 1)))


def _run_part(indexes: Sequence[int]) -> list[Any]:
    assert _work is not None, "split_map's work is set before the workers fork"
    return _work(indexes)


def split_map(work: Callable[[Sequence[int]], list[T]], count: int, processes: int) -> list[T]:
    """``work(range(count))`` over up to ``processes`` processes (see the module)."""
    processes = min(processes, count)
    if processes <= 1 or not can_fork():
        return work(range(count))
    global _work
    parts = [range(start, count, processes) for start in range(processes)]
    _work = work
    # Objects made before the fork are moved out of the collector's sight: a collection in a
    # worker would otherwise write to (and so copy) every page of the data it inherited.
    gc.freeze()
    try:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=processes - 1, mp_context=context) as pool:
            futures = [pool.submit(_run_part, part) for part in parts[1:]]
            results = [work(parts[0])]
            results.extend(future.result() for future in futures)
    except (BrokenProcessPool, OSError):
        return work(range(count))
    finally:
        _work = None
        gc.unfreeze()
    ordered: list[Any] = [None] * count
    for part, result in zip(parts, results, strict=True):
        for index, item in zip(part, result, strict=True):
            ordered[index] = item
    return ordered
