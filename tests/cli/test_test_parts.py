"""Several projects or folders in one `koreoctl test`: each loads as a program of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.clitools import cli

FUNCTION_AND_TEST = """\
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata: {{name: greeting}}
spec:
  return: {{text: {text}}}
---
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata: {{name: greeting-test-{folder}}}
spec:
  functionRef: {{kind: ValueFunction, name: greeting}}
  testCases:
    - label: its own greeting
      expectReturn: {{text: {text}}}
"""


def test_every_example_project_passes_together(capsys: pytest.CaptureFixture[str]) -> None:
    """testdata holds five projects; hello-refs pins shared-labels, which is also there as a
    project: loaded together they would define its function twice (G012)."""
    code, out, _ = cli(capsys, "test", "testdata", "-q")
    assert (code, out.splitlines()[-1]) == (0, "29 passed, 0 failed")
    assert "error" not in out


def test_two_folders_may_define_the_same_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """As on two clusters: each folder's test runs its own folder's function (loaded as one
    program, the later definition would win and one of the tests would fail)."""
    for folder, text in (("en", "hello"), ("fr", "bonjour")):
        (tmp_path / folder).mkdir()
        program = FUNCTION_AND_TEST.format(folder=folder, text=text)
        (tmp_path / folder / "greeting.koreo").write_text(program)
    code, out, _ = cli(capsys, "test", str(tmp_path / "en"), str(tmp_path / "fr"))
    assert code == 0
    assert "PASS greeting-test-en" in out
    assert "PASS greeting-test-fr" in out
    assert "K007" not in out  # no "defined again" warning: two programs
    files = [str(tmp_path / folder / "greeting.koreo") for folder in ("en", "fr")]
    code, out, _ = cli(capsys, "test", *files)
    assert code == 1  # files given one by one are one program: the later greeting wins
    assert "K007" in out
    assert "FAIL greeting-test-en" in out
