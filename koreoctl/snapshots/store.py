"""The snapshot store: immutable, content-addressed records of runs, one shard per writer.

Layout (see docs/snapshots.md, the format other tools can read)::

    <store>/<writer>/<seq>-<sha256>.json

* A *writer* is one machine, checkout or CI job (``KOREOCTL_WRITER``, else a random id kept
  in ``.koreoctl/writer``); it only ever adds files to its own folder, so two writers never
  touch the same path and copying folders together (CI artefacts, ``git pull``) is the whole
  merge.
* ``seq`` counts the writer's snapshots (1, 2, ...; six digits or more), taken under a lock
  on the writer's folder so that concurrent runs of one writer never share a number.
* The file holds the canonical JSON (sorted keys, no spaces, UTF-8) of
  ``{"header": {...}, "payload": {...}}`` and its name carries the SHA-256 of those exact
  bytes: reading checks the hash, so a truncated, edited or bit-flipped file is reported by
  name and never used.
* Files are written once: a temporary file in the writer's folder, fsync, a hard link to the
  final name (which fails if the name exists: nothing is ever overwritten), fsync of the
  folder. A writer killed part-way leaves at most a hidden ``.tmp-*`` file, which readers
  do not see.

Every reader orders snapshots the same way, whatever machine it runs on: by creation time,
then writer, then seq (then hash, so the order is total even for a copied-in duplicate).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from koreoctl.errors import UsageError
from koreoctl.fileio import replace_atomically
from koreoctl.reports import text_keys

FORMAT = 1  # the format this koreoctl writes
KIND = "koreoctl.dev/snapshot"
WRITER_ENV = "KOREOCTL_WRITER"
WRITER_FILE = "writer"  # in the project's .koreoctl/ folder
_NAME = re.compile(r"^(?P<seq>[0-9]{6,})-(?P<hash>[0-9a-f]{64})\.json$")
_WRITER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_PREFIX = b'{"header":'
_LOCK = ".lock"
_TEMPORARY = ".tmp-"
_SEQ = ".seq"  # a writer's highest seq so far


# --- canonical JSON ------------------------------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of a JSON value: sorted keys, no insignificant space, UTF-8.

    Mapping keys that are not text (YAML 1.1 reads ``yes:`` as a boolean key) are written as
    JSON writes them; values JSON has no type for become their text.
    """
    text = json.dumps(
        text_keys(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=True,
        default=str,
    )
    return text.encode("utf-8")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- what a snapshot is --------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotInfo:
    """A snapshot file that verified: where it is and its header (the payload is read on
    demand with ``read_payload``).

    With ``members``, it is the shard snapshots of one sharded run seen as one (see
    ``koreoctl.snapshots.shards``): path, writer, seq and hash are its first shard's, the
    header is the run's, and ``read_payload`` merges the members' payloads.
    """

    path: Path
    writer: str
    seq: int
    hash: str
    header: Mapping[str, Any]
    members: tuple[SnapshotInfo, ...] = ()

    @property
    def id(self) -> str:
        """``<writer>/<seq>-<hash>``: the file's path in the store, without ``.json``."""
        return f"{self.writer}/{self.path.stem}"

    @property
    def short(self) -> str:
        """The first 12 hex digits of the hash: what users type and reports show."""
        return self.hash[:12]

    @property
    def created(self) -> str:
        return str(self.header.get("created", ""))

    @property
    def command(self) -> str:
        return str(self.header.get("command", ""))

    @property
    def target(self) -> Any:
        return self.header.get("target")

    @property
    def commit(self) -> str | None:
        git = self.header.get("git")
        commit = git.get("commit") if isinstance(git, Mapping) else None
        return commit if isinstance(commit, str) else None

    @property
    def format(self) -> int:
        value = self.header.get("format")
        return value if isinstance(value, int) else 0

    def order(self) -> tuple[str, str, int, str]:
        """The one order every reader computes: created, writer, seq, hash."""
        return (self.created, self.writer, self.seq, self.hash)


@dataclass(frozen=True)
class Problem:
    """A file in the store that cannot be used, and why (reported by name, then skipped)."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class Scan:
    """Every snapshot of a store in order, and every file that could not be used."""

    snapshots: tuple[SnapshotInfo, ...]
    problems: tuple[Problem, ...] = ()
    leftovers: tuple[Path, ...] = ()  # temporary files of interrupted writes


# --- reading -------------------------------------------------------------------------------


class CorruptSnapshot(Exception):
    """A snapshot file that fails its checks (caught and turned into a ``Problem``)."""


def read_info(path: Path, writer: str | None = None) -> SnapshotInfo:
    """Read and check the snapshot file at ``path``: its name, its hash and its header.

    ``writer`` is the store folder it was found in (its header must name the same writer);
    None for a file given by path. Raises CorruptSnapshot saying what is wrong.
    """
    match = _NAME.match(path.name)
    if match is None:
        raise CorruptSnapshot("not a snapshot file name (<seq>-<sha256>.json)")
    data = _read_bytes(path)
    if digest(data) != match["hash"]:
        raise CorruptSnapshot(
            "its content does not match the hash in its name (truncated, edited or damaged)"
        )
    header = _decode_header(data)
    seq = int(match["seq"])
    _check_header(header, seq, writer)
    return SnapshotInfo(path, str(header["writer"]), seq, match["hash"], header)


def read_payload(info: SnapshotInfo) -> Any:
    """The payload of a snapshot, checked against its hash again (the file may have changed
    since it was listed)."""
    if info.members:
        from koreoctl.snapshots.shards import merge_payloads

        return merge_payloads(info, [read_payload(member) for member in info.members])
    data = _read_bytes(info.path)
    if digest(data) != info.hash:
        raise UsageError(f"{info.path}: changed since it was read; it no longer matches its hash")
    try:
        content = json.loads(data)
    except ValueError as error:
        raise UsageError(f"{info.path}: not a snapshot: {error}") from error
    return content.get("payload") if isinstance(content, dict) else None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CorruptSnapshot(f"cannot be read: {error.strerror or error}") from error


def _decode_header(data: bytes) -> Mapping[str, Any]:
    """The header, decoded alone (it comes first: canonical JSON sorts its keys)."""
    if not data.startswith(_PREFIX):
        raise CorruptSnapshot('not a snapshot: it does not start with {"header":')
    try:
        text = data.decode("utf-8")
        header, _ = json.JSONDecoder().raw_decode(text, len(_PREFIX))
    except (UnicodeDecodeError, ValueError) as error:
        raise CorruptSnapshot(f"not a snapshot: its header is not JSON ({error})") from error
    if not isinstance(header, dict):
        raise CorruptSnapshot("not a snapshot: its header is not a mapping")
    return header


def _check_header(header: Mapping[str, Any], seq: int, writer: str | None) -> None:
    if header.get("kind") != KIND:
        raise CorruptSnapshot(f"not a snapshot: its header's kind is not {KIND!r}")
    version = header.get("format")
    if not isinstance(version, int) or version < 1:
        raise CorruptSnapshot("not a snapshot: its header has no format version")
    if version > FORMAT:
        raise CorruptSnapshot(
            f"format {version} is newer than this koreoctl reads ({FORMAT}); upgrade koreoctl"
        )
    if header.get("seq") != seq:
        raise CorruptSnapshot(f"its header says seq {header.get('seq')!r}, its name {seq}")
    if writer is not None and header.get("writer") != writer:
        raise CorruptSnapshot(
            f"it is in writer folder {writer!r} but its header names writer "
            f"{header.get('writer')!r}"
        )
    if not isinstance(header.get("writer"), str) or not isinstance(header.get("created"), str):
        raise CorruptSnapshot("not a snapshot: its header has no writer or created time")


def scan(store: Path) -> Scan:
    """Every snapshot under ``store`` in order; unusable files as problems (a missing store
    is an empty one)."""
    snapshots: list[SnapshotInfo] = []
    problems: list[Problem] = []
    leftovers: list[Path] = []
    for folder in _writer_folders(store):
        for entry in sorted(os.scandir(folder), key=lambda item: item.name):
            path = Path(entry.path)
            if entry.name.startswith(_TEMPORARY):
                leftovers.append(path)
                continue
            if entry.name.startswith(".") or not entry.name.endswith(".json"):
                continue
            try:
                snapshots.append(read_info(path, folder.name))
            except CorruptSnapshot as problem:
                problems.append(Problem(path, str(problem)))
    snapshots.sort(key=SnapshotInfo.order)
    return Scan(tuple(snapshots), tuple(problems), tuple(leftovers))


def _writer_folders(store: Path) -> list[Path]:
    if not store.is_dir():
        if store.exists():
            raise UsageError(f"the snapshot store {str(store)!r} is not a folder")
        return []
    return [
        Path(entry.path)
        for entry in sorted(os.scandir(store), key=lambda item: item.name)
        if entry.is_dir(follow_symlinks=False) and _WRITER.match(entry.name)
    ]


# --- writing -------------------------------------------------------------------------------


def writer_id(project: Path, environ: Mapping[str, str] = os.environ) -> str:
    """This writer's id: ``KOREOCTL_WRITER`` when set, else the one kept in the project's
    ``.koreoctl/writer`` (made once, at random, on first use)."""
    given = environ.get(WRITER_ENV)
    if given is not None:
        return check_writer(given, f"${WRITER_ENV}")
    folder = project / ".koreoctl"
    path = folder / WRITER_FILE
    with contextlib.suppress(FileNotFoundError):
        return check_writer(path.read_text(encoding="utf-8").strip(), str(path))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _ignore_local_state(folder)
        fresh = secrets.token_hex(8)
        _create(path, (fresh + "\n").encode("utf-8"))  # whole or not at all
        return fresh
    except FileExistsError:  # another run made it first: use theirs
        return check_writer(path.read_text(encoding="utf-8").strip(), str(path))
    except OSError as error:
        raise UsageError(f"cannot create {str(path)!r}: {error.strerror or error}") from error


def check_writer(name: str, where: str) -> str:
    if not _WRITER.match(name):
        raise UsageError(
            f"{where}: {name!r} is not a writer id (1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit)"
        )
    return name


def _ignore_local_state(folder: Path) -> None:
    """Keep the writer id and the caches out of git (the snapshots may be committed)."""
    ignore = folder / ".gitignore"
    if not ignore.exists():
        with contextlib.suppress(OSError):
            ignore.write_text(
                "# koreoctl's local state; snapshots/ may be committed\nwriter\ncache/\n"
            )


def now() -> str:
    """The creation time to record: UTC, microseconds, ``Z``. ``SOURCE_DATE_EPOCH`` (the
    reproducible-builds convention) fixes it."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.now(UTC)
    if fixed is not None:
        try:
            moment = datetime.fromtimestamp(int(fixed), UTC)
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"$SOURCE_DATE_EPOCH: {fixed!r} is not a Unix time") from None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write(
    store: Path, writer: str, header: Mapping[str, Any], payload: Any, *, version: int = 0
) -> SnapshotInfo:
    """Add a snapshot to ``writer``'s shard of ``store`` and return it.

    ``header`` gets ``kind``, ``format``, ``writer``, ``seq`` and ``payloadHash`` added
    (and ``created``, unless it has one). ``version`` is the format to stamp (default: the
    current one; the migration tests write older ones). Raises UsageError when the store
    cannot be written or the name already exists (nothing is ever overwritten).
    """
    folder = store / check_writer(writer, "writer")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create {str(folder)!r}: {error.strerror or error}") from error
    payload_bytes = canonical_json(payload)
    with _locked(folder):
        seq = _next_seq(folder)
        full = {
            "created": now(),
            **header,
            "kind": KIND,
            "format": version or FORMAT,
            "writer": writer,
            "seq": seq,
            "payloadHash": digest(payload_bytes),
        }
        data = b'{"header":' + canonical_json(full) + b',"payload":' + payload_bytes + b"}"
        path = folder / f"{seq:06d}-{digest(data)}.json"
        _write_new(path, data)
        _record_seq(folder, seq)
    return SnapshotInfo(path, writer, seq, digest(data), text_keys(full))


def _next_seq(folder: Path) -> int:
    """One more than any seq this writer has used: the files in its folder, and the
    high-water mark in ``.seq`` (so a seq whose snapshot was pruned is never used again)."""
    names = (entry.name for entry in os.scandir(folder))
    seqs = [int(match["seq"]) for name in names if (match := _NAME.match(name))]
    return max(max(seqs, default=0), _recorded_seq(folder)) + 1


def _recorded_seq(folder: Path) -> int:
    try:
        text = (folder / _SEQ).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return 0
    return int(text) if text.isdigit() else 0  # a damaged mark: the files still count


def _record_seq(folder: Path, seq: int) -> None:
    """Move the high-water mark to ``seq`` (under the writer's lock; atomically replaced)."""
    with contextlib.suppress(OSError):
        # The snapshot is written; without the mark only a later prune could reuse a seq.
        replace_atomically(folder / _SEQ, f"{seq}\n".encode("ascii"))


def _write_new(path: Path, data: bytes) -> None:
    """Write ``data`` to the new file ``path``: complete, durable, and never over another
    (UsageError when it exists or cannot be written)."""
    try:
        _create(path, data)
    except FileExistsError:
        raise UsageError(f"{path} already exists; snapshots are never overwritten") from None
    except OSError as error:
        raise UsageError(f"cannot write {str(path)!r}: {error.strerror or error}") from error


def _create(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file, fsync it, link it to the new name ``path``
    (FileExistsError when taken) and fsync the folder: readers see all of it or nothing."""
    temporary = path.parent / f"{_TEMPORARY}{secrets.token_hex(6)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        _link_new(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    _fsync_folder(path.parent)


def _link_new(source: Path, target: Path) -> None:
    """Give ``source`` the name ``target``, failing (FileExistsError) if it is taken."""
    try:
        os.link(source, target)
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        # A file system without hard links: under the writer's lock no koreoctl races us.
        if target.exists():
            raise FileExistsError(errno.EEXIST, "exists", str(target)) from None
        source.replace(target)


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return  # folders cannot be opened for fsync on Windows
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on a writer's folder (released by the OS if the process dies)."""
    handle = (folder / _LOCK).open("a+b")
    try:
        _lock(handle.fileno())
        yield
    finally:
        handle.close()  # closing releases the lock


def _lock(descriptor: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(descriptor, msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined,unused-ignore]
        return
    fcntl.flock(descriptor, fcntl.LOCK_EX)


# --- finding snapshots by name ------------------------------------------------------------

_LATEST = re.compile(r"^@latest(?:~(?P<back>[0-9]+))?$")


def resolve(
    reference: str, found: Scan, *, where: Callable[[SnapshotInfo], bool] | None = None
) -> SnapshotInfo:
    """The snapshot ``reference`` names: ``@latest``, ``@latest~N`` (the Nth before the
    latest; among those ``where`` accepts), ``<writer>/<seq>``, ``<writer>/<seq>-<hash>``, a
    unique prefix (4 hex digits or more) of a hash, or a path to a snapshot file."""
    match = _LATEST.match(reference)
    if match:
        chosen = [info for info in found.snapshots if where is None or where(info)]
        back = int(match["back"] or 0)
        if back >= len(chosen):
            have = f"only {len(chosen)} snapshot{'s' if len(chosen) != 1 else ''}"
            raise UsageError(f"{reference}: there is no such snapshot ({have})")
        return chosen[-1 - back]
    by_name = _by_name(reference, found)
    if by_name is not None:
        return by_name
    if reference.endswith(".json") or os.sep in reference or "/" in reference:
        path = Path(reference)
        if path.is_file():
            try:
                return read_info(path)
            except CorruptSnapshot as problem:
                raise UsageError(f"{reference}: {problem}") from None
    if re.fullmatch(r"[0-9a-fA-F]{1,3}", reference):
        raise UsageError(f"{reference}: give at least 4 hex digits of a snapshot's id")
    raise UsageError(f"{reference}: no snapshot has this id (see `koreoctl snapshot list`)")


def _by_name(reference: str, found: Scan) -> SnapshotInfo | None:
    text = reference.lower()
    if "/" in reference:
        writer, _, rest = reference.partition("/")
        for info in found.snapshots:
            if info.writer == writer and (
                rest == info.path.stem or (rest.isdigit() and int(rest) == info.seq)
            ):
                return info
        return None
    if len(text) < 4 or not re.fullmatch(r"[0-9a-f]+", text):
        return None
    matches = [info for info in found.snapshots if info.hash.startswith(text)]
    if len(matches) > 1:
        names = ", ".join(info.id for info in matches[:5])
        raise UsageError(f"{reference}: more than one snapshot has this prefix: {names}")
    return matches[0] if matches else None


# --- keeping the store tidy --------------------------------------------------------------


@dataclass(frozen=True)
class Pruned:
    removed: tuple[SnapshotInfo, ...]
    kept: int
    leftovers: tuple[Path, ...] = field(default=())


def prune(store: Path, keep: int, *, dry_run: bool = False) -> Pruned:
    """Remove all but the ``keep`` newest runs of each command and target (the shards of a
    sharded run count as one run, kept or removed together), and the temporary files of
    interrupted writes (each under its writer's lock, so a write in progress is never cut
    short). Corrupt files are reported by ``verify``, never removed."""
    from koreoctl.snapshots.shards import runs

    if keep < 0:
        raise UsageError("--keep must be 0 or more")
    found = scan(store)
    groups: dict[str, list[SnapshotInfo]] = {}
    for run in runs(found.snapshots):
        groups.setdefault(group_key(run), []).append(run)
    removed = [
        member
        for infos in groups.values()
        for info in infos[: max(len(infos) - keep, 0)]
        for member in info.members or (info,)
    ]
    removed.sort(key=SnapshotInfo.order)
    leftovers = list(found.leftovers)
    if not dry_run:
        for info in removed:
            _remove(info.path)
        for path in leftovers:
            with _locked(path.parent):
                _remove(path)
    return Pruned(tuple(removed), len(found.snapshots) - len(removed), tuple(leftovers))


def group_key(info: SnapshotInfo) -> str:
    """Snapshots of one history: the same command over the same target."""
    return canonical_json([info.command, info.target]).decode("utf-8")


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        raise UsageError(f"cannot remove {str(path)!r}: {error.strerror or error}") from error


# --- migration -----------------------------------------------------------------------------

# A migration turns the content ({"header", "payload"}) of format N into that of format N+1.
# The format is 1 and has never changed, so there is none yet; ``migrate`` applies them in
# turn when there are.
Migration = Callable[[Mapping[str, Any]], Mapping[str, Any]]
MIGRATIONS: Mapping[int, Migration] = {}


@dataclass(frozen=True)
class Migrated:
    written: tuple[tuple[SnapshotInfo, SnapshotInfo | None], ...]  # (old, new; None: dry run)
    current: int  # snapshots at the newest format (those written by earlier migrations too)
    already: int  # old snapshots that an earlier run migrated


def migrate(
    store: Path,
    writer: str,
    *,
    migrations: Mapping[int, Migration] | None = None,
    dry_run: bool = False,
) -> Migrated:
    """Rewrite every snapshot older than the current format into a new snapshot of this
    writer, whose header says ``migratedFrom`` (the old id); the old files are left as they
    are, still readable. Running it again migrates nothing twice."""
    steps = MIGRATIONS if migrations is None else migrations
    found = scan(store)
    done = {
        str(info.header["migratedFrom"])
        for info in found.snapshots
        if isinstance(info.header.get("migratedFrom"), str)
    }
    written: list[tuple[SnapshotInfo, SnapshotInfo | None]] = []
    current = already = 0
    for info in found.snapshots:
        if info.format >= FORMAT:
            current += 1
        elif info.id in done:
            already += 1
        else:
            new = None if dry_run else _migrate_one(store, writer, info, steps)
            written.append((info, new))
    return Migrated(tuple(written), current, already)


def _migrate_one(
    store: Path, writer: str, info: SnapshotInfo, migrations: Mapping[int, Migration]
) -> SnapshotInfo:
    content: Mapping[str, Any] = {"header": info.header, "payload": read_payload(info)}
    for version in range(info.format, FORMAT):
        step = migrations.get(version)
        if step is None:
            raise UsageError(f"{info.id}: no migration from format {version} to {version + 1}")
        content = step(content)
    header = dict(content["header"])
    for key in ("kind", "format", "writer", "seq", "payloadHash"):
        header.pop(key, None)
    header["migratedFrom"] = info.id
    return write(store, writer, header, content["payload"])


# --- checking every file -----------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    """What ``verify`` found: the snapshots that passed every check, the files that did not,
    leftover temporary files, and seq numbers a writer used twice."""

    good: tuple[SnapshotInfo, ...]
    problems: tuple[Problem, ...]
    leftovers: tuple[Path, ...]
    reused: tuple[str, ...]  # "<writer>/<seq>" taken by more than one file

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(store: Path) -> Verified:
    """Check every file of the store: its name, its hash, that it is JSON holding a header
    and a payload, and that the payload matches the header's ``payloadHash``."""
    found = scan(store)
    good: list[SnapshotInfo] = []
    problems = list(found.problems)
    for info in found.snapshots:
        problem = _payload_problem(info)
        if problem is None:
            good.append(info)
        else:
            problems.append(Problem(info.path, problem))
    seen: dict[tuple[str, int], int] = {}
    for info in good:
        seen[(info.writer, info.seq)] = seen.get((info.writer, info.seq), 0) + 1
    reused = tuple(sorted(f"{writer}/{seq}" for (writer, seq), count in seen.items() if count > 1))
    problems.sort(key=lambda problem: str(problem.path))
    return Verified(tuple(good), tuple(problems), found.leftovers, reused)


def _payload_problem(info: SnapshotInfo) -> str | None:
    try:
        content = json.loads(_read_bytes(info.path))
    except (CorruptSnapshot, ValueError) as error:
        return f"not a snapshot: {error}"
    if not isinstance(content, dict) or set(content) != {"header", "payload"}:
        return "not a snapshot: it must hold exactly a header and a payload"
    if digest(canonical_json(content["payload"])) != info.header.get("payloadHash"):
        return "its payload does not match the header's payloadHash"
    return None
