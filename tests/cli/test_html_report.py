"""The HTML test report: a golden page for a small hand-built report, escaping, inlined
graphs, links and self-containment (the browser check is tests/browser/)."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from html import unescape
from html.parser import HTMLParser

from koreoctl.cli.html_report import CSP
from koreoctl.cli.html_report import tests_to_html as to_html  # not test_*: pytest collects
from koreoctl.cli.reporters import TextTestReporter, make_console
from koreoctl.diagnostics import Diagnostic, Severity, Span
from koreoctl.functest import CaseResult, TestReport, TestResult
from koreoctl.outcome import Ok, PermFail, Retry
from tests.cli.clitools import REPOSITORY, check_golden

# A tiny graph as a tool might write it: a declaration, a DOCTYPE and an id used by url(#).
SVG = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5"><path d="M0,0 L10,5 L0,10 z"/>\
</marker></defs>
<path d="M0,20 L110,20" stroke="#444" marker-end="url(#arrow)"/>
</svg>
"""

PASSED = TestResult(
    name="config-test",
    namespace="demo",
    file="in/config.koreo",
    line=12,
    function_kind="ValueFunction",
    function_name="config",
    status="passed",
    cases=(
        CaseResult(0, "Builds the settings", False, "passed", Ok({"name": "web"})),
        CaseResult(1, "[variant] A team is required", True, "passed", PermFail("need a team")),
    ),
)
FAILED = TestResult(
    name="deployment-test",
    namespace="demo",
    file="in/deployment.koreo",
    line=30,
    function_kind="ResourceFunction",
    function_name="deployment",
    status="failed",
    cases=(
        CaseResult(
            0,
            "Creates <the> Deployment & waits",
            False,
            "failed",
            Retry(30, "Creating Deployment:demo:web."),
            message="the resource differs from expectResource",
            differences={"spec": {"replicas": "expected '`3`' but found '`2`'"}},
            span=Span("in/deployment.koreo", 44, 7),
            warnings=("expectResource has no apiVersion",),
        ),
        CaseResult(
            1,
            "Is ready",
            False,
            "skipped",
            None,
            message="not run: case 1 ('Creates <the> Deployment & waits') failed",
        ),
    ),
)
ERRORED = TestResult(
    name="<b>broken</b>-test",
    namespace="demo",
    file="in/broken.koreo",
    line=3,
    function_kind="ValueFunction",
    function_name="missing",
    status="error",
    error="ValueFunction 'missing' is not defined",
    diagnostics=(
        Diagnostic("KOR201", "no ValueFunction 'missing'", Span("in/broken.koreo", 9, 5)),
    ),
)
WORKFLOW_TESTS = tuple(
    TestResult(
        name=name,
        namespace="demo",
        file="in/workflow-test.koreo",
        line=line,
        function_kind="Workflow",
        function_name="hello-workload",
        status="passed",
        cases=(CaseResult(0, "reaches a steady state in 2 passes", False, "passed", Ok(None)),),
    )
    for name, line in (("wf-test", 4), ("wf-slow-test", 40))
)
REPORT = TestReport(
    tests=(PASSED, FAILED, ERRORED, *WORKFLOW_TESTS),
    diagnostics=(
        Diagnostic("KOR101", "unknown key 'spce' <here>", Span("in/a.koreo", 2, 1)),
        Diagnostic("L004", "step 'x' is never read", Span("in/b.koreo", 7, 3), Severity.WARNING),
    ),
)


def html(report: TestReport = REPORT, graphs: dict[str, str] | None = None) -> str:
    return to_html(report, {"hello-workload": SVG} if graphs is None else graphs)


def text(markup: str, between: str = "") -> str:
    """What a reader sees: tags dropped (replaced by ``between``), entities decoded."""
    return unescape(re.sub(r"<[^>]+>", between, markup))


def test_golden_page() -> None:
    check_golden("html-small.html", html())


def test_the_same_report_gives_the_same_bytes() -> None:
    assert html() == html()
    assert to_html(REPORT, {"hello-workload": SVG}, title="x") != html()


def test_self_contained_under_a_content_security_policy() -> None:
    page = html()
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
    assert CSP == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    for loads_something in (
        "<script",
        "<link",
        "<img",
        "<iframe",
        "@import",
        " src=",
        'href="http',
    ):
        assert loads_something not in page
    # the only addresses are XML namespaces and the dropped DOCTYPE's, none fetched
    assert re.findall(r"https?://[^\s\"'<>]+", page) == ["http://www.w3.org/2000/svg"]
    assert re.findall(r"url\(([^)]*)\)", page) == ["#workflow-hello-workload-arrow"]


def test_user_text_is_escaped() -> None:
    page = html()
    assert "<b>broken</b>" not in page
    assert "&lt;b&gt;broken&lt;/b&gt;-test" in page
    assert "Creates &lt;the&gt; Deployment &amp; waits" in page
    assert "unknown key &#x27;spce&#x27; &lt;here&gt;" in page


class _Balance(HTMLParser):
    """Fails on a closing tag that does not close the innermost open element."""

    VOID = frozenset({"meta", "col", "br", "img", "input", "link", "hr", "path", "rect"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        pass  # <path/>: opens nothing

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (tag, self.open[-3:])
        self.open.pop()


def test_elements_are_balanced() -> None:
    checker = _Balance()
    checker.feed(html())
    checker.close()
    assert checker.open == []


def test_summary_counts() -> None:
    summary = text(html().split('<h2 id="diagnostics">')[0].split("</h1>")[1], " ")
    # 5 tests; 6 cases (2 + 2 + 0 + 1 + 1): 4 passed, 1 failed, 1 skipped; 1 errored test;
    # 1 load error (the warning is not one); the verdict counts the errored test as failed;
    # the tests that did not pass are linked
    assert " ".join(summary.split()) == (
        "5 tests 6 cases 4 passed 1 failed 1 skipped 1 test errored 1 load error "
        "FAIL 4 passed, 2 failed Not passed: deployment-test , <b>broken</b>-test"
    )
    links = re.findall(r'<p class="failing">.*</p>', html())[0]
    assert re.findall(r'href="#(test-\d)"', links) == ["test-2", "test-3"]
    passing = html(TestReport(tests=(PASSED,)), {})
    assert (
        '<p class="verdict"><span class="badge pass">PASS</span> 2 passed, 0 failed</p>' in passing
    )


def test_diagnostics_are_listed_with_their_positions() -> None:
    page = html()
    listed = text(page.split('<ul class="diagnostics">')[1].split("</ul>")[0])
    assert listed.strip().splitlines() == [
        "in/a.koreo:2:1 error KOR101 unknown key 'spce' <here>",
        "in/b.koreo:7:3 warning L004 step 'x' is never read",
    ]
    assert "in/broken.koreo:9:5 error KOR201 no ValueFunction 'missing'" in text(page)
    assert "Load diagnostics" not in html(TestReport(tests=(PASSED,)))


def test_failing_tests_are_open_and_passing_ones_closed() -> None:
    opened = re.findall(r'<details class="test (\w+)" id="(test-\d)"( open)?>', html())
    assert opened == [
        ("passed", "test-1", ""),
        ("failed", "test-2", " open"),
        ("error", "test-3", " open"),
        ("passed", "test-4", ""),
        ("passed", "test-5", ""),
    ]


def test_a_failing_case_shows_the_text_reporters_lines() -> None:
    """Where, why and every difference, as ``koreoctl test`` prints them under the case."""
    out = io.StringIO()
    TextTestReporter(make_console(out)).report(TestReport(tests=(FAILED,)))
    printed = out.getvalue().splitlines()
    start = (
        printed.index(
            "    FAIL 1. Creates <the> Deployment & waits  Retry (30s): Creating "
            "Deployment:demo:web."
        )
        + 1
    )
    under_case = [line.strip() for line in printed[start : start + 3]]
    assert under_case == [
        "at in/deployment.koreo:44",
        "the resource differs from expectResource",
        "spec.replicas: expected '`3`' but found '`2`'",
    ]
    shown = re.search(r'<tr class="differences">.*?<pre>(.*?)</pre>', html(), re.DOTALL)
    assert shown is not None
    assert text(shown.group(1)).splitlines() == under_case


def test_case_rows() -> None:
    rows = re.findall(r'<tr class="(\w+)">(.*?)</tr>', html())
    assert [(status, text(cells)) for status, cells in rows] == [
        ("passed", "PASS1. Builds the settingsOk"),
        ("passed", "PASS2. [variant] A team is requiredPermFail: need a team"),
        (
            "failed",
            "FAIL1. Creates <the> Deployment & waitsRetry (30s): Creating Deployment:demo:web."
            "warning: expectResource has no apiVersion",
        ),
        ("skipped", "SKIP2. Is readynot run: case 1 ('Creates <the> Deployment & waits') failed"),
        ("passed", "PASS1. reaches a steady state in 2 passesOk"),
        ("passed", "PASS1. reaches a steady state in 2 passesOk"),
    ]


def test_each_workflow_graph_is_shown_once_and_linked_from_its_tests() -> None:
    page = html()
    assert page.count("<svg") == 1
    assert page.count('<figure id="workflow-hello-workload">') == 1
    tests = re.findall(r'<details class="test \w+" id="(test-\d)"(.*?)</details>', page, re.DOTALL)
    linked = [number for number, body in tests if '<a href="#workflow-hello-workload">' in body]
    assert linked == ["test-4", "test-5"]  # the WorkflowTests, not the FunctionTests


def test_no_graph_no_link_and_no_section() -> None:
    page = html(graphs={})
    assert '<a href="#workflow' not in page
    assert "Workflows</h2>" not in page
    assert "<svg" not in page


def test_inlined_svg_loses_its_prolog_and_gets_page_unique_ids() -> None:
    page = html(graphs={"hello-workload": SVG, "other/flow": SVG})
    assert "<?xml" not in page and "DOCTYPE svg" not in page
    assert page.count("<!DOCTYPE") == 1  # the page's own
    assert re.findall(r'id="([^"]*arrow)"', page) == [
        "workflow-hello-workload-arrow",
        "workflow-other-flow-arrow",
    ]
    assert re.findall(r"url\(#([^)]*)\)", page) == [
        "workflow-hello-workload-arrow",
        "workflow-other-flow-arrow",
    ]


def test_anchors_stay_unique_when_names_collide() -> None:
    page = html(graphs={"a.b": SVG, "a-b": SVG})
    assert re.findall(r'<figure id="([^"]+)"', page) == ["workflow-a-b", "workflow-a-b-"]


def test_a_real_graph_is_inlined_as_svg() -> None:
    from koreoctl import api, graph
    from koreoctl.program import PreparedWorkflow

    loaded = api.load([str(REPOSITORY / "testdata" / "hello-workload")])
    workflow = graph.select_workflow(loaded.program, "hello-workload", "testdata")
    assert isinstance(workflow, PreparedWorkflow)
    svg = graph.to_svg(graph.build_graph(loaded.program, workflow))
    page = html(TestReport(tests=WORKFLOW_TESTS), {"hello-workload": svg})
    inlined = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    root = ET.fromstring(inlined)  # still well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert 'id="workflow-hello-workload-arrow"' in inlined
    assert "url(#arrow)" not in inlined


def test_the_workflow_kind_is_the_runners() -> None:
    from koreoctl.cli import html_report
    from koreoctl.workflowtest import WORKFLOW_KIND

    assert html_report.WORKFLOW_KIND == WORKFLOW_KIND
