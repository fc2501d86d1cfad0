"""``koreoctl diff`` output: text (rich), JSON and Markdown renderings of a ``DiffReport``.

Text: a header naming both sides, a line per render, object or test case (``+`` added,
``-`` removed, ``~`` changed; ``✗`` started failing, ``✓`` stopped failing), the fields
indented below it, values as compact JSON cut to one line, and a summary line.

The JSON shape (stable; keys sorted, two-space indent; values are JSON data, never cut)::

    {"command": "render" | "test",
     "a": {"id", "description"}, "b": {"id", "description"},
     "hasDifferences": bool, "ignored": ["metadata.uid", ...],
     "warnings": [text]   (only when there are: a side is a sharded run with shards missing),
     "summary": {"added", "removed", "changed", "unchanged", "renders"}   (render)
              | {"startedFailing", "stoppedFailing", "added", "removed", "changed",
                 "unchanged"}                                            (test),
     "renders": [{"trigger", "change", "fields": [field]}],
     "objects": [{"change", "apiVersion", "kind", "namespace", "name", "trigger",
                  "fields": [field]}],
     "cases": [{"test", "case", "change", "old", "new", "fields": [field]}]}

    field = {"path", "change": "added" | "removed" | "changed", "old", "new"}

``change`` of a case is one of added, removed, started-failing, stopped-failing, status,
outcome, result; ``case`` is null for a whole test. Markdown (for a pull-request comment):
a heading, both sides, the summary, a table of every change, then a ``<details>`` block per
changed render, object or case holding a ```` ```diff ```` block of its fields.
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Any

from rich.markup import escape

if TYPE_CHECKING:
    from rich.console import Console

    from koreoctl.snapshots.diff import CaseChange, DiffReport, FieldChange, ObjectChange

_IN = " \u203a "  # between a test and its case
_WIDTH = 100  # the longest value shown on a text or markdown line
_MARK = {"added": "+", "removed": "-", "changed": "~"}
_STYLE = {"added": "green", "removed": "red", "changed": "yellow"}
_CASE_MARK = {
    "added": ("+", "green", "added"),
    "removed": ("-", "red", "removed"),
    "started-failing": ("✗", "red", "started failing"),
    "stopped-failing": ("✓", "green", "stopped failing"),
    "status": ("~", "yellow", "status"),
    "outcome": ("~", "yellow", "outcome"),
    "result": ("~", "yellow", "result"),
}


# --- shared pieces ---------------------------------------------------------------------------


def value_text(value: Any, width: int = _WIDTH) -> str:
    """``value`` as compact JSON on one line, cut with … past ``width`` characters."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def object_title(change: ObjectChange) -> str:
    """``apps/v1 Deployment demo/web`` (``(trigger)`` after a render's trigger)."""
    name = f"{change.namespace}/{change.name}" if change.namespace else change.name
    trigger = " (trigger)" if change.trigger else ""
    return f"{change.api_version} {change.kind} {name}{trigger}"


def case_title(change: CaseChange) -> str:
    """The test, then the case label after a single right-pointing angle quotation mark (just
    the test for a change of the whole test)."""
    return change.test if change.case is None else f"{change.test}{_IN}{change.case}"


def summary_counts(report: DiffReport) -> dict[str, int]:
    """The counts of the summary line, by change."""
    if report.command == "render":
        counts = {"changed": 0, "added": 0, "removed": 0}
        for obj in report.objects:
            counts[obj.change] += 1
        return {**counts, "unchanged": report.unchanged, "renders": len(report.renders)}
    first = {"started-failing": 0, "stopped-failing": 0, "added": 0, "removed": 0}
    for case in report.cases:
        if case.change in first:
            first[case.change] += 1
    settled = {(c.test, c.case) for c in report.cases if c.change in first}
    changed = {(c.test, c.case) for c in report.cases} - settled
    return {
        "startedFailing": first["started-failing"],
        "stoppedFailing": first["stopped-failing"],
        "added": first["added"],
        "removed": first["removed"],
        "changed": len(changed),
        "unchanged": report.unchanged,
    }


def summary_line(report: DiffReport) -> str:
    """``2 changed, 1 added, 1 removed, 14 unchanged`` or ``no differences``."""
    if not report.has_differences:
        return "no differences"
    counts = summary_counts(report)
    if report.command == "render":
        text = ", ".join(f"{counts[k]} {k}" for k in ("changed", "added", "removed", "unchanged"))
        for kind in ("changed", "added", "removed"):
            renders = sum(r.change == kind for r in report.renders)
            if renders:
                text += f", {renders} render{'s' if renders != 1 else ''} {kind}"
        return text
    names = {"startedFailing": "started failing", "stoppedFailing": "stopped failing"}
    return ", ".join(f"{number} {names.get(key, key)}" for key, number in counts.items())


def _outcome_text(outcome: Any) -> str:
    """``Ok``, ``Retry (delay 15): message``, ``none`` (the case did not run)."""
    if not isinstance(outcome, dict):
        return "none" if outcome is None else value_text(outcome)
    text = str(outcome.get("type"))
    if outcome.get("delay") is not None:
        text += f" (delay {outcome['delay']})"
    if outcome.get("message"):
        text += f": {outcome['message']}"
    return text


def _case_label(change: CaseChange) -> tuple[str, str, str]:
    """The mark, its colour and the words for a case change (``added test`` for a test)."""
    mark, style, label = _CASE_MARK[change.change]
    if change.case is None and change.change in ("added", "removed"):
        label += " test"
    return mark, style, label


def _case_detail(change: CaseChange) -> str:
    """What follows a case's title: ``(was passed)``, ``: skipped → passed``, ..."""
    if change.change in ("started-failing", "stopped-failing"):
        return f"  (was {change.old})"
    if change.change == "status":
        return f": {change.old} → {change.new}"
    if change.change == "outcome":
        return f": {_outcome_text(change.old)} → {_outcome_text(change.new)}"
    return ""


# --- text ------------------------------------------------------------------------------------


def print_diff(console: Console, report: DiffReport) -> None:
    """The report as text lines (colour by rich markup; every user text escaped)."""
    a, b = report.a, report.b
    console.print(
        escape(f"diff A {a.id} ({a.description}) → B {b.id} ({b.description})"), highlight=False
    )
    for line in _text_lines(report):
        console.print(line, highlight=False)
    console.print(escape(summary_line(report)), highlight=False)


def _text_lines(report: DiffReport) -> list[str]:
    lines: list[str] = []
    for render in report.renders:
        lines.append(_marked(render.change, f"render {render.trigger}"))
        lines.extend(_field_lines(render.fields))
    for obj in report.objects:
        lines.append(_marked(obj.change, object_title(obj)))
        lines.extend(_field_lines(obj.fields))
    for case in report.cases:
        mark, style, label = _case_label(case)
        lines.append(
            f"[{style}]{escape(mark)} {escape(label)}[/]  {escape(case_title(case))}"
            + escape(_case_detail(case))
        )
        lines.extend(_field_lines(case.fields))
    return lines


def _marked(change: str, title: str) -> str:
    return f"[{_STYLE[change]}]{escape(_MARK[change])} {escape(title)}[/]"


def _field_lines(fields: tuple[FieldChange, ...]) -> list[str]:
    return [
        f"    [{_STYLE[f.change]}]{escape(_MARK[f.change])}[/] {escape(_field_text(f))}"
        for f in fields
    ]


def _field_text(field: FieldChange) -> str:
    if field.change == "added":
        return f"{field.path}: {value_text(field.new)}"
    if field.change == "removed":
        return f"{field.path}: {value_text(field.old)}"
    return f"{field.path}: {value_text(field.old)} → {value_text(field.new)}"


# --- json ------------------------------------------------------------------------------------


def diff_to_json(report: DiffReport) -> str:
    """The report as JSON text (the shape in the module docstring)."""
    data = {
        "command": report.command,
        "a": {"id": report.a.id, "description": report.a.description},
        "b": {"id": report.b.id, "description": report.b.description},
        "hasDifferences": report.has_differences,
        "ignored": list(report.ignored),
        "summary": summary_counts(report),
        "renders": [
            {"trigger": r.trigger, "change": r.change, "fields": _fields_data(r.fields)}
            for r in report.renders
        ],
        "objects": [
            {
                "change": o.change,
                "apiVersion": o.api_version,
                "kind": o.kind,
                "namespace": o.namespace,
                "name": o.name,
                "trigger": o.trigger,
                "fields": _fields_data(o.fields),
            }
            for o in report.objects
        ],
        "cases": [
            {
                "test": c.test,
                "case": c.case,
                "change": c.change,
                "old": c.old,
                "new": c.new,
                "fields": _fields_data(c.fields),
            }
            for c in report.cases
        ],
    }
    if report.warnings:
        data["warnings"] = list(report.warnings)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def _fields_data(fields: tuple[FieldChange, ...]) -> list[dict[str, Any]]:
    return [{"path": f.path, "change": f.change, "old": f.old, "new": f.new} for f in fields]


# --- markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def _md(text: str) -> str:
    """Plain text inside Markdown (a table cell or a paragraph): nothing is markup."""
    return _MD_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;")).replace("\n", " ")


def diff_to_markdown(report: DiffReport) -> str:
    """The report for a pull-request comment: summary, a table, then details per change."""
    a, b = report.a, report.b
    parts = [
        f"### koreoctl diff ({report.command})\n",
        f"**A** {_md(a.id)} ({_md(a.description)}) → **B** {_md(b.id)} ({_md(b.description)})\n",
        *(f"> **Warning:** {_md(warning)}\n" for warning in report.warnings),
        f"**{_md(summary_line(report))}**\n",
    ]
    rows = _md_rows(report)
    if rows:
        what = "object" if report.command == "render" else "change"
        parts.append(f"| | {what} | fields |\n| --- | --- | --- |\n" + "".join(rows))
    parts.extend(_md_details(report))
    return "\n".join(parts)


def _md_rows(report: DiffReport) -> list[str]:
    rows = [
        f"| {_md(_MARK[r.change])} | render {_md(r.trigger)} | {len(r.fields) or ''} |\n"
        for r in report.renders
    ]
    rows += [
        f"| {_md(_MARK[o.change])} | {_md(object_title(o))} | {len(o.fields) or ''} |\n"
        for o in report.objects
    ]
    for case in report.cases:
        mark, _, label = _case_label(case)
        title = f"{label}: {case_title(case)}{_case_detail(case)}"
        rows.append(f"| {_md(mark)} | {_md(title)} | {len(case.fields) or ''} |\n")
    return rows


def _md_details(report: DiffReport) -> list[str]:
    blocks: list[tuple[str, tuple[FieldChange, ...]]] = [
        (f"~ render {r.trigger}", r.fields) for r in report.renders
    ]
    blocks += [(f"~ {object_title(o)}", o.fields) for o in report.objects]
    blocks += [(f"{_case_label(c)[2]}: {case_title(c)}", c.fields) for c in report.cases]
    return [_md_block(title, fields) for title, fields in blocks if fields]


def _md_block(title: str, fields: tuple[FieldChange, ...]) -> str:
    lines: list[str] = []
    for field in fields:
        if field.change != "added":
            lines.append(f"- {field.path}: {value_text(field.old)}")
        if field.change != "removed":
            lines.append(f"+ {field.path}: {value_text(field.new)}")
    body = "\n".join(lines)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return (
        f"<details><summary>{html.escape(title)}</summary>\n\n"
        f"{fence}diff\n{body}\n{fence}\n\n</details>\n"
    )
