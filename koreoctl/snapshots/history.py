"""Choosing snapshots from a store: filters for ``snapshot list`` and the pair ``koreoctl
diff`` compares when it is not told (the latest against the one before it in its history:
the same command over the same target).

``koreoctl diff`` compares *runs* (``koreoctl.snapshots.shards``): a reference that names a
shard snapshot of a sharded run means the whole run, its shards merged, and ``@latest~N``
counts runs. ``REF:shard`` means the one snapshot ``REF`` names, alone (as ``snapshot show``
names it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from koreoctl.errors import UsageError
from koreoctl.snapshots.shards import run_of, runs
from koreoctl.snapshots.store import Scan, SnapshotInfo, group_key, resolve

SHARD_SUFFIX = ":shard"  # REF:shard: that one snapshot, not the run it is a shard of


@dataclass(frozen=True)
class Pair:
    """What to compare: ``a`` (None: nothing, the first of its history) against ``b``."""

    a: SnapshotInfo | None
    b: SnapshotInfo
    note: str | None = None


def select(
    found: Scan,
    *,
    command: str | None = None,
    writer: str | None = None,
    commit: str | None = None,
) -> tuple[SnapshotInfo, ...]:
    """The snapshots (in store order) of ``command``, by ``writer``, at a git commit that
    starts with ``commit``."""
    return tuple(
        info
        for info in found.snapshots
        if (command is None or info.command == command)
        and (writer is None or info.writer == writer)
        and (commit is None or (info.commit or "").startswith(commit.lower()))
    )


def pair(found: Scan, first: str | None, second: str | None, *, command: str | None = None) -> Pair:
    """The two runs ``koreoctl diff [A] [B]`` compares (see ``resolve_run``).

    None given: the latest run (of ``command``) against the one before it in its history.
    One: that run against the latest of its history. Two: the two, which must be of the
    same command.
    """
    where: Callable[[SnapshotInfo], bool] | None = None
    if command is not None:
        where = lambda info: info.command == command  # noqa: E731
    units = runs(found.snapshots)
    if first is None:
        chosen = [unit for unit in units if where is None or where(unit)]
        if not chosen:
            what = f"{command} " if command else ""
            raise UsageError(
                f"no {what}snapshots to compare in this store; record one with "
                "`koreoctl test --snapshot` or `koreoctl render --snapshot`"
            )
        latest = chosen[-1]
        before = _history(units, latest)[:-1]
        if not before:
            return Pair(None, latest, "it is the first snapshot of its history")
        return Pair(before[-1], latest)
    a = resolve_run(first, found, where=where, units=units)
    if second is None:
        history = _history(units, a)
        b = history[-1] if history else a
        note = "it is the latest of its history" if b == a else None
        return Pair(a, b, note)
    b = resolve_run(second, found, where=where, units=units)
    if a.command != b.command:
        raise UsageError(
            f"cannot compare a {a.command} snapshot ({a.short}) with a {b.command} snapshot "
            f"({b.short})"
        )
    return Pair(a, b)


def resolve_run(
    reference: str,
    found: Scan,
    *,
    where: Callable[[SnapshotInfo], bool] | None = None,
    units: tuple[SnapshotInfo, ...] | None = None,
) -> SnapshotInfo:
    """The run ``reference`` names: any snapshot reference (``store.resolve``), where a
    shard snapshot means its whole run and ``@latest~N`` counts runs; ``REF:shard``, the
    snapshot ``REF`` names alone."""
    if reference.endswith(SHARD_SUFFIX) and len(reference) > len(SHARD_SUFFIX):
        return resolve(reference[: -len(SHARD_SUFFIX)], found, where=where)
    if units is None:
        units = runs(found.snapshots)
    if reference.startswith("@"):
        return resolve(reference, Scan(units), where=where)
    return run_of(resolve(reference, found, where=where), units)


def _history(units: tuple[SnapshotInfo, ...], info: SnapshotInfo) -> list[SnapshotInfo]:
    key = group_key(info)
    return [other for other in units if group_key(other) == key]
