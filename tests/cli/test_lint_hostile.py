"""Broken and hostile input, tried as a new user would: each file is reported at the right
line, the run exits 1 with no traceback, and memory stays bounded.

The files are made in a temporary project (binary and huge files are not kept in the
repository). ``koreoctl lint`` runs as a real process so a crash (libyaml's C composer
recursing past its stack, say) or runaway memory shows; its peak resident memory is read
from the operating system. The timeout only guards against a hang; how long a run takes is
measured by ``bench/``, never asserted here.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

WORKFLOW_OUT_OF_ORDER = """\
apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata:
  name: order.v1
spec:
  steps:
    - label: second
      ref: {kind: ValueFunction, name: cfg.v1}
      inputs:
        x: =steps.first.x
    - label: first
      ref: {kind: ValueFunction, name: cfg.v1}
      inputs:
        x: =parent.spec.x
---
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: cfg.v1
spec:
  return:
    x: =inputs.x
"""

FILES: dict[str, str | bytes] = {
    "in/broken-yaml.koreo": "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\n"
    "metadata:\n  name: broken.v1\nspec:\n  return:\n    value: [1, 2\n",
    "in/bad-cel.koreo": "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata:\n"
    "  name: bad-cel.v1\nspec:\n  return:\n    value: =inputs.x + * 2\n",
    "in/missing-ref.koreo": "apiVersion: koreo.dev/v1beta1\nkind: FunctionTest\nmetadata:\n"
    "  name: missing-ref-test\nspec:\n  functionRef:\n    kind: ValueFunction\n"
    "    name: nowhere.v1\n  testCases:\n    - expectReturn: {x: 1}\n",
    "in/schema.koreo": "apiVersion: koreo.dev/v1beta1\nkind: ResourceFunction\nmetadata:\n"
    "  name: schema.v1\nspec:\n  apiConfig:\n    apiVersion: v1\n    kind: ConfigMap\n"
    "    name: x\n    namespace: default\n  resource: {data: {}}\n  resourceTemplateRef:\n"
    "    name: tpl.v1\n",
    "in/order.koreo": WORKFLOW_OUT_OF_ORDER,
    # Nine levels of nine aliases: 387,420,489 strings if expanded.
    "in/alias-bomb.yaml": "\n".join(
        ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        + [
            f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ]
    )
    + "\n",
    "in/deep-flow.yaml": "x: " + "[" * 5000 + "]" * 5000 + "\n",
    "in/deep-block.yaml": "".join(" " * level + f"k{level}:\n" for level in range(5000)),
    "in/deep-compact.yaml": "- " * 150_000 + "x\n",
    "in/binary.koreo": bytes(range(256)) * 64,
    "in/huge.yaml": "a: " + "x" * (17 * 1024 * 1024) + "\n",
    "in/latin1.koreo": "apiVersion: v1\nkind: ConfigMap\ndata:\n  city: Zürich\n".encode("latin-1"),
}

# (file, line, code), worked out from the texts above.
EXPECTED = {
    ("in/broken-yaml.koreo", 8, "Y001"),  # the flow sequence is still open at the end
    ("in/bad-cel.koreo", 7, "C001"),
    ("in/missing-ref.koreo", 8, "R001"),
    ("in/schema.koreo", 12, "K003"),  # both `resource` (line 11) and `resourceTemplateRef`
    ("in/schema.koreo", 13, "R003"),  # no ResourceTemplate tpl.v1
    ("in/order.koreo", 10, "W002"),
    ("in/alias-bomb.yaml", 1, "Y004"),
    ("in/deep-flow.yaml", 1, "Y004"),
    ("in/deep-block.yaml", 1001, "Y004"),  # line n opens level n
    ("in/deep-compact.yaml", 1, "Y004"),
    ("in/binary.koreo", 1, "P005"),
    ("in/huge.yaml", 1, "P005"),
    ("in/latin1.koreo", 4, "P004"),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    for name, content in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def run_lint(*args: str) -> tuple[subprocess.CompletedProcess[str], int]:
    """``koreoctl lint`` as a process, and the peak resident memory (KiB) of the processes
    it made (ours is the only child running at a time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run(
        [sys.executable, "-m", "koreoctl", "lint", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return result, max(peak, before)


def test_every_bad_file_is_located_without_a_crash(project: Path) -> None:
    result, peak_kib = run_lint(str(project), "--no-cache", "--format", "json")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr == ""
    found = {
        (Path(d["file"]).relative_to(project).as_posix(), d["line"], d["code"])
        for d in json.loads(result.stdout)["diagnostics"]
        if d["severity"] == "error"
    }
    assert found == EXPECTED
    assert peak_kib < 400 * 1024, f"peak memory {peak_kib // 1024} MiB"


def test_text_report_of_hostile_input_stays_readable(project: Path) -> None:
    result, _ = run_lint(str(project / "in" / "deep-flow.yaml"), "--no-cache")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) < 200  # the 10,000-character line is cut
    assert any("Y004" in line for line in lines)


@pytest.mark.parametrize("name", sorted(n for n in FILES if not n.startswith("in/huge")))
def test_each_file_alone(project: Path, name: str) -> None:
    """As pre-commit would pass it: just that file, still checked within the project."""
    result, _ = run_lint(str(project / name), "--no-cache", "--format", "json")
    assert result.returncode == 1, result.stderr
    lines = {(d["line"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]}
    expected = {(line, code) for file, line, code in EXPECTED if file == name}
    assert expected <= lines
