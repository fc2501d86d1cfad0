"""Choosing snapshots from a store: filters for ``snapshot list`` and the pair ``koreoctl
diff`` compares when it is not told (the latest against the one before it in its history:
the same command over the same target)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from koreoctl.errors import UsageError
from koreoctl.snapshots.store import Scan, SnapshotInfo, group_key, resolve


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
    """The two snapshots ``koreoctl diff [A] [B]`` compares.

    None given: the latest snapshot (of ``command``) against the one before it in its
    history. One: that snapshot against the latest of its history. Two: the two, which must
    be of the same command.
    """
    where: Callable[[SnapshotInfo], bool] | None = None
    if command is not None:
        where = lambda info: info.command == command  # noqa: E731
    if first is None:
        chosen = select(found, command=command)
        if not chosen:
            what = f"{command} " if command else ""
            raise UsageError(
                f"no {what}snapshots to compare in this store; record one with "
                "`koreoctl test --snapshot` or `koreoctl render --snapshot`"
            )
        latest = chosen[-1]
        before = _history(found, latest)[:-1]
        if not before:
            return Pair(None, latest, "it is the first snapshot of its history")
        return Pair(before[-1], latest)
    a = resolve(first, found, where=where)
    if second is None:
        history = _history(found, a)
        b = history[-1] if history else a
        note = "it is the latest of its history" if b == a else None
        return Pair(a, b, note)
    b = resolve(second, found, where=where)
    if a.command != b.command:
        raise UsageError(
            f"cannot compare a {a.command} snapshot ({a.short}) with a {b.command} snapshot "
            f"({b.short})"
        )
    return Pair(a, b)


def _history(found: Scan, info: SnapshotInfo) -> list[SnapshotInfo]:
    key = group_key(info)
    return [other for other in found.snapshots if group_key(other) == key]
