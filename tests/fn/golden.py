"""The golden-case harness for koreoctl functions: a case folder in, the report and unit out.

A case is a folder under ``tests/fn/golden/``: ``input.yaml`` (the unit), ``invocation`` (one
``function arg...`` line per step, shell words), optional ``crds/`` (project CRDs) and baseline
files named by the invocation. ``expected.json`` is the report; ``expected.yaml`` the unit text
after a sequence that mutates. ``KOREOCTL_UPDATE_GOLDEN=1`` writes them (then read them).
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from koreoctl.fn.builtins import function_table
from koreoctl.fn.executor import Report, prepare_sequence, run_sequence
from koreoctl.fn.model import Context, FunctionError, Unit
from koreoctl.fn.unitfile import read_unit, write_unit

GOLDEN = Path(__file__).parent / "golden"


def case_folders() -> list[Path]:
    return sorted(p for p in GOLDEN.iterdir() if (p / "invocation").is_file())


def invocation_argv(folder: Path) -> list[str]:
    argv: list[str] = []
    for line in (folder / "invocation").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if argv:
            argv.append("--")
        argv.extend(shlex.split(line))
    return argv


def case_context(folder: Path) -> Context:
    schemas = None
    if (folder / "crds").is_dir():
        from koreoctl.fn.validating_schemas import load_project_schemas

        schemas = load_project_schemas(folder)

    def baseline(reference: str) -> Unit:
        path = folder / reference
        try:
            text = path.read_text()
        except OSError as error:
            raise FunctionError(f"cannot read baseline {reference}: {error.strerror}") from None
        return read_unit(text, reference)[0]

    return Context(schemas=schemas, baseline=baseline)


def run_case(folder: Path) -> tuple[Report, str | None]:
    """The report of the case's sequence and, if it mutates, the unit text after it."""
    unit, read = read_unit((folder / "input.yaml").read_text(), "input.yaml")
    invocations = prepare_sequence(function_table(), invocation_argv(folder))
    report = run_sequence(unit, invocations, case_context(folder))
    text = write_unit(read, report.unit, report.plain_changes()) if report.mutating else None
    return report, text


def report_json(report: Report) -> str:
    return json.dumps(report.to_dict(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
