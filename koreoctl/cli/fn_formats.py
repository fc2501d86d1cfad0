"""How ``koreoctl fn do`` (and ``render --fn``) show a function sequence's report: plain text
(attribute values, validation results with their failed attributes and source lines, the
record of changes), YAML of the outputs, or the report as JSON."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape

from koreoctl.fn.executor import Report, ValidationEntry
from koreoctl.project.yamldump import dump_yaml_documents


def report_json(report: Report, unit_text: str | None) -> str:
    """The whole report, and the unit's text after it (when it mutates), as JSON."""
    data = {**report.to_dict(), "unit": unit_text}
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def outputs_yaml(report: Report) -> str:
    """The outputs of readonly and validating functions as one YAML document."""
    data = report.to_dict()
    shown = {k: data[k] for k in ("values", "resources", "validation", "errors") if data[k]}
    if data["validation"]:
        shown["passed"] = data["passed"]
    if data["stopped"] is not None:
        shown["stopped"] = data["stopped"]
    return dump_yaml_documents([(shown or {"values": []}, None)])


def _value_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def print_text(
    console: Console, report: Report, *, changes: bool = True, limit: int | None = None
) -> None:
    """The report for a person: values, resources, validations, changes, a summary line."""
    values = [
        f"{escape(invocation.name)}: {escape(str(value.resource))} "
        f"{escape(value.path_text)} = {escape(_value_text(value.value))}"
        + (f"  ({escape(str(value.source))})" if value.source else "")
        for invocation, value in report.values
    ]
    if values:
        console.print("\n".join(values), highlight=False)
    for invocation, listed in report.resources:
        where = f"  ({listed.source})" if listed.source else ""
        console.print(
            f"{escape(invocation.name)}: {escape(str(listed.resource))}{escape(where)}",
            highlight=False,
        )
        if isinstance(listed.body, str):
            console.print(escape(listed.body.rstrip("\n")), highlight=False)
        elif listed.body is not None:
            console.print(escape(_value_text(listed.body)), highlight=False)
    for entry in report.validations:
        print_validation(console, entry)
    for failure in report.errors:
        if not any(e.invocation is failure.invocation for e in report.validations):
            console.print(
                f"[red]ERROR[/] {escape(failure.invocation.name)}: {escape(failure.message)}",
                highlight=False,
            )
    if changes:
        print_changes(console, report, limit=limit)
    if report.stopped is not None:
        stop = report.stopped
        console.print(
            f"stopped after {escape(stop.invocation.name)} (step {stop.invocation.index + 1}): "
            f"{stop.reason}",
            highlight=False,
        )
    if report.validations:
        print_summary(console, report)


def print_validation(console: Console, entry: ValidationEntry) -> None:
    name = escape(entry.invocation.name)
    label = "filter " if entry.filter else ""
    if entry.error is not None:
        console.print(f"[red]ERROR[/] {label}{name}: {escape(entry.error)}", highlight=False)
        return
    status = "[green]PASS[/]" if entry.passed else "[red]FAIL[/]"
    console.print(f"{status} {label}{name}", highlight=False)
    validation = entry.validation
    if validation is None:
        return
    lines = [f"  {issue.message} [{issue.id}]" for issue in validation.issues]
    for failed in sorted(validation.failed, key=lambda v: v.sort_key()):
        where = f"{failed.source}: " if failed.source else ""
        path = f" {failed.path_text}" if failed.path else ""
        value = "" if failed.value is None else f" = {_value_text(failed.value)}"
        messages = "; ".join(f"{issue.message} [{issue.id}]" for issue in failed.issues)
        lines.append(f"  {where}{failed.resource}{path}{value}: {messages}")
    if lines:
        console.print(escape("\n".join(lines)), highlight=False)
    if validation.details:
        details = "\n".join(f"  {detail}" for detail in validation.details)
        console.print(escape(details), highlight=False, style="dim")


def print_changes(console: Console, report: Report, *, limit: int | None = None) -> None:
    """The record of changes, one line each (the first ``limit`` of them, then a count)."""
    lines = []
    for invocation, change in report.changes[:limit]:
        path = f" {change.path_text}" if change.path else ""
        new = (
            ""
            if change.action in ("delete", "delete-resource")
            else f" = {_value_text(change.new)}"
        )
        lines.append(
            f"{escape(invocation.name)}: {change.action} {escape(str(change.resource))}"
            f"{escape(path)}{escape(new)}"
        )
    hidden = len(report.changes) - len(lines)
    if hidden:
        lines.append(f"... and {hidden} more changes (--format json or text lists them all)")
    if lines:
        console.print("\n".join(lines), highlight=False)


def print_summary(console: Console, report: Report) -> None:
    counted = [entry for entry in report.validations if not entry.filter]
    failed = sum(1 for entry in counted if not entry.passed)
    text = f"{len(counted) - failed} passed, {failed} failed"
    console.print(text, style="red" if failed else "green", highlight=False)
