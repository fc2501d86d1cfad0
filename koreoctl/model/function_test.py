"""FunctionTest: test cases run in order against one ValueFunction or ResourceFunction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from koreoctl.diagnostics import Diagnostic
from koreoctl.model.common import At, Header, Refusal, Value, error

RULE = "K006"

OutcomeKind = Literal["ok", "skip", "depSkip", "retry", "permFail"]
OUTCOME_KINDS: tuple[OutcomeKind, ...] = ("ok", "skip", "depSkip", "retry", "permFail")


@dataclass(frozen=True)
class FunctionRef:
    """``spec.functionRef``: the function under test."""

    kind: str
    name: str
    at: At


@dataclass(frozen=True)
class ExpectOutcome:
    """The outcome type expected; ``message`` must be contained in the actual message."""

    kind: OutcomeKind
    message: str | None = None
    delay: int | None = None


@dataclass(frozen=True)
class ExpectResource:
    """The resource the function must write, compared exactly."""

    resource: dict[str, Any]


@dataclass(frozen=True)
class ExpectReturn:
    """The value the function must return, compared exactly."""

    value: dict[str, Any]


@dataclass(frozen=True)
class ExpectDelete:
    """Whether the function must delete its resource."""

    expected: bool


Assertion = ExpectOutcome | ExpectResource | ExpectReturn | ExpectDelete


@dataclass(frozen=True)
class TestCase:
    """One case: what changes before the run, and the one assertion about it."""

    __test__ = False  # not a pytest class

    index: int
    label: str
    variant: bool
    skip: bool
    input_overrides: dict[str, Any] | None
    current_resource: dict[str, Any] | None
    overlay_resource: Value | None
    assertion: Assertion
    at: At


@dataclass(frozen=True)
class FunctionTest:
    """A FunctionTest: base inputs and resource, and its cases in the order written."""

    __test__ = False  # not a pytest class

    header: Header
    function_ref: FunctionRef
    inputs: dict[str, Any] | None
    current_resource: dict[str, Any] | None
    test_cases: tuple[TestCase, ...]


def build(
    header: Header, spec: dict[str, Any]
) -> tuple[FunctionTest | None, list[Diagnostic], Refusal | None]:
    """The record, or None and the first reason Koreo would refuse to load this test."""
    at = header.spec()
    ref = spec["functionRef"]
    function_ref = FunctionRef(ref["kind"], ref["name"], at.child("functionRef"))
    is_resource_function = function_ref.kind == "ResourceFunction"
    cases: list[TestCase] = []
    for index, case_spec in enumerate(spec.get("testCases") or ()):
        case = _test_case(case_spec, index, at.child("testCases", index), is_resource_function)
        if isinstance(case, tuple):
            diagnostic, where = case
            location = f"FunctionTest:{header.name}:{where}"
            return None, [diagnostic], Refusal(diagnostic.message, location)
        cases.append(case)
    test = FunctionTest(
        header=header,
        function_ref=function_ref,
        inputs=spec.get("inputs") or None,
        current_resource=spec.get("currentResource"),
        test_cases=tuple(cases),
    )
    return test, [], None


def case_label(spec: dict[str, Any], index: int) -> str:
    """The case's label as Koreo shows it: numbered when missing, variants marked."""
    label = spec.get("label") or f"Test Case {index + 1}"
    if spec.get("variant") and "variant" not in label.lower():
        label = f"[variant] {label}"
    return str(label)


def _test_case(
    spec: dict[str, Any], index: int, at: At, is_resource_function: bool
) -> TestCase | tuple[Diagnostic, str]:
    """The case, or why Koreo refuses it and where (Koreo's location of the problem)."""
    label = case_label(spec, index)
    where = f'spec.testCases[{index}: "{label}"]'
    assertion = _assertion(spec, where, at, is_resource_function)
    if isinstance(assertion, tuple):
        return assertion
    overlay = spec.get("overlayResource")
    return TestCase(
        index=index,
        label=label,
        variant=bool(spec.get("variant")),
        skip=bool(spec.get("skip")),
        input_overrides=spec.get("inputOverrides") or None,
        current_resource=spec.get("currentResource"),
        overlay_resource=Value(overlay, at.child("overlayResource")) if overlay else None,
        assertion=assertion,
        at=at,
    )


def _assertion(
    spec: dict[str, Any], where: str, at: At, is_resource_function: bool
) -> Assertion | tuple[Diagnostic, str]:
    """The single assertion of a case, checked in Koreo's order with Koreo's messages."""
    found: list[Assertion] = []
    too_many = (
        error(
            RULE,
            f"`{where}` must contain exactly one assertion (`expectResource`, `expectReturn`, "
            "`expectOutcome`, or `expectDelete`).",
            at,
        ),
        where,
    )
    for name in ("expectResource", "expectOutcome", "expectReturn", "expectDelete"):
        if spec.get(name) is None:
            continue
        parsed = _one_assertion(name, spec[name], where, at.child(name), is_resource_function)
        if isinstance(parsed, Diagnostic):
            return parsed, f"{where}.{name}"
        if found:
            return too_many
        found.append(parsed)
    return found[0] if found else too_many


def _one_assertion(
    name: str, value: Any, where: str, at: At, is_resource_function: bool
) -> Assertion | Diagnostic:
    if name in ("expectResource", "expectDelete") and not is_resource_function:
        return error(RULE, f"`{where}.{name}` only valid for `ResourceFunction` tests.", at)
    if name == "expectDelete":
        return ExpectDelete(bool(value))
    if not value:
        empty = {
            "expectResource": "may not be an empty object",
            "expectOutcome": "must be a valid outcome",
            "expectReturn": "may not be an empty object",
        }[name]
        return error(RULE, f"`{where}.{name}` {empty}.", at)
    if name == "expectResource":
        return ExpectResource(value)
    if name == "expectReturn":
        return ExpectReturn(value)
    return _expect_outcome(value)


def _expect_outcome(spec: dict[str, Any]) -> ExpectOutcome:
    kind = next(name for name in OUTCOME_KINDS if name in spec)
    detail = spec[kind] or {}
    message = detail.get("message")
    delay = detail.get("delay")
    return ExpectOutcome(
        kind=kind,
        message=None if message is None else f"{message}",
        delay=None if delay is None else int(f"{delay}"),
    )
