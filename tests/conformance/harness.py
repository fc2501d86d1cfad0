"""Comparing `koreoctl test --format json` with the reference engine's recorded outcomes.

An ``expected.json`` (the conformance corpus' and koreoctl's own ``tests/cases``) lists, per
FunctionTest, each case the reference engine ran: whether it passed and the outcome the
function returned (``null`` for a skipped case or an Ok without a value). A case agrees when
the pass/fail verdict, the outcome type and a Retry's delay are the same; its message agrees
when it is identical, or, where the reference's message depends on Python's hash seed
(``message_varies``), when it names a real difference of the same resource.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from koreoctl.cli.app import run

REPOSITORY = Path(__file__).resolve().parents[2]


def corpus_root() -> Path:
    """Where the shared conformance corpus is: ``$KOREOCTL_CORPUS``, else the nearest
    ``shared/corpus`` beside the repository or one of the folders above it (normally
    ``../shared/corpus``)."""
    configured = os.environ.get("KOREOCTL_CORPUS")
    if configured:
        return Path(configured)
    for folder in REPOSITORY.parents:
        candidate = folder / "shared" / "corpus"
        if candidate.is_dir():
            return candidate
    return REPOSITORY.parent / "shared" / "corpus"


def require(path: Path, what: str) -> None:
    """Skip when ``path`` is missing on a developer machine; fail under CI."""
    if path.is_dir():
        return
    message = f"{what} not found at {path} (set KOREOCTL_CORPUS)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def folders_with_expectations(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.iterdir() if (path / "expected.json").is_file())


def run_json(folder: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """``koreoctl test FOLDER --format json``, run in-process; its parsed output."""
    run(["test", str(folder), "--format", "json"])
    output: dict[str, Any] = json.loads(capsys.readouterr().out)
    return output


@dataclass(frozen=True)
class Disagreement:
    """One case where koreoctl and the reference engine differ."""

    test: str
    index: int
    what: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return (
            f"{self.test}[{self.index}] {self.what}: reference {self.expected!r}, "
            f"koreoctl {self.actual!r}"
        )


@dataclass(frozen=True)
class Comparison:
    cases: int
    disagreements: tuple[Disagreement, ...]
    message_mismatches: tuple[Disagreement, ...]


def compare(expected: dict[str, Any], actual: dict[str, Any], details: bool = False) -> Comparison:
    """Every case of ``expected`` checked against koreoctl's JSON report.

    With ``details`` (for the oracle's full output, as in koreoctl's own cases), the runner
    message, the differences, the returned value and the written resource must agree too.
    """
    ours = {test["name"]: test for test in actual["tests"]}
    disagreements: list[Disagreement] = []
    messages: list[Disagreement] = []
    count = 0
    for test in expected["tests"]:
        mine = ours.get(test["name"])
        if test.get("error"):
            count += 1
            if mine is None or mine["status"] != "error":
                status = mine and mine["status"]
                disagreements.append(Disagreement(test["name"], -1, "error", "error", status))
            elif details and mine["error"] != test["error"] and not schema_wording(test["error"]):
                messages.append(
                    Disagreement(test["name"], -1, "error", test["error"], mine["error"])
                )
            continue
        for case in test["cases"]:
            count += 1
            found = _case(mine, case["index"])
            problems, message = _compare_case(test["name"], case, found, details)
            disagreements.extend(problems)
            messages.extend(message)
    return Comparison(count, tuple(disagreements), tuple(messages))


_SCHEMA_WORDING = re.compile(r"^PermFail: \S.* (data|spec)(\.\S+)? must (be|contain|not) ")


def schema_wording(error: str) -> bool:
    """True for the reference's JSON-schema messages (fastjsonschema's wording).

    koreoctl checks the same schema with jsonschema and words the violation its own way, at
    the offending field; the verdict (the test cannot run) is still compared.
    """
    return bool(_SCHEMA_WORDING.match(error))


def _case(test: dict[str, Any] | None, index: int) -> dict[str, Any] | None:
    if test is None:
        return None
    return next((case for case in test["cases"] if case["index"] == index), None)


def _compare_case(
    name: str, expected: dict[str, Any], actual: dict[str, Any] | None, details: bool
) -> tuple[list[Disagreement], list[Disagreement]]:
    index = expected["index"]
    if actual is None:
        return [Disagreement(name, index, "case", "run", "missing")], []
    problems = []
    passed = actual["status"] in ("passed", "skipped")
    if passed != expected["pass"]:
        problems.append(Disagreement(name, index, "pass", expected["pass"], passed))
    want = expected["outcome"]
    got = actual["outcome"]
    if want is None:  # the reference skipped the case, or the function returned no value
        if got is not None and got["type"] != "Ok":
            problems.append(Disagreement(name, index, "outcome", None, got))
        if details and not problems:
            return problems, _compare_details(name, index, expected, actual)
        return problems, []
    if got is None:
        return [*problems, Disagreement(name, index, "outcome", want, None)], []
    if got["type"] != want["type"]:
        problems.append(Disagreement(name, index, "type", want["type"], got["type"]))
    if want["type"] == "Retry" and got.get("delay") != want.get("delay"):
        problems.append(Disagreement(name, index, "delay", want.get("delay"), got.get("delay")))
    if problems:
        return problems, []
    messages = _compare_message(name, index, expected, want.get("message"), got.get("message"))
    if details:
        messages.extend(_compare_details(name, index, expected, actual))
    return [], messages


def _compare_details(
    name: str, index: int, expected: dict[str, Any], actual: dict[str, Any]
) -> list[Disagreement]:
    """What only koreoctl's own cases record: runner message, differences, return, resource."""
    pairs = [
        ("runner message", expected.get("runner_message"), actual.get("message")),
        ("differences", expected.get("differences"), actual.get("differences")),
        ("return", expected.get("return"), actual.get("return")),
    ]
    if "resource" in expected:
        pairs.append(("resource", expected["resource"], actual.get("resource")))
    varies = bool(expected.get("message_varies"))
    return [
        Disagreement(name, index, what, want, got)
        for what, want, got in pairs
        if want != got and not (varies and what == "runner message")
    ]


def _compare_message(
    name: str, index: int, case: dict[str, Any], want: str | None, got: str | None
) -> list[Disagreement]:
    if want == got:
        return []
    # Where the reference names one of several differing fields, chosen by hash order, the
    # sentence up to "due to" (what is being done, to which resource) must agree.
    varies = bool(case.get("message_varies") and want and got)
    if varies and str(want).split(" due to ")[0] == str(got).split(" due to ")[0]:
        return []
    return [Disagreement(name, index, "message", want, got)]
