"""``koreoctl snapshot``: list, show, verify, migrate and prune the recorded runs."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from koreoctl.cli.reporters import make_console, print_error
from koreoctl.cli.snapshot_options import Project, SnapshotDir

if TYPE_CHECKING:
    from koreoctl.snapshots.store import Problem, SnapshotInfo

HELP = (
    "List, show and check the snapshots recorded by `koreoctl test --snapshot` and "
    "`koreoctl render --snapshot`.\n\n"
    "A snapshot is an immutable file <store>/<writer>/<seq>-<sha256>.json (the store is "
    ".koreoctl/snapshots in the project unless --snapshot-dir or the snapshots.dir setting "
    "moves it). Each writer (KOREOCTL_WRITER, else an id kept in .koreoctl/writer) adds files "
    "to its own folder only, so snapshots copied together from several machines or CI jobs "
    "need no merging, and every machine lists them in the same order: by created time, then "
    "writer, then seq. A file whose content no longer matches its hash is reported by name "
    "and never used.\n\n"
    "A snapshot is named by a unique prefix of its hash (4 hex digits or more), "
    "<writer>/<seq>, @latest, @latest~N (the Nth before the latest) or a path to its file. "
    "The shards of a sharded run (`koreoctl test --shard I/N --snapshot`) are listed as one "
    "run, and `koreoctl diff` compares them merged. "
    "The format is described in docs/snapshots.md."
)

app = typer.Typer(
    name="snapshot",
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(enum.StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]


@app.command("list")
def list_snapshots(
    command: Annotated[
        str | None,
        typer.Option("--command", "-c", help="Only snapshots of this command (test, render)."),
    ] = None,
    writer: Annotated[
        str | None, typer.Option("--writer", help="Only snapshots of this writer.")
    ] = None,
    commit: Annotated[
        str | None,
        typer.Option("--commit", help="Only snapshots taken at a git commit starting so."),
    ] = None,
    project: Project = ".",
    snapshot_dir: SnapshotDir = None,
    output_format: FormatOption = Format.text,
) -> int:
    """List the snapshots, oldest first (the same order on every machine). The shards of a
    sharded run (`test --shard I/N --snapshot`) are one entry, where its last shard is, that
    says which shards it has ("shards 1-3/3 (complete)"); with -f json its "members" are the
    shards. The filters pick snapshots before they are put together."""
    from koreoctl import api
    from koreoctl.snapshots.shards import runs

    listing = api.snapshot_list(
        project, directory=snapshot_dir, command=command, writer=writer, commit=commit
    )
    err = make_console(stderr=True)
    _print_problems(err, listing.problems)
    units = runs(listing.snapshots)
    if output_format is Format.json:
        typer.echo(_json([_entry(info) for info in units]), nl=False)
        return 0
    console = make_console()
    if not units:
        console.print(f"no snapshots in {listing.store}", highlight=False, markup=False)
        return 0
    for line in _table([_row(info) for info in units]):
        console.print(line, highlight=False, markup=False)
    return 0


@app.command("show")
def show(
    snapshot: Annotated[str, typer.Argument(help="The snapshot (id prefix, @latest, ...).")],
    project: Project = ".",
    snapshot_dir: SnapshotDir = None,
    output_format: FormatOption = Format.text,
) -> int:
    """Show a snapshot: its header and a summary of what it recorded (with -f json: the
    whole file, header and payload)."""
    from koreoctl import api

    shown = api.snapshot_show(snapshot, project, directory=snapshot_dir)
    if output_format is Format.json:
        typer.echo(_json({"header": shown.info.header, "payload": shown.payload}), nl=False)
        return 0
    console = make_console()
    info = shown.info
    for key, value in _header_lines(info):
        console.print(f"{key + ':':<10} {value}", highlight=False, markup=False)
    for line in _payload_lines(info.command, shown.payload):
        console.print(line, highlight=False, markup=False)
    return 0


@app.command("verify")
def verify(project: Project = ".", snapshot_dir: SnapshotDir = None) -> int:
    """Check every snapshot file: its name, its hash, its header and payload. Exit code 1
    when a file fails (each is named)."""
    from koreoctl import api

    verified = api.snapshot_verify(project, directory=snapshot_dir)
    err = make_console(stderr=True)
    for problem in verified.problems:
        print_error(err, str(problem))
    for reused in verified.reused:
        _warn(err, f"{reused}: more than one snapshot has this writer and seq (copied twice?)")
    if verified.leftovers:
        count = len(verified.leftovers)
        _warn(
            err,
            f"{count} temporary file{'s' if count != 1 else ''} of interrupted writes "
            "(never read; `koreoctl snapshot prune` removes them)",
        )
    noun = "snapshot" if len(verified.good) == 1 else "snapshots"
    failed = f", {len(verified.problems)} failed" if verified.problems else ""
    make_console().print(f"{len(verified.good)} {noun} verified{failed}", highlight=False)
    return 0 if verified.ok else 1


@app.command("prune")
def prune(
    keep: Annotated[
        int,
        typer.Option(
            "--keep", help="Keep this many of the newest snapshots of each command and target."
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Say what would be removed; remove nothing.")
    ] = False,
    project: Project = ".",
    snapshot_dir: SnapshotDir = None,
) -> int:
    """Remove old snapshots (the only command that deletes any): all but the --keep newest
    of each history (same command, same target; the shards of a sharded run count as one
    and go together), and temporary files of interrupted writes.
    Files that fail verification are never removed."""
    from koreoctl import api

    pruned = api.snapshot_prune(keep, project, directory=snapshot_dir, dry_run=dry_run)
    console = make_console()
    verb = "would remove" if dry_run else "removed"
    for info in pruned.removed:
        console.print(f"{verb} {info.short}  {info.id}", highlight=False, markup=False)
    leftovers = (
        f" and {_count(len(pruned.leftovers), 'temporary file')}" if pruned.leftovers else ""
    )
    console.print(
        f"{verb} {_count(len(pruned.removed), 'snapshot')}{leftovers}; kept {pruned.kept}",
        highlight=False,
        markup=False,
    )
    return 0


@app.command("migrate")
def migrate(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Say what would be migrated; write nothing.")
    ] = False,
    project: Project = ".",
    snapshot_dir: SnapshotDir = None,
) -> int:
    """Rewrite snapshots of older formats into new snapshots of the current format (as this
    writer; each new header names the old snapshot in migratedFrom). The old files are left
    as they are and stay readable; running it again migrates nothing twice."""
    from koreoctl import api
    from koreoctl.snapshots.store import FORMAT

    migrated = api.snapshot_migrate(project, directory=snapshot_dir, dry_run=dry_run)
    console = make_console()
    for old, new in migrated.written:
        target = f" -> {new.short}  {new.id}" if new is not None else " (dry run)"
        console.print(f"format {old.format} {old.short}{target}", highlight=False, markup=False)
    verb = "would migrate" if dry_run else "migrated"
    console.print(
        f"{verb} {len(migrated.written)}; {migrated.current} at format {FORMAT}, "
        f"{migrated.already} migrated before",
        highlight=False,
        markup=False,
    )
    return 0


# --- output helpers --------------------------------------------------------------------------


def _print_problems(console: Console, problems: Iterable[Problem]) -> None:
    for problem in problems:
        _warn(console, f"{problem} (skipped)")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _warn(console: Console, message: str) -> None:
    console.print(f"[yellow]koreoctl: warning:[/] {escape(message)}", highlight=False)


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _entry(info: SnapshotInfo) -> dict[str, Any]:
    """A snapshot; a sharded run: its first shard's id, the run's header, ``run`` (the run
    key), ``shards`` (count, present, missing, complete) and ``members`` (each shard)."""
    from koreoctl.snapshots.shards import shard_set

    entry: dict[str, Any] = {
        "id": info.id,
        "short": info.short,
        "path": str(info.path),
        "header": info.header,
    }
    shards = shard_set(info) if info.members else None
    if shards is not None:
        entry["run"] = info.header.get("run")
        entry["shards"] = shards.to_dict()
        entry["members"] = [_entry(member) for member in info.members]
    return entry


_COLUMNS = ("ID", "CREATED", "WRITER#SEQ", "COMMAND", "GIT", "RESULT", "TARGET")


def _row(info: SnapshotInfo) -> tuple[str, ...]:
    from koreoctl.snapshots.recording import describe_target
    from koreoctl.snapshots.shards import shard_set

    commit = info.commit[:7] if info.commit else "-"
    git = info.header.get("git")
    if isinstance(git, Mapping) and git.get("dirty"):
        commit += "+"
    created = info.created.split(".")[0].replace("T", " ") + "Z"
    writer = f"{info.writer}#{info.seq}"
    command = info.command
    shards = shard_set(info) if info.members else None
    if shards is not None:
        command += f"  {shards.label}"
        if len(info.members) > 1:
            writer += f" +{len(info.members) - 1}"
    return (
        info.short,
        created,
        writer,
        command,
        commit,
        _result(info.command, info.header.get("summary")),
        describe_target(info.target),
    )


def _result(command: str, summary: Any) -> str:
    if not isinstance(summary, Mapping):
        return "-"
    if command == "test":
        parts = [f"{summary.get('passed', 0)} passed"]
        for key in ("failed", "skipped", "errors"):
            if summary.get(key):
                parts.append(f"{summary[key]} {key}")
        return ", ".join(parts)
    state = "steady" if summary.get("converged") else "not steady"
    return f"{summary.get('objects', 0)} objects, {state}"


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Padded columns two spaces apart; the last one (the target) is never padded."""
    table = [_COLUMNS, *rows]
    widths = [max(len(row[column]) for row in table) for column in range(len(_COLUMNS))]
    return [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])) + "  " + row[-1]
        for row in table
    ]


def _header_lines(info: SnapshotInfo) -> list[tuple[str, str]]:
    from koreoctl.snapshots.recording import describe, describe_target

    header = info.header
    git = header.get("git")
    commit = "-"
    if isinstance(git, Mapping) and git.get("commit"):
        commit = str(git["commit"]) + (" (dirty)" if git.get("dirty") else "")
    from koreoctl.snapshots.shards import shard_of

    inputs = header.get("inputs")
    shard = shard_of(info)
    run = [("shard", f"{shard[0]}/{shard[1]} of run {header.get('run')}")] if shard else []
    return [
        ("snapshot", f"{info.short}  {info.id}"),
        ("file", str(info.path)),
        ("run", describe(info)),
        ("created", info.created),
        ("command", "koreoctl " + " ".join(str(arg) for arg in header.get("argv") or [])),
        ("target", describe_target(info.target)),
        ("git", commit),
        ("koreoctl", str(header.get("koreoctl", "-"))),
        ("inputs", f"{len(inputs) if isinstance(inputs, Mapping) else 0} files"),
        ("format", str(info.format)),
        *run,
    ]


def _payload_lines(command: str, payload: Any) -> list[str]:
    if not isinstance(payload, Mapping):
        return []
    if command == "test":
        lines = [f"result:    {_result('test', payload.get('summary'))}"]
        for test in payload.get("tests") or []:
            cases = test.get("cases") or []
            passed = sum(case.get("status") == "passed" for case in cases)
            lines.append(
                f"  {str(test.get('status', '')).upper():<6} {test.get('namespace')}/"
                f"{test.get('name')}  {passed}/{len(cases)} cases passed"
            )
        return lines
    lines = []
    for render in payload.get("renders") or []:
        ref = render.get("triggerRef") or {}
        where = "/".join(str(part) for part in (ref.get("namespace"), ref.get("name")) if part)
        outcome = (render.get("outcome") or {}).get("type")
        state = "steady" if render.get("converged") else "not steady"
        passes = len(render.get("passes") or [])
        lines.append(
            f"render:    {ref.get('kind')} {where}  Workflow {render.get('workflow')}: "
            f"{outcome}, {state} after {passes} passes"
        )
        for obj in render.get("objects") or []:
            metadata = obj.get("metadata") or {}
            name = "/".join(
                str(part) for part in (metadata.get("namespace"), metadata.get("name")) if part
            )
            lines.append(f"  {obj.get('apiVersion')} {obj.get('kind')} {name}")
    return lines
