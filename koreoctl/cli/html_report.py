"""A test report as one self-contained HTML page (``koreoctl test --html FILE``).

The page has a summary, the load diagnostics (``file:line:col severity code message``), a
table per test (one row per case: status, label, outcome and message; a failing case's
differences under it, the same lines the text reporter prints) and, once each, the graph of
every Workflow a WorkflowTest rendered, as inline SVG that its tests link to.

It opens with no network access: the styles are inline, there is no script, and a
Content-Security-Policy forbids loading anything else. Every text that comes from the user's
files is escaped. The same report gives byte-identical HTML (no timestamps).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from html import escape
from typing import TYPE_CHECKING

from koreoctl.cli.serialize import describe_outcome, flatten_differences
from koreoctl.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from koreoctl.functest import CaseResult, TestReport, TestResult

WORKFLOW_KIND = "Workflow"  # koreoctl.workflowtest.WORKFLOW_KIND (not imported: it loads CEL)

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_BADGE = {
    "passed": ("pass", "PASS"),
    "failed": ("fail", "FAIL"),
    "skipped": ("skip", "SKIP"),
    "error": ("error", "ERROR"),
}

CSS = """\
:root {
  color-scheme: light dark;
  --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --line: #d1d9e0;
  --pass: #1a7f37; --fail: #cf222e; --skip: #9a6700; --link: #0969da;
  --fail-bg: #ffebe9; --skip-bg: #fff8c5; --badge-fg: #ffffff;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #151b23; --line: #3d444d;
    --pass: #3fb950; --fail: #f85149; --skip: #d29922; --link: #4493f8;
    --fail-bg: #3c1618; --skip-bg: #3a2d0c; --badge-fg: #0d1117;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0 auto; padding: 1.5rem 2rem 3rem; max-width: 80rem;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: var(--fg); background: var(--bg);
}
h1 { font-size: 1.6rem; margin: 0 0 .75rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; padding-bottom: .3rem;
  border-bottom: 1px solid var(--line); }
a { color: var(--link); }
code, pre, .where { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas,
  "DejaVu Sans Mono", monospace; font-size: .85rem; }
.muted, .where { color: var(--muted); }
.badge { display: inline-block; min-width: 3.6rem; padding: .05rem .45rem; border-radius: 1rem;
  font-size: .75rem; font-weight: 700; letter-spacing: .03em; text-align: center;
  color: var(--badge-fg); vertical-align: .1em; }
.badge.pass { background: var(--pass); }
.badge.fail, .badge.error { background: var(--fail); }
.badge.skip { background: var(--skip); }
.badge.info { background: var(--muted); }
.summary { display: flex; flex-wrap: wrap; gap: .6rem; margin: 0; padding: 0; list-style: none; }
.summary li { padding: .5rem .9rem; border: 1px solid var(--line); border-radius: .5rem;
  background: var(--panel); }
.summary b { display: block; font-size: 1.35rem; line-height: 1.2; }
.summary .pass b { color: var(--pass); }
.summary .fail b { color: var(--fail); }
.summary .skip b { color: var(--skip); }
.verdict, .failing { margin: .9rem 0 0; }
.failing { margin-top: .4rem; overflow-wrap: anywhere; }
.diagnostics { margin: 0; padding: 0; list-style: none; }
.diagnostics li { padding: .3rem 0; border-bottom: 1px solid var(--line);
  overflow-wrap: anywhere; }
details.test { margin: .6rem 0; border: 1px solid var(--line); border-radius: .5rem;
  background: var(--bg); }
details.test.failed, details.test.error { border-color: var(--fail); }
details.test > summary { padding: .55rem .9rem; cursor: pointer; background: var(--panel);
  border-radius: .5rem; overflow-wrap: anywhere; }
details.test[open] > summary { border-bottom: 1px solid var(--line);
  border-radius: .5rem .5rem 0 0; }
.test .name { font-weight: 600; }
.test .body { padding: .6rem .9rem .9rem; }
.test .body > p { margin: .2rem 0 .6rem; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { padding: .35rem .5rem; text-align: left; vertical-align: top;
  border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { font-size: .8rem; color: var(--muted); font-weight: 600; }
col.status { width: 5.5rem; }
col.case { width: 40%; }
tr.failed > td { background: var(--fail-bg); }
tr.skipped > td { background: var(--skip-bg); }
tr.differences > td { padding-top: 0; }
pre { margin: .2rem 0 .4rem; padding: .5rem .7rem; border-radius: .35rem;
  background: var(--panel); border: 1px solid var(--line);
  white-space: pre-wrap; overflow-wrap: anywhere; }
pre b { color: var(--fail); }
.message { display: block; }
.warning { display: block; color: var(--skip); }
figure { margin: 1rem 0; }
figcaption { font-weight: 600; margin-bottom: .4rem; }
.graph { overflow: auto; padding: .6rem; border: 1px solid var(--line); border-radius: .5rem;
  background: #ffffff; }
.graph svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
"""


def tests_to_html(
    report: TestReport, graphs: Mapping[str, str], *, title: str = "koreoctl test"
) -> str:
    """The report as an HTML document. ``graphs`` maps a Workflow's name (the
    ``function_name`` of its WorkflowTests) to its SVG (``koreoctl.graph.to_svg``)."""
    anchors = _anchors(sorted(graphs))
    body = [
        f"<h1>{escape(title)}</h1>",
        *_summary(report),
        *_diagnostics(report.diagnostics),
        *_tests(report.tests, anchors),
        *_workflows(graphs, anchors),
    ]
    return "\n".join([*_head(title), "<body>", *body, "</body>", "</html>"]) + "\n"


def _head(title: str) -> list[str]:
    return [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        f"<title>{escape(title)}</title>",
        f"<style>\n{CSS}</style>",
        "</head>",
    ]


def _anchors(names: Iterable[str]) -> dict[str, str]:
    """A unique ``id`` per Workflow name, readable where the name allows."""
    anchors: dict[str, str] = {}
    for name in names:
        anchor = "workflow-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "x")
        while anchor in anchors.values():
            anchor += "-"
        anchors[name] = anchor
    return anchors


# --- summary and diagnostics -----------------------------------------------------------------


def _summary(report: TestReport) -> list[str]:
    summary = report.summary
    load_errors = sum(d.severity is Severity.ERROR for d in report.diagnostics)
    counts = [
        ("count", summary.tests, _plural(summary.tests, "test")),
        ("count", summary.cases, _plural(summary.cases, "case")),
        ("pass", summary.passed, "passed"),
        ("fail" if summary.failed else "count", summary.failed, "failed"),
        ("skip" if summary.skipped else "count", summary.skipped, "skipped"),
        ("fail" if summary.errors else "count", summary.errors, _errored(summary.errors)),
        ("fail" if load_errors else "count", load_errors, _plural(load_errors, "load error")),
    ]
    items = [f'<li class="{style}"><b>{number}</b>{label}</li>' for style, number, label in counts]
    ok = summary.ok and not load_errors
    text = f"{summary.passed} passed, {summary.failed + summary.errors} failed"
    if report.not_run:
        text += f"; {report.not_run} not run after --fail-fast"
    verdict = f'<p class="verdict">{_badge("passed" if ok else "failed")} {escape(text)}</p>'
    return ['<ul class="summary">', *items, "</ul>", verdict, *_failing(report.tests)]


def _failing(tests: Iterable[TestResult]) -> list[str]:
    """Links to the tests that did not pass."""
    links = [
        f'<a href="#test-{number}">{escape(test.name)}</a>'
        for number, test in enumerate(tests, 1)
        if test.status != "passed"
    ]
    return [f'<p class="failing">Not passed: {", ".join(links)}</p>'] if links else []


def _errored(number: int) -> str:
    return f"{_plural(number, 'test')} errored"


def _plural(number: int, noun: str) -> str:
    return noun if number == 1 else f"{noun}s"


def _diagnostics(diagnostics: Iterable[Diagnostic]) -> list[str]:
    items = [f"<li>{_diagnostic(diagnostic)}</li>" for diagnostic in diagnostics]
    if not items:
        return []
    return [
        '<h2 id="diagnostics">Load diagnostics</h2>',
        '<ul class="diagnostics">',
        *items,
        "</ul>",
    ]


def _diagnostic(diagnostic: Diagnostic) -> str:
    """``file:line:col severity CODE message`` with the severity as a badge."""
    style = {Severity.ERROR: "fail", Severity.WARNING: "skip", Severity.INFO: "info"}
    where = f'<code class="where">{escape(str(diagnostic.span))}</code> ' if diagnostic.span else ""
    badge = f'<span class="badge {style[diagnostic.severity]}">{diagnostic.severity.label}</span>'
    return (
        f"{where}{badge} <code>{escape(diagnostic.code)}</code> "
        f"{escape(_one_line(diagnostic.message))}"
    )


# --- tests -----------------------------------------------------------------------------------


def _tests(tests: Iterable[TestResult], anchors: Mapping[str, str]) -> list[str]:
    blocks = [_test(number, test, anchors) for number, test in enumerate(tests, 1)]
    return ['<h2 id="tests">Tests</h2>', *blocks] if blocks else []


def _test(number: int, test: TestResult, anchors: Mapping[str, str]) -> str:
    """A test as a <details> block: open when it did not pass."""
    opened = "" if test.status == "passed" else " open"
    what = f"{test.function_kind} {test.function_name}"
    counts = _case_counts(test)
    summary = (
        f'<summary>{_badge(test.status)} <span class="name">{escape(test.name)}</span> '
        f'<span class="muted">({escape(what)}){counts}</span></summary>'
    )
    about = f'<code class="where">{escape(f"{test.file}:{test.line}")}</code>'
    anchor = anchors.get(test.function_name) if test.function_kind == WORKFLOW_KIND else None
    if anchor:
        about += f' · <a href="#{anchor}">graph of Workflow {escape(test.function_name)}</a>'
    body = [f"<p>{about}</p>", *_test_error(test), *_cases(test.cases)]
    return "\n".join(
        [
            f'<details class="test {test.status}" id="test-{number}"{opened}>',
            summary,
            '<div class="body">',
            *body,
            "</div>",
            "</details>",
        ]
    )


def _case_counts(test: TestResult) -> str:
    if not test.cases:
        return ""
    passed = sum(case.status == "passed" for case in test.cases)
    return f" · {passed}/{len(test.cases)} cases passed"


def _test_error(test: TestResult) -> list[str]:
    if test.status != "error":
        return []
    lines = [f"<pre>{escape(test.error or 'error')}</pre>"]
    if test.diagnostics:
        items = [f"<li>{_diagnostic(diagnostic)}</li>" for diagnostic in test.diagnostics]
        lines += ['<ul class="diagnostics">', *items, "</ul>"]
    return lines


def _cases(cases: Iterable[CaseResult]) -> list[str]:
    rows = [row for case in cases for row in _case_rows(case)]
    if not rows:
        return []
    return [
        "<table>",
        '<colgroup><col class="status"><col class="case"><col></colgroup>',
        "<thead><tr><th>Status</th><th>Case</th><th>Outcome and message</th></tr></thead>",
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
    ]


def _case_rows(case: CaseResult) -> Iterator[str]:
    label = escape(f"{case.index + 1}. {case.label}")
    details = []
    if case.outcome is not None:
        details.append(f'<code class="muted">{escape(describe_outcome(case.outcome))}</code>')
    if case.message and case.status != "failed":  # a failure's message heads its differences
        details.append(f'<span class="message">{escape(case.message)}</span>')
    details += [f'<span class="warning">warning: {escape(w)}</span>' for w in case.warnings]
    yield (
        f'<tr class="{case.status}"><td>{_badge(case.status)}</td><td>{label}</td>'
        f"<td>{''.join(details)}</td></tr>"
    )
    if case.status == "failed":
        yield f'<tr class="differences"><td></td><td colspan="2">{_failure(case)}</td></tr>'


def _failure(case: CaseResult) -> str:
    """What the text reporter prints under a failing case: where, why, every difference."""
    lines = []
    if case.span:
        where = escape(f"{case.span.file}:{case.span.line}")
        lines.append(f'<span class="muted">at {where}</span>')
    if case.message:
        lines.append(escape(case.message))
    for path, detail in flatten_differences(case.differences):
        lines.append(f"<b>{escape(path)}</b>: {escape(detail)}")
    return "<pre>" + "\n".join(lines) + "</pre>"


def _badge(status: str) -> str:
    style, text = _BADGE[status]
    return f'<span class="badge {style}">{text}</span>'


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- workflow graphs -------------------------------------------------------------------------


def _workflows(graphs: Mapping[str, str], anchors: Mapping[str, str]) -> list[str]:
    figures = [
        f'<figure id="{anchors[name]}"><figcaption>Workflow {escape(name)}</figcaption>'
        f'<div class="graph">{_inline_svg(graphs[name], anchors[name])}</div></figure>'
        for name in sorted(graphs)
    ]
    return ['<h2 id="workflows">Workflows</h2>', *figures] if figures else []


_PROLOG = re.compile(r"\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!DOCTYPE[^>]*>\s*)?", re.IGNORECASE)
_ID = re.compile(r'\bid="([^"]+)"')


def _inline_svg(svg: str, prefix: str) -> str:
    """``svg`` without an XML declaration or DOCTYPE, its ids prefixed so that several
    graphs on one page (each with its own ``#arrow`` marker) do not share them."""
    text = _PROLOG.sub("", svg).strip()
    for name in dict.fromkeys(_ID.findall(text)):
        new = f"{prefix}-{name}"
        text = text.replace(f'id="{name}"', f'id="{new}"')
        text = text.replace(f"url(#{name})", f"url(#{new})")
        text = text.replace(f'href="#{name}"', f'href="#{new}"')
    return text


__all__ = ["CSP", "CSS", "tests_to_html"]
