"""Machine-readable test reports: koreoctl's JSON shape and JUnit XML.

The JSON shape (stable; keys are always present, sorted)::

    {"summary": {"tests", "cases", "passed", "failed", "skipped", "errors"},
     "tests": [{"name", "namespace", "file", "line", "function": {"kind", "name"},
                "status": "passed|failed|error", "error", "diagnostics": [...],
                "cases": [{"index", "label", "variant", "status": "passed|failed|skipped",
                           "outcome": {"type", "message", "delay"} | null,
                           "return", "resource", "deleted",
                           "message", "differences", "warnings": [...]}]}],
     "diagnostics": [{"code", "severity", "message", "span": {"file", "line", "col"}}]}

``cases[i]`` is the i-th case as written (0-based ``index``); ``outcome`` is what the function
returned (null when the case did not run; ``delay`` is set for Retry only) and ``return`` the
value an Ok outcome carries; ``resource`` is what a ResourceFunction wrote (null when it wrote
nothing or deleted, with ``deleted`` true). Cases after a failing non-variant case are
``skipped`` with a message saying so.

A WorkflowTest is a test like any other: its ``function`` is ``{"kind": "Workflow", "name":
<the Workflow rendered>}``, each check is a case (``outcome`` is the Workflow's outcome at
that check) and one last case says whether the render reached a steady state.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from koreoctl.diagnostics import Diagnostic
from koreoctl.outcome import Outcome
from koreoctl.reports import outcome_data, test_report_data

if TYPE_CHECKING:
    from koreoctl.functest import CaseResult, TestReport, TestResult


def report_to_json(report: TestReport) -> str:
    """The report as JSON text (sorted keys, two-space indent, trailing newline)."""
    data = test_report_data(report)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def report_to_junit(report: TestReport) -> str:
    """The report as JUnit XML: a testsuite per FunctionTest, a testcase per case."""
    summary = report.summary
    root = ET.Element(
        "testsuites",
        name="koreoctl test",
        tests=str(summary.cases + summary.errors),
        failures=str(summary.failed),
        errors=str(summary.errors),
        skipped=str(summary.skipped),
    )
    for test in report.tests:
        root.append(_suite(test))
    load_errors = [d for d in report.diagnostics if d.severity.label == "error"]
    if load_errors:
        root.append(_load_suite(load_errors))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(test: TestResult) -> ET.Element:
    failures = sum(case.status == "failed" for case in test.cases)
    skipped = sum(case.status == "skipped" for case in test.cases)
    errors = 1 if test.status == "error" else 0
    suite = ET.Element(
        "testsuite",
        name=test.name,
        tests=str(len(test.cases) + errors),
        failures=str(failures),
        errors=str(errors),
        skipped=str(skipped),
        file=test.file,
    )
    classname = f"{test.namespace}.{test.name}"
    if test.status == "error":
        case = ET.SubElement(
            suite,
            "testcase",
            name="(load)",
            classname=classname,
            file=test.file,
            line=str(test.line),
        )
        error = ET.SubElement(case, "error", message=test.error or "error", type="error")
        error.text = "\n".join(str(d) for d in test.diagnostics) or (test.error or "")
    for result in test.cases:
        suite.append(_testcase(result, classname, test.file))
    return suite


def _testcase(case: CaseResult, classname: str, file: str) -> ET.Element:
    line = str(case.span.line) if case.span else "0"
    element = ET.Element(
        "testcase",
        name=f"{case.index + 1}. {case.label}",
        classname=classname,
        file=file,
        line=line,
    )
    if case.status == "skipped":
        ET.SubElement(element, "skipped", message=case.message or "skipped")
    elif case.status == "failed":
        failure = ET.SubElement(
            element, "failure", message=case.message or "case failed", type="failure"
        )
        failure.text = failure_text(case)
    return element


def _load_suite(diagnostics: list[Diagnostic]) -> ET.Element:
    suite = ET.Element(
        "testsuite",
        name="(project)",
        tests=str(len(diagnostics)),
        failures="0",
        errors=str(len(diagnostics)),
        skipped="0",
    )
    for diagnostic in diagnostics:
        span = diagnostic.span
        case = ET.SubElement(
            suite,
            "testcase",
            name=f"{diagnostic.code} {span}" if span else diagnostic.code,
            classname="(project)",
            file=span.file if span else "",
            line=str(span.line if span else 0),
        )
        error = ET.SubElement(case, "error", message=diagnostic.message, type=diagnostic.code)
        error.text = str(diagnostic)
    return suite


def failure_text(case: CaseResult) -> str:
    """A failed case in plain text: where, what it returned, and every difference."""
    lines = []
    if case.span:
        lines.append(f"at {case.span.file}:{case.span.line}")
    if case.message:
        lines.append(case.message)
    if case.outcome is not None:
        lines.append(f"outcome: {describe_outcome(case.outcome)}")
    lines.extend(f"{path}: {detail}" for path, detail in flatten_differences(case.differences))
    return "\n".join(lines)


def describe_outcome(outcome: Outcome) -> str:
    """An outcome on one line: ``Retry (30s): Creating ...``."""
    data = outcome_data(outcome)
    assert data is not None
    text = str(data["type"])
    if data["delay"] is not None:
        text += f" ({data['delay']}s)"
    if data["message"]:
        text += f": {data['message']}"
    return text


def flatten_differences(differences: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Nested differences as (dotted path, what differs) pairs, in a stable order."""
    if differences is None or differences == ():
        return []
    if isinstance(differences, dict):
        pairs: list[tuple[str, str]] = []
        for key in sorted(differences, key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            pairs.extend(flatten_differences(differences[key], path))
        return pairs
    if isinstance(differences, list):
        pairs = []
        for index, item in enumerate(differences):
            if item is None:
                continue
            if isinstance(item, str) and item.startswith("<"):
                pairs.append((prefix or "(root)", item))
            else:
                pairs.extend(flatten_differences(item, f"{prefix}[{index}]"))
        return pairs
    return [(prefix or "(root)", str(differences))]
