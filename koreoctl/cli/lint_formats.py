"""Machine-readable lint reports: JSON, GitHub workflow commands and SARIF 2.1.0.

JSON (stable; keys sorted)::

    {"diagnostics": [{"file", "line", "column", "end_line", "end_column", "code", "rule",
                      "severity", "message"}],
     "summary": {"files", "errors", "warnings", "infos"}}

GitHub: one ``::error file=...,line=...,col=...,endLine=...,endColumn=...,title=CODE
rule::message`` line per finding (``warning``/``notice`` for the other severities), which
Actions turns into annotations on the pull request.

SARIF: one run of the ``koreoctl`` tool, every rule described, one result per finding, as
GitHub code scanning and other SARIF viewers read it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from koreoctl import __version__
from koreoctl.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from koreoctl.lint import LintReport
    from koreoctl.lint.rule import Rule

_SARIF = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
INFORMATION_URI = "https://koreo.dev"


def lint_to_json(report: LintReport, rules: dict[str, Rule]) -> str:
    data = {
        "diagnostics": [_diagnostic(d, rules) for d in report.diagnostics],
        "summary": {
            "files": report.files,
            "errors": report.count(Severity.ERROR),
            "warnings": report.count(Severity.WARNING),
            "infos": report.count(Severity.INFO),
        },
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _diagnostic(diagnostic: Diagnostic, rules: dict[str, Rule]) -> dict[str, Any]:
    span = diagnostic.span
    rule = rules.get(diagnostic.code)
    return {
        "file": span.file if span else None,
        "line": span.line if span else None,
        "column": span.col if span else None,
        "end_line": span.end_line if span else None,
        "end_column": span.end_col if span else None,
        "code": diagnostic.code,
        "rule": rule.name if rule else None,
        "severity": diagnostic.severity.label,
        "message": diagnostic.message,
    }


def lint_to_sarif(report: LintReport, rules: dict[str, Rule]) -> str:
    codes = sorted(rules)
    index = {code: position for position, code in enumerate(codes)}
    run = {
        "tool": {
            "driver": {
                "name": "koreoctl",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_sarif_rule(rules[code]) for code in codes],
            }
        },
        "results": [_sarif_result(d, index) for d in report.diagnostics],
        "columnKind": "unicodeCodePoints",
    }
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "defaultConfiguration": {"level": _SARIF[rule.severity]},
        "helpUri": f"{INFORMATION_URI}#koreoctl-{rule.code.lower()}",
    }


def _sarif_result(diagnostic: Diagnostic, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "level": _SARIF[diagnostic.severity],
        "message": {"text": diagnostic.message},
    }
    if diagnostic.code in index:
        result["ruleIndex"] = index[diagnostic.code]
    span = diagnostic.span
    if span is not None:
        region: dict[str, int] = {}
        if span.line:
            region = {"startLine": span.line, "startColumn": max(span.col, 1)}
            if span.end_line:
                region["endLine"] = span.end_line
                region["endColumn"] = max(span.end_col or 1, 1)
        location: dict[str, Any] = {"artifactLocation": {"uri": span.file}}
        if region:
            location["region"] = region
        result["locations"] = [{"physicalLocation": location}]
    return result
