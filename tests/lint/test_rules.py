"""Data-driven lint rule tests: ``tests/cases/lint/<CODE>.yaml``, one test per case.

Each case file holds the cases of one rule code::

    rule: W002
    cases:
      - name: reads a later step
        files:                  # written into a fresh project folder
          in/workflow.koreo: |
            apiVersion: koreo.dev/v1beta1
            ...
        expect:                 # every diagnostic of the rule's code, exactly
          - "10:19"             # LINE:COL in the first file listed
          - "in/other.koreo 3:9"
          - "refs"              # a finding about a file or folder, without a position
        messages: [config]      # optional: text some diagnostic's message must contain

A file's content is its text (UTF-8), or a mapping: ``{text: ..., encoding: latin-1}``,
``{base64: ...}`` (raw bytes), ``{fill: ..., size: N}`` (``fill`` repeated to N bytes),
``{symlink: target}`` or ``{fifo: true}`` (a named pipe). ``koreoctl.api.lint`` runs on the
folder without a cache and the sorted (file, line, col) of the rule's diagnostics must equal
``expect`` (a diagnostic about a file or folder, without a position, is written ``FILE``).
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from koreoctl import api
from koreoctl.diagnostics import Diagnostic
from koreoctl.lint.registry import RULES

CASES = Path(__file__).resolve().parents[1] / "cases" / "lint"
_EXPECT = re.compile(r"^(?:(?P<file>\S+) )?(?P<line>\d+):(?P<col>\d+)$|^(?P<only>\S+)$")

Location = tuple[str, int, int]


@dataclass(frozen=True)
class Case:
    """One case of one rule: the files of a project and where the rule must report."""

    code: str
    name: str
    files: dict[str, Any]
    expect: tuple[str, ...]
    messages: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.code}::{self.name}"

    def expected(self) -> list[Location]:
        first = next(iter(self.files))
        found = []
        for text in self.expect:
            match = _EXPECT.match(text)
            assert match, f"{self.id}: expected LINE:COL, FILE LINE:COL or FILE, not {text!r}"
            if match["only"]:
                found.append((match["only"], 0, 0))  # a finding about a file or folder
            else:
                file = match["file"] or first
                found.append((file, int(match["line"]), int(match["col"])))
        return sorted(found)


def _read(path: Path) -> dict[str, Any]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path}: not a mapping"
    return data


def load_cases(folder: Path = CASES) -> list[Case]:
    cases = []
    for path in sorted(folder.glob("*.yaml")):
        data = _read(path)
        for item in data.get("cases") or ():
            cases.append(
                Case(
                    code=str(data["rule"]),
                    name=str(item["name"]),
                    files=dict(item["files"]),
                    expect=tuple(str(text) for text in item.get("expect") or ()),
                    messages=tuple(str(text) for text in item.get("messages") or ()),
                )
            )
    return cases


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        cases = load_cases()
        metafunc.parametrize("case", cases, ids=[case.id for case in cases])


def write_files(root: Path, files: dict[str, Any]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_bytes(content.encode("utf-8"))
        elif "symlink" in content:
            path.symlink_to(content["symlink"])
        elif "fifo" in content:
            os.mkfifo(path)
        elif "base64" in content:
            path.write_bytes(base64.b64decode(content["base64"]))
        elif "fill" in content:
            fill = str(content["fill"]).encode("utf-8")
            size = int(content["size"])
            path.write_bytes((fill * (size // len(fill) + 1))[:size])
        else:
            path.write_bytes(str(content["text"]).encode(content.get("encoding", "utf-8")))


def lint_case(root: Path, case: Case) -> list[Diagnostic]:
    write_files(root, case.files)
    report = api.lint([str(root)], use_cache=False)
    # The same with the cache, which stores every file's facts as JSON: they must survive it.
    assert api.lint([str(root)], use_cache=True).diagnostics == report.diagnostics
    return [d for d in report.diagnostics if d.code == case.code]


def _location(root: Path, diagnostic: Diagnostic) -> Location:
    span = diagnostic.span
    assert span is not None, f"{diagnostic} has no position"
    prefix = f"{root}/"
    file = span.file[len(prefix) :] if span.file.startswith(prefix) else span.file
    return (file, span.line, span.col)


def test_case(case: Case, tmp_path: Path) -> None:
    found = lint_case(tmp_path, case)
    rule = RULES[case.code]
    for diagnostic in found:
        span = diagnostic.span
        assert span is not None, f"no file: {diagnostic}"
        assert span.line == 0 or (span.line >= 1 and span.col >= 1), f"bad position: {diagnostic}"
        assert "\n" not in diagnostic.message, f"a message of more than one line: {diagnostic}"
        assert diagnostic.severity is rule.severity, f"not at the rule's severity: {diagnostic}"
    shown = "\n".join(str(d) for d in found)
    actual = sorted(_location(tmp_path, d) for d in found)
    assert actual == case.expected(), f"{case.code} found:\n{shown}"
    for text in case.messages:
        assert any(text in d.message for d in found), f"no message names {text!r}:\n{shown}"


def test_every_rule_has_a_case_file() -> None:
    files = {path.stem for path in CASES.glob("*.yaml")}
    assert sorted(set(RULES) - files) == [], "rules without a case file"
    assert sorted(files - set(RULES)) == [], "case files for no rule"


@pytest.mark.parametrize("code", sorted(RULES))
def test_case_file_fails_and_passes(code: str) -> None:
    path = CASES / f"{code}.yaml"
    if not path.is_file():
        pytest.fail(f"no case file {path.name}")
    data = _read(path)
    assert data.get("rule") == code, f"{path.name} says rule {data.get('rule')!r}"
    cases = [case for case in load_cases() if case.code == code]
    names = [case.name for case in cases]
    assert len(names) == len(set(names)), f"{path.name}: case names repeat"
    assert any(case.expect for case in cases), f"{path.name}: no failing case"
    assert any(not case.expect for case in cases), f"{path.name}: no passing case"


def test_every_rule_module_is_registered() -> None:
    from koreoctl.lint import registry

    folder = Path(registry.__file__).parent / "rules"
    modules = {path.stem for path in folder.glob("*.py") if not path.stem.startswith("_")}
    registered = {module.__name__.rpartition(".")[2] for module in registry.MODULES}
    assert modules == registered
