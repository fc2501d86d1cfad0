"""The shard snapshots of one sharded run, seen together.

``koreoctl test --shard I/N --snapshot`` records each shard as its own snapshot (each CI job
is its own writer). Its header says which shard it is, ``shard: {"index": I, "count": N}``,
and carries a **run key**, ``run``: the SHA-256 of the canonical JSON of everything the
record holds that does not depend on the shard (the command, the target, the input digests,
the refs) and of ``N``. The N shards of one run share it; a run of other inputs, another
``-k`` or another N has another.

``runs`` turns the snapshots of a store (in store order) into *runs*: a snapshot without a
shard is a run of its own; the shard snapshots with one run key and count are one run, seen
as one ``SnapshotInfo`` whose ``members`` are the shards (by index) and whose payload is the
members' merged (``merge_payloads``). A run stands where its last shard stands in the store
order. Runs with the same inputs repeated (a CI pipeline run again) share their key: walking
the store in order, each shard joins the oldest run of its key that lacks its index, else
starts the next run (so two pipelines on one commit, their jobs interleaved, are two complete
runs; a shard recorded twice, a retried job, makes a second, incomplete run).

Nothing is written: the shard snapshots stay as they were recorded, and snapshots recorded
before shards were (no ``shard`` in the header) read as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from koreoctl.errors import UsageError
from koreoctl.snapshots.store import SnapshotInfo, canonical_json, digest

_COUNTED = ("tests", "cases", "passed", "failed", "skipped", "errors")


def run_key(
    command: str,
    target: Mapping[str, Any],
    inputs: Mapping[str, str | None],
    refs: Sequence[Mapping[str, Any]],
    count: int,
) -> str:
    """The key the ``count`` shards of one run share (hex SHA-256)."""
    basis = {
        "command": command,
        "target": dict(target),
        "inputs": dict(inputs),
        "refs": [dict(ref) for ref in refs],
        "shards": count,
    }
    return digest(canonical_json(basis))


def shard_of(info: SnapshotInfo) -> tuple[int, int] | None:
    """``(index, count)`` of a shard snapshot with a run key; None for any other snapshot
    (and for a run of several shards)."""
    if info.members:
        return None
    shard = info.header.get("shard")
    if not isinstance(shard, Mapping) or not isinstance(info.header.get("run"), str):
        return None
    index, count = shard.get("index"), shard.get("count")
    if type(index) is not int or type(count) is not int or not 1 <= index <= count:
        return None
    return index, count


@dataclass(frozen=True)
class ShardSet:
    """Which shards of a run of ``count`` a snapshot or run holds."""

    count: int
    present: tuple[int, ...]

    @property
    def missing(self) -> tuple[int, ...]:
        return tuple(index for index in range(1, self.count + 1) if index not in self.present)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def label(self) -> str:
        """``shards 1-3/3 (complete)``, ``shards 1,3/3 (2 of 3: missing 2/3)``."""
        head = f"shards {_ranges(self.present)}/{self.count}"
        if self.complete:
            return f"{head} (complete)"
        missing = ", ".join(f"{index}/{self.count}" for index in self.missing)
        return f"{head} ({len(self.present)} of {self.count}: missing {missing})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "present": list(self.present),
            "missing": list(self.missing),
            "complete": self.complete,
        }


def shard_set(info: SnapshotInfo) -> ShardSet | None:
    """The shards a run (or a lone shard snapshot) holds; None for an unsharded snapshot."""
    if info.members:
        shards = [shard_of(member) for member in info.members]
        count = max(shard[1] for shard in shards if shard is not None)
        return ShardSet(count, tuple(sorted(shard[0] for shard in shards if shard is not None)))
    shard = shard_of(info)
    return None if shard is None else ShardSet(shard[1], (shard[0],))


def _ranges(numbers: Iterable[int]) -> str:
    """``1-3``, ``1,3``, ``1-2,4``."""
    spans: list[list[int]] = []
    for number in sorted(numbers):
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ",".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans)


# --- runs ------------------------------------------------------------------------------------


def runs(snapshots: Sequence[SnapshotInfo]) -> tuple[SnapshotInfo, ...]:
    """The runs of ``snapshots`` (in store order): each sharded run as one ``SnapshotInfo``
    with ``members``, standing where its last shard stands; every other snapshot as it is."""
    alone: list[tuple[int, SnapshotInfo]] = []
    sharded: list[list[tuple[int, SnapshotInfo]]] = []
    by_key: dict[tuple[str, int], list[list[tuple[int, SnapshotInfo]]]] = {}
    for position, info in enumerate(snapshots):
        shard = shard_of(info)
        if shard is None:
            alone.append((position, info))
            continue
        same = by_key.setdefault((str(info.header["run"]), shard[1]), [])
        members = next(
            (run for run in same if all(shard_of(member) != shard for _, member in run)), None
        )
        if members is None:
            members = []
            same.append(members)
            sharded.append(members)
        members.append((position, info))
    found = alone + [
        (members[-1][0], as_run([member for _, member in members])) for members in sharded
    ]
    found.sort(key=lambda item: item[0])
    return tuple(unit for _, unit in found)


def as_run(members: Sequence[SnapshotInfo]) -> SnapshotInfo:
    """The shard snapshots of one run seen as one: the first shard's file names it, the
    header is the run's (the last shard's ``created``, the summed summary, ``shards``)."""
    ordered = sorted(members, key=lambda member: (shard_of(member) or (0, 0), member.order()))
    first = ordered[0]
    latest = max(ordered, key=SnapshotInfo.order)
    shards = [shard_of(member) for member in ordered]
    count = max(shard[1] for shard in shards if shard is not None)
    present = ShardSet(count, tuple(sorted(shard[0] for shard in shards if shard is not None)))
    header = {
        key: value
        for key, value in first.header.items()
        if key not in ("shard", "argv", "payloadHash")
    }
    header["created"] = latest.created
    header["summary"] = _summed(member.header.get("summary") for member in ordered)
    header["shards"] = present.to_dict()
    git = first.header.get("git")
    if isinstance(git, Mapping):
        header["git"] = {**git, "dirty": any(_dirty(member) for member in ordered)}
    return SnapshotInfo(first.path, first.writer, first.seq, first.hash, header, tuple(ordered))


def _dirty(info: SnapshotInfo) -> bool:
    git = info.header.get("git")
    return isinstance(git, Mapping) and bool(git.get("dirty"))


def _summed(summaries: Iterable[Any]) -> dict[str, int]:
    total = dict.fromkeys(_COUNTED, 0)
    for summary in summaries:
        if isinstance(summary, Mapping):
            for key in _COUNTED:
                value = summary.get(key)
                total[key] += value if type(value) is int else 0
    return total


def run_of(info: SnapshotInfo, units: Sequence[SnapshotInfo]) -> SnapshotInfo:
    """The run ``info`` belongs to among ``units`` (``info`` itself when it is not a shard
    of one, or was read from a file outside the store)."""
    for unit in units:
        if unit == info or info in unit.members:
            return unit
    return info


# --- merging -------------------------------------------------------------------------------


def merge_payloads(run: SnapshotInfo, payloads: Sequence[Any]) -> dict[str, Any]:
    """The payload of a sharded run: its shards' tests together (in shard order), their
    summaries summed and their diagnostics without repeats, and ``shards`` (which shards
    there are; ``koreoctl diff`` warns about an incomplete run). The shards of a run are
    disjoint: a test found in two of them is an error."""
    if run.command != "test":
        raise UsageError(f"{run.short}: only test runs are sharded, not {run.command!r} runs")
    tests: list[Any] = []
    diagnostics: list[Any] = []
    seen_tests: dict[str, SnapshotInfo] = {}
    seen_diagnostics: set[bytes] = set()
    for member, payload in zip(run.members, payloads, strict=True):
        if not isinstance(payload, Mapping):
            raise UsageError(f"{member.id}: its payload is not a test report")
        for test in payload.get("tests") or ():
            identity = _identity(test)
            other = seen_tests.get(identity)
            if other is not None:
                raise UsageError(
                    f"{identity} is in two shards of one run: {_shard_name(other)} and "
                    f"{_shard_name(member)} (the shards of a run must be disjoint; were they "
                    "recorded by different koreoctl versions?)"
                )
            seen_tests[identity] = member
            tests.append(test)
        for diagnostic in payload.get("diagnostics") or ():
            key = canonical_json(diagnostic)
            if key not in seen_diagnostics:
                seen_diagnostics.add(key)
                diagnostics.append(diagnostic)
    summaries = (payload.get("summary") for payload in payloads)
    shards = shard_set(run)
    return {
        "summary": _summed(summaries),
        "tests": tests,
        "diagnostics": diagnostics,
        "shards": shards.to_dict() if shards is not None else None,
    }


def _identity(test: Any) -> str:
    """A test as ``--shard`` splits them: ``FunctionTest/ns/name``, ``WorkflowTest/ns/name``."""
    if not isinstance(test, Mapping):
        return str(test)
    function = test.get("function")
    workflow = isinstance(function, Mapping) and function.get("kind") == "Workflow"
    kind = "WorkflowTest" if workflow else "FunctionTest"
    return f"{kind}/{test.get('namespace') or ''}/{test.get('name') or ''}"


def _shard_name(info: SnapshotInfo) -> str:
    shard = shard_of(info)
    where = f"shard {shard[0]}/{shard[1]} " if shard is not None else ""
    return f"{where}({info.short})"
