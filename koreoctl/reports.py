"""Test and render reports as plain JSON data: what ``--format json`` prints and what a
snapshot records.

``Rendered`` and ``RenderReport`` are the values ``api.render`` returns (``TestReport`` lives
with the test runner in ``functest``). This module imports nothing heavy, so every command
can use it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from koreoctl.diagnostics import Diagnostic
from koreoctl.outcome import Ok, Outcome, PermFail, Retry, type_name

if TYPE_CHECKING:
    from koreoctl.fn.executor import Report as FnReport
    from koreoctl.functest import CaseResult, TestReport, TestResult
    from koreoctl.render import PassReport, RenderResult


@dataclass(frozen=True)
class Rendered:
    """One trigger rendered: where it was read (``file:line``), the trigger as given, and
    what the render produced."""

    source: str
    trigger: dict[str, Any]
    result: RenderResult

    @property
    def ok(self) -> bool:
        """It reached a steady state and the Workflow's last outcome is not a PermFail."""
        return self.result.converged and not isinstance(self.result.outcome, PermFail)


@dataclass(frozen=True)
class RenderReport:
    """Every trigger rendered, and the diagnostics of the project and of the input files.

    ``rejected`` is True when nothing could be rendered: an input file (trigger, state or
    observe) has an error (the diagnostics say where), or ``error`` says why (no trigger,
    no single Workflow for one), after the diagnostics that may explain it. ``snapshot`` is
    the path of the snapshot the run was recorded in, when it was.
    """

    renders: tuple[Rendered, ...]
    diagnostics: tuple[Diagnostic, ...]
    rejected: bool = False
    error: str | None = None
    snapshot: str | None = None
    functions: FnReport | None = None  # the `--fn` sequence's report, when there was one
    reused: bool = False  # a watching session's previous renders: no change could alter them

    @property
    def ok(self) -> bool:
        """Every render reached a steady state without a final PermFail."""
        return all(rendered.ok for rendered in self.renders)


def text_keys(value: Any) -> Any:
    """``value`` with every mapping key as text, as JSON writes it (``true``, ``null``,
    ``1``), so keys can be sorted: YAML 1.1 makes keys such as ``yes:`` booleans."""
    if isinstance(value, dict):
        return {_key_text(key): text_keys(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [text_keys(item) for item in value]
    return value


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool | int | float) or key is None:
        return json.dumps(key)
    return str(key)


def outcome_data(outcome: Outcome | None) -> dict[str, Any] | None:
    """An outcome as ``{"type", "message", "delay"}`` (None when there is none)."""
    if outcome is None:
        return None
    return {
        "type": type_name(outcome),
        "message": None if isinstance(outcome, Ok) else outcome.message,
        "delay": outcome.delay if isinstance(outcome, Retry) else None,
    }


# --- test reports ----------------------------------------------------------------------------


def test_report_data(report: TestReport) -> dict[str, Any]:
    """The test report's JSON data (the shape is documented in ``koreoctl.cli.serialize``)."""
    summary = report.summary
    data: dict[str, Any] = text_keys(
        {
            "summary": {
                "tests": summary.tests,
                "cases": summary.cases,
                "passed": summary.passed,
                "failed": summary.failed,
                "skipped": summary.skipped,
                "errors": summary.errors,
            },
            "tests": [_test_data(test) for test in report.tests],
            "diagnostics": [diagnostic.to_dict() for diagnostic in report.diagnostics],
        }
    )
    if report.functions is not None:
        data["functions"] = report.functions.to_dict()
    return data


def _test_data(test: TestResult) -> dict[str, Any]:
    return {
        "name": test.name,
        "namespace": test.namespace,
        "file": test.file,
        "line": test.line,
        "function": {"kind": test.function_kind, "name": test.function_name},
        "status": test.status,
        "error": test.error,
        "diagnostics": [diagnostic.to_dict() for diagnostic in test.diagnostics],
        "cases": [_case_data(case) for case in test.cases],
    }


def _case_data(case: CaseResult) -> dict[str, Any]:
    return {
        "index": case.index,
        "label": case.label,
        "variant": case.variant,
        "status": case.status,
        "outcome": outcome_data(case.outcome),
        "return": case.outcome.value if isinstance(case.outcome, Ok) else None,
        "resource": None if case.deleted else case.resource,
        "deleted": case.deleted,
        "message": case.message,
        "differences": case.differences if case.differences else None,
        "warnings": list(case.warnings),
    }


# --- render reports ---------------------------------------------------------------------------


def render_report_data(report: RenderReport, include_trigger: bool = False) -> dict[str, Any]:
    """The render report's JSON data (documented in ``koreoctl.cli.render_formats``)."""
    data: dict[str, Any] = text_keys(
        {
            "renders": [render_data(rendered, include_trigger) for rendered in report.renders],
            "diagnostics": [diagnostic.to_dict() for diagnostic in report.diagnostics],
        }
    )
    if report.functions is not None:
        data["functions"] = report.functions.to_dict()
    return data


def render_data(rendered: Rendered, include_trigger: bool) -> dict[str, Any]:
    result = rendered.result
    data: dict[str, Any] = {
        "source": rendered.source,
        "workflow": result.workflow,
        "triggerRef": trigger_ref(rendered),
        "converged": result.converged,
        "outcome": outcome_data(result.outcome),
        "unstable": list(result.unstable),
        "warnings": list(result.warnings),
        "passes": [_pass_data(report) for report in result.passes],
        "objects": list(result.objects),
        "managers": dict(result.managers),
    }
    if include_trigger:
        data["trigger"] = result.trigger
    return data


def _pass_data(report: PassReport) -> dict[str, Any]:
    return {
        "number": report.number,
        "steps": [
            {"label": step.label, "outcome": outcome_data(step.outcome)} for step in report.steps
        ],
        "outcome": outcome_data(report.outcome),
        "writes": list(report.writes),
    }


def trigger_ref(rendered: Rendered) -> dict[str, Any]:
    """apiVersion, kind, namespace (None when cluster-scoped) and name of the trigger."""
    trigger = rendered.result.trigger or rendered.trigger
    metadata = trigger.get("metadata") or {}
    return {
        "apiVersion": trigger.get("apiVersion"),
        "kind": trigger.get("kind"),
        "namespace": metadata.get("namespace"),
        "name": metadata.get("name"),
    }
