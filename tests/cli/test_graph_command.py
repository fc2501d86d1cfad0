"""``koreoctl graph``: hello-workload's Workflow in each format (golden files), and the errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.cli.clitools import REPOSITORY, check_golden, cli

PROJECT = str(REPOSITORY / "testdata" / "hello-workload")


@pytest.mark.parametrize(("output", "suffix"), [("mermaid", "mmd"), ("dot", "dot"), ("svg", "svg")])
def test_hello_workload_graph(capsys: pytest.CaptureFixture[str], output: str, suffix: str) -> None:
    code, out, err = cli(capsys, "graph", "hello-workload", PROJECT, "-o", output)
    assert (code, err) == (0, "")
    check_golden(f"graph-hello-workload.{suffix}", out)


def test_mermaid_is_the_default_and_namespace_name_works(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = cli(capsys, "graph", "hello-workload/hello-workload", PROJECT)
    assert code == 0
    assert out.startswith("flowchart TD\n  %% Workflow hello-workload/hello-workload\n")


def test_the_svg_is_xml(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = cli(capsys, "graph", "hello-workload", PROJECT, "-o", "svg")
    root = ET.fromstring(out)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("hello-workloads", PROJECT),
            f"no Workflow 'hello-workloads' in {PROJECT} (did you mean 'hello-workload'?)",
        ),
        (
            ("other/hello-workload", PROJECT),
            f"no Workflow 'other/hello-workload' in {PROJECT} "
            "(did you mean 'hello-workload/hello-workload'?)",
        ),
        (("hello-workload", PROJECT, "-o", "png"), "-o 'png': use mermaid, dot, svg"),
    ],
)
def test_usage_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, out, err = cli(capsys, "graph", *args)
    assert (code, out, err) == (2, "", f"koreoctl: error: {message}\n")


def test_a_workflow_koreo_cannot_load_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "broken.koreo"
    path.write_text(
        "apiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {name: wf, namespace: ns}\n"
        "spec:\n  steps: [{label: a}]\n"
    )
    code, out, err = cli(capsys, "graph", "wf", str(path))
    assert (code, out) == (1, "")
    assert err.splitlines()[-1].startswith("koreoctl: error: Workflow 'wf' cannot be drawn: ")
