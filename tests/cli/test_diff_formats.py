"""The diff renderers: text, JSON and Markdown of hand-built reports, pinned by golden files."""

# ruff: noqa: RUF001  (the text output separates a test from its case with U+203A)

from __future__ import annotations

import json
from io import StringIO

import pytest

from koreoctl.cli.diff_formats import (
    diff_to_json,
    diff_to_markdown,
    print_diff,
    summary_line,
    value_text,
)
from koreoctl.cli.reporters import make_console
from koreoctl.snapshots.diff import (
    CaseChange,
    DiffReport,
    FieldChange,
    ObjectChange,
    RenderChange,
    Side,
)
from tests.cli.clitools import check_golden

A = Side("3f2a9c0b1d4e", "render · 2026-12-03 01:02:03Z · ci-1#3 · abc1234 (dirty)")
B = Side("7d8e01aa22bb", "render · 2026-12-03 02:00:00Z · ci-1#4 · def5678")
ENV = "spec.template.spec.containers[name=web].env[name=LOG]"

RENDER = DiffReport(
    "render",
    A,
    B,
    objects=(
        ObjectChange("added", "v1", "ConfigMap", "demo", "settings", False),
        ObjectChange(
            "changed",
            "apps/v1",
            "Deployment",
            "demo",
            "web",
            False,
            (
                FieldChange("spec.replicas", "changed", 2, 3),
                FieldChange(ENV, "added", None, {"name": "LOG", "value": "debug"}),
                FieldChange(
                    "spec.template.spec.containers[name=web].args[1]", "removed", "--v", None
                ),
                FieldChange('metadata.labels["note"]', "changed", "[bold]x[/]", "x" * 120),
            ),
        ),
        ObjectChange(
            "removed", "rbac.authorization.k8s.io/v1", "ClusterRole", None, "reader", False
        ),
        ObjectChange(
            "changed",
            "example.koreo.dev/v1",
            "Workload",
            "demo",
            "web",
            True,
            (FieldChange("status.conditions[type=Ready].status", "changed", "True", "False"),),
        ),
    ),
    renders=(
        RenderChange(
            "Workload demo/web", "changed", (FieldChange("converged", "changed", True, False),)
        ),
        RenderChange("Workload demo/api", "added"),
    ),
    unchanged=14,
    ignored=("metadata.uid", "**.lastTransitionTime"),
)

TEST = DiffReport(
    "test",
    Side("aaaa", "test · one"),
    Side("bbbb", "test · two"),
    cases=(
        CaseChange(
            "ns/bucket-test",
            "Creates the bucket",
            "started-failing",
            "passed",
            "failed",
            (FieldChange("message", "added", None, "spec.location: expected 'eu', got 'us'"),),
        ),
        CaseChange(
            "ns/bucket-test",
            "Creates the bucket",
            "outcome",
            {"type": "Ok", "message": None, "delay": None},
            {"type": "Retry", "message": "Creating Bucket", "delay": 15},
        ),
        CaseChange("ns/bucket-test", "Waits", "stopped-failing", "failed", "passed"),
        CaseChange("ns/bucket-test", "Returns its URL", "status", "skipped", "passed"),
        CaseChange(
            "ns/config-test",
            "prod",
            "result",
            fields=(FieldChange("return.name", "changed", "a", "b"),),
        ),
        CaseChange("ns/config-test", "dev", "added", new="passed"),
        CaseChange("ns/config-test", "old", "removed", old="passed"),
        CaseChange(
            "ns/broken-test",
            None,
            "started-failing",
            "passed",
            "error",
            (FieldChange("error", "added", None, "no ValueFunction 'missing'"),),
        ),
        CaseChange("ns/new-test", None, "added", new="passed"),
    ),
    unchanged=20,
    ignored=("metadata.uid",),
)

NONE = DiffReport("render", A, B, unchanged=3, ignored=("metadata.uid",))


def text(report: DiffReport) -> str:
    buffer = StringIO()
    print_diff(make_console(buffer), report)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "report"), [("render", RENDER), ("test", TEST), ("none", NONE)])
def test_golden(name: str, report: DiffReport) -> None:
    check_golden(f"diff-{name}.txt", text(report))
    check_golden(f"diff-{name}.md", diff_to_markdown(report))
    check_golden(f"diff-{name}.json", diff_to_json(report))


def test_text_lines_of_a_render_diff() -> None:
    lines = text(RENDER).splitlines()
    assert lines[0] == f"diff A 3f2a9c0b1d4e ({A.description}) → B 7d8e01aa22bb ({B.description})"
    assert "~ apps/v1 Deployment demo/web" in lines
    assert "    ~ spec.replicas: 2 → 3" in lines
    assert f'    + {ENV}: {{"name": "LOG", "value": "debug"}}' in lines
    assert '    - spec.template.spec.containers[name=web].args[1]: "--v"' in lines
    assert "- rbac.authorization.k8s.io/v1 ClusterRole reader" in lines
    assert "~ example.koreo.dev/v1 Workload demo/web (trigger)" in lines
    assert (
        lines[-1] == "2 changed, 1 added, 1 removed, 14 unchanged, 1 render changed, 1 render added"
    )


def test_user_text_is_never_markup_and_long_values_are_cut() -> None:
    line = next(line for line in text(RENDER).splitlines() if "note" in line)
    assert line.startswith('    ~ metadata.labels["note"]: "[bold]x[/]" → "xxx')
    assert line.endswith("x…")
    assert len(line.split(" → ")[1]) == 100


def test_text_lines_of_a_test_diff() -> None:
    lines = text(TEST).splitlines()
    assert "✗ started failing  ns/bucket-test › Creates the bucket  (was passed)" in lines
    assert "    + message: \"spec.location: expected 'eu', got 'us'\"" in lines
    assert (
        "~ outcome  ns/bucket-test › Creates the bucket: Ok → Retry (delay 15): Creating Bucket"
        in lines
    )
    assert "✓ stopped failing  ns/bucket-test › Waits  (was failed)" in lines
    assert "~ status  ns/bucket-test › Returns its URL: skipped → passed" in lines
    assert "+ added test  ns/new-test" in lines
    assert "- removed  ns/config-test › old" in lines
    assert lines[-1] == (
        "2 started failing, 1 stopped failing, 2 added, 1 removed, 2 changed, 20 unchanged"
    )


def test_no_differences() -> None:
    assert text(NONE).splitlines()[1:] == ["no differences"]
    assert summary_line(NONE) == "no differences"
    data = json.loads(diff_to_json(NONE))
    assert data["hasDifferences"] is False
    assert data["summary"] == {"added": 0, "changed": 0, "removed": 0, "renders": 0, "unchanged": 3}


def test_json_keeps_whole_values() -> None:
    data = json.loads(diff_to_json(RENDER))
    deployment = data["objects"][1]
    assert deployment["apiVersion"] == "apps/v1"
    assert deployment["fields"][3] == {
        "path": 'metadata.labels["note"]',
        "change": "changed",
        "old": "[bold]x[/]",
        "new": "x" * 120,
    }
    assert data["summary"] == {
        "added": 1,
        "changed": 2,
        "removed": 1,
        "renders": 2,
        "unchanged": 14,
    }


def test_markdown_escapes_text_and_fences_values() -> None:
    markdown = diff_to_markdown(RENDER)
    assert "| \\~ | apps/v1 Deployment demo/web | 4 |" in markdown
    assert "- spec.replicas: 2\n+ spec.replicas: 3\n" in markdown
    assert '- metadata.labels["note"]: "[bold]x[/]"' in markdown  # a diff block shows text as is


def test_a_backtick_run_in_a_value_gets_a_longer_fence() -> None:
    fields = (FieldChange("data.script", "changed", "```", "````"),)
    report = DiffReport(
        "render", A, B, (ObjectChange("changed", "v1", "ConfigMap", None, "c", False, fields),)
    )
    assert '`````diff\n- data.script: "```"\n+ data.script: "````"\n`````' in diff_to_markdown(
        report
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "null"),
        ({"b": 1, "a": [1, "x"]}, '{"a": [1, "x"], "b": 1}'),
        ("é", '"é"'),
        ("y" * 200, '"' + "y" * 98 + "…"),
    ],
)
def test_value_text(value: object, shown: str) -> None:
    assert value_text(value) == shown
