"""Reports for CI systems: GitHub workflow commands and job summaries, GitLab code quality.

* ``--format github`` prints one workflow command per finding (``::error file=F,line=L,
  title=T::message``), which GitHub shows as an annotation at that line, then the plain
  ``N passed, N failed`` line (test) or a count (lint). When ``$GITHUB_STEP_SUMMARY`` names a
  file, a Markdown table is appended to it (the job summary; GitHub's protocol is appending).
* ``--format gitlab`` prints a GitLab code-quality report: a JSON array of issues with a
  ``description``, ``check_name``, a stable ``fingerprint`` (the same finding gives the same
  one on every run, so GitLab can tell new findings from old), ``severity`` and a
  ``location`` (``path`` and ``lines.begin``).

Everything is sorted and free of timestamps: the same run gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.errors import UsageError

if TYPE_CHECKING:
    from koreoctl.functest import CaseResult, TestReport, TestResult
    from koreoctl.lint import LintReport
    from koreoctl.lint.rule import Rule

_GITHUB = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_GITLAB = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


@dataclass(frozen=True)
class Finding:
    """One thing to annotate: where, how bad, a title, a message, a stable identity."""

    file: str | None
    line: int
    col: int
    severity: Severity
    title: str
    message: str
    check: str
    identity: str
    end_line: int | None = None
    end_col: int | None = None

    def github(self) -> str:
        properties = []
        if self.file:
            properties.append(f"file={_property(self.file)}")
            if self.line:
                properties.append(f"line={self.line}")
                if self.col:
                    properties.append(f"col={self.col}")
                if self.end_line:
                    properties += [f"endLine={self.end_line}", f"endColumn={self.end_col}"]
        properties.append(f"title={_property(self.title)}")
        return f"::{_GITHUB[self.severity]} {','.join(properties)}::{_data(self.message)}"

    def gitlab(self) -> dict[str, Any]:
        digest = hashlib.sha256(self.identity.encode("utf-8")).hexdigest()
        return {
            "description": f"{self.title}: {self.message}" if self.title else self.message,
            "check_name": self.check,
            "fingerprint": digest,
            "severity": _GITLAB[self.severity],
            "location": {"path": self.file or ".", "lines": {"begin": max(self.line, 1)}},
        }


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _diagnostic_finding(diagnostic: Diagnostic, title: str, *, ends: bool = False) -> Finding:
    span = diagnostic.span
    return Finding(
        span.file if span else None,
        span.line if span else 0,
        span.col if span else 0,
        diagnostic.severity,
        title,
        diagnostic.message,
        diagnostic.code,
        f"{diagnostic.code}|{span.file if span else ''}|{diagnostic.message}",
        span.end_line if span and ends else None,
        span.end_col if span and ends else None,
    )


# --- test ------------------------------------------------------------------------------------


def findings_of_tests(report: TestReport) -> list[Finding]:
    """Load problems, tests that could not run, and failing cases, in report order."""
    from koreoctl.cli.serialize import failure_text

    findings = [
        _diagnostic_finding(d, d.code)
        for d in report.diagnostics
        if d.severity is not Severity.INFO
    ]
    for test in report.tests:
        if test.error is not None:
            findings.append(_test_finding(test, test.line, "could not run", test.error))
        for case in test.cases:
            if case.status == "failed":
                findings.append(_case_finding(test, case, failure_text(case)))
    return findings


def _test_finding(test: TestResult, line: int, what: str, message: str) -> Finding:
    title = f"{test.name} {what}"
    identity = f"test|{test.file}|{test.namespace}/{test.name}|{what}"
    return Finding(test.file, line, 0, Severity.ERROR, title, message, "koreoctl-test", identity)


def _case_finding(test: TestResult, case: CaseResult, text: str) -> Finding:
    line = case.span.line if case.span else test.line
    title = f"{test.name}: {case.label}"
    identity = f"case|{test.file}|{test.namespace}/{test.name}|{case.index}|{case.label}"
    return Finding(test.file, line, 0, Severity.ERROR, title, text, "koreoctl-test", identity)


def summary_line(report: TestReport) -> str:
    """``N passed, N failed``: failed counts failing cases and tests that could not run."""
    summary = report.summary
    return f"{summary.passed} passed, {summary.failed + summary.errors} failed"


def tests_to_github(report: TestReport) -> str:
    lines = [finding.github() for finding in findings_of_tests(report)]
    lines.append(summary_line(report))
    return "".join(f"{line}\n" for line in lines)


def tests_to_gitlab(report: TestReport) -> str:
    return _gitlab_json(findings_of_tests(report))


def tests_step_summary(report: TestReport) -> str:
    """The run as Markdown: a table of tests, then each failing case."""
    lines = [
        "### koreoctl test",
        "",
        "| Test | Function | Status | Cases passed |",
        "|---|---|---|---|",
    ]
    for test in report.tests:
        passed = sum(case.status == "passed" for case in test.cases)
        function = f"{test.function_kind} {test.function_name}"
        status = {"passed": "✅ passed", "failed": "❌ failed", "error": "⚠️ error"}.get(
            test.status, test.status
        )
        lines.append(
            f"| `{_cell(test.name)}` | {_cell(function)} | {status} | {passed}/{len(test.cases)} |"
        )
    failures = [f for f in findings_of_tests(report) if f.check == "koreoctl-test"]
    if failures:
        lines += ["", "#### Failures", ""]
        for finding in failures:
            where = f"{finding.file}:{finding.line}" if finding.file else ""
            lines.append(f"- **{_cell(finding.title)}** ({where})")
            lines += [f"  - {_cell(line)}" for line in finding.message.splitlines()]
    lines += ["", f"**{summary_line(report)}**"]
    return "\n".join(lines) + "\n"


# --- lint ------------------------------------------------------------------------------------


def lint_findings(report: LintReport, rules: dict[str, Rule]) -> list[Finding]:
    findings = []
    for diagnostic in report.diagnostics:
        rule = rules.get(diagnostic.code)
        title = f"{diagnostic.code} {rule.name}" if rule else diagnostic.code
        findings.append(_diagnostic_finding(diagnostic, title, ends=True))
    return findings


def lint_to_github(report: LintReport, rules: dict[str, Rule]) -> str:
    return "".join(f"{finding.github()}\n" for finding in lint_findings(report, rules))


def lint_to_gitlab(report: LintReport, rules: dict[str, Rule]) -> str:
    return _gitlab_json(lint_findings(report, rules))


def lint_step_summary(report: LintReport, rules: dict[str, Rule]) -> str:
    counts = {s: report.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
    lines = [
        "### koreoctl lint",
        "",
        f"{_count(report.files, 'file')}: {_count(counts[Severity.ERROR], 'error')}, "
        f"{_count(counts[Severity.WARNING], 'warning')}, {_count(counts[Severity.INFO], 'note')}",
    ]
    findings = lint_findings(report, rules)
    if findings:
        lines += ["", "| Where | Severity | Rule | Message |", "|---|---|---|---|"]
        for finding in findings:
            where = f"{finding.file}:{finding.line}:{finding.col}" if finding.file else ""
            lines.append(
                f"| {_cell(where)} | {finding.severity.label} | {_cell(finding.title)} | "
                f"{_cell(finding.message)} |"
            )
    return "\n".join(lines) + "\n"


# --- shared ----------------------------------------------------------------------------------


def _gitlab_json(findings: Iterable[Finding]) -> str:
    issues = [finding.gitlab() for finding in findings]
    issues = _unique_fingerprints(issues)
    return json.dumps(issues, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _unique_fingerprints(issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """GitLab drops issues that share a fingerprint: number repeats (in report order)."""
    seen: dict[str, int] = {}
    for issue in issues:
        fingerprint = issue["fingerprint"]
        seen[fingerprint] = seen.get(fingerprint, 0) + 1
        if seen[fingerprint] > 1:
            raw = f"{fingerprint}|{seen[fingerprint]}".encode()
            issue["fingerprint"] = hashlib.sha256(raw).hexdigest()
    return issues


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _cell(text: str) -> str:
    """Text for a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def append_step_summary(markdown: str) -> Path | None:
    """Append ``markdown`` to the file ``$GITHUB_STEP_SUMMARY`` names (None when unset)."""
    name = os.environ.get("GITHUB_STEP_SUMMARY", "").strip()
    if not name:
        return None
    path = Path(name)
    try:
        with path.open("a", encoding="utf-8") as summary:
            summary.write(markdown)
    except OSError as error:
        raise UsageError(
            f"cannot append to $GITHUB_STEP_SUMMARY ({name}): {error.strerror or error}"
        ) from None
    return path
