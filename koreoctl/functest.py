"""The FunctionTest runner: every case run in order against a fresh simulated API server.

Semantics are Koreo's test runner's, case by case:

* a case runs with the test's ``inputs`` (overlaid by its ``inputOverrides``) and the current
  resource: the test's ``currentResource``, else what the previous case left behind; a case's
  own ``currentResource`` replaces it and ``overlayResource`` is overlaid onto it first;
* a non-variant case carries its inputs and the resulting resource forward; a ``variant``
  case changes nothing for the cases after it;
* ``skip: true`` cases are reported as skipped; a failing non-variant case ends its test;
* assertions: ``expectOutcome`` (same type; expected message contained in the actual one,
  ignoring case; ``delay: 0`` or no delay matches any), ``expectReturn`` and
  ``expectResource`` (exact, compare directives honoured; the last-applied annotation is
  ignored), ``expectDelete``.

koreoctl adds a real API server underneath: every write of a ResourceFunction is validated
against the project's CRDs, and a write the server rejects fails the case with its reason,
whatever the assertion says, because a cluster would have refused it.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from koreoctl.apiserver import (
    ApiServer,
    CrdCatalog,
    ObjectRef,
    PatchStrategy,
    Rejected,
    WriteResult,
    strip_system_fields,
)
from koreoctl.cel import (
    EngineCrash,
    Template,
    deep_overlay,
    empty_map,
    evaluate_overlay,
    to_cel,
    to_plain,
)
from koreoctl.diagnostics import Diagnostic, Span
from koreoctl.engine import exact_match, run_resource_function, run_value_function
from koreoctl.engine.compare import DIRECTIVES
from koreoctl.jsondata import copy_data
from koreoctl.model.common import Header
from koreoctl.model.function_test import (
    Assertion,
    ExpectDelete,
    ExpectOutcome,
    ExpectResource,
    ExpectReturn,
    FunctionTest,
    TestCase,
)
from koreoctl.outcome import DepSkip, Ok, Outcome, PermFail, Retry, Skip
from koreoctl.program import (
    PreparedFunctionTest,
    PreparedResourceFunction,
    PreparedValueFunction,
    Program,
    Unloadable,
)

if TYPE_CHECKING:
    from koreoctl.fn.executor import Report as FnReport
    from koreoctl.project.source import YamlPath
    from koreoctl.project.yamledit import EditResult

LAST_APPLIED = "koreo.dev/last-applied-configuration"

CaseStatus = Literal["passed", "failed", "skipped"]
TestStatus = Literal["passed", "failed", "error"]

__all__ = [
    "CaseResult",
    "Correction",
    "Summary",
    "TestCluster",
    "TestReport",
    "TestResult",
    "Updates",
    "run_tests",
]


@dataclass(frozen=True)
class Correction:
    """What a failing case's expectation would have to be for the case to pass.

    ``value`` is what the function produced, as it was compared (a resource without the
    last-applied annotation), with the expectation's compare directives kept; it belongs
    at ``path`` (``spec.testCases[i].expectReturn`` or ``.expectResource``; for a
    WorkflowTest ``spec.checks[i].expectResources[j]``, ``.expectTrigger`` or
    ``spec.expectPasses``) in document ``document`` (0-based) of ``file``.
    """

    file: str
    document: int
    path: YamlPath
    value: Any


@dataclass(frozen=True)
class CaseResult:
    """What one test case did: its status, the function's outcome and why it failed.

    ``corrections`` are set for a failing case whose ``expectReturn`` or ``expectResource``
    (a WorkflowTest check: ``expectResources``, ``expectTrigger``, ``expectPasses``) can be
    rewritten from what was produced (``koreoctl test --update``); ``partial`` when they
    leave a failing expectation as it is (an ``expectOutcome``), so the case fails after them.
    """

    index: int
    label: str
    variant: bool
    status: CaseStatus
    outcome: Outcome | None
    message: str | None = None
    differences: Any = None
    span: Span | None = None
    resource: dict[str, Any] | None = None
    deleted: bool = False
    warnings: tuple[str, ...] = ()
    corrections: tuple[Correction, ...] = ()
    partial: bool = False

    @property
    def correction(self) -> Correction | None:
        """The first correction (a FunctionTest case has at most one)."""
        return self.corrections[0] if self.corrections else None


@dataclass(frozen=True)
class TestResult:
    """One FunctionTest: its cases, or the error that kept it from running."""

    __test__ = False  # not a pytest class

    name: str
    namespace: str
    file: str
    line: int
    function_kind: str
    function_name: str
    status: TestStatus
    cases: tuple[CaseResult, ...] = ()
    error: str | None = None
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class Summary:
    """Counts over a whole run."""

    tests: int
    cases: int
    passed: int
    failed: int
    skipped: int
    errors: int

    @property
    def ok(self) -> bool:
        return not (self.failed or self.errors)


@dataclass(frozen=True)
class Updates:
    """What ``--update`` did: each file it rewrote (or refused to), the failing cases it left
    as they were, and whether an updated case had ended its test (the cases after it have
    not run yet)."""

    files: tuple[EditResult, ...] = ()
    not_updated: int = 0
    rerun: bool = False

    @property
    def written(self) -> tuple[EditResult, ...]:
        return tuple(result for result in self.files if result.changed)

    @property
    def expectations(self) -> int:
        return sum(result.edits for result in self.written)


@dataclass(frozen=True)
class TestReport:
    """Every FunctionTest's result, and the diagnostics from loading the project; ``updates``
    when it was run with ``--update``; ``snapshot``, the path of the snapshot the run was
    recorded in, when it was."""

    __test__ = False  # not a pytest class

    tests: tuple[TestResult, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    not_run: int = field(default=0)
    updates: Updates | None = None
    snapshot: str | None = None
    functions: FnReport | None = None  # the project's `fn.test` sequence's report
    graphs: tuple[tuple[str, str], ...] = ()  # (Workflow name, SVG) of each one under test
    reused: int = 0  # results kept from a watching session's previous run, not run again

    @property
    def summary(self) -> Summary:
        cases = [case for test in self.tests for case in test.cases]
        return Summary(
            tests=len(self.tests),
            cases=len(cases),
            passed=sum(case.status == "passed" for case in cases),
            failed=sum(case.status == "failed" for case in cases),
            skipped=sum(case.status == "skipped" for case in cases),
            errors=sum(test.status == "error" for test in self.tests),
        )


# --- selecting and running tests -------------------------------------------------------------

TestEntry = PreparedFunctionTest | Unloadable


def run_tests(
    program: Program,
    crds: CrdCatalog,
    *,
    pattern: str | None = None,
    fail_fast: bool = False,
) -> TestReport:
    """Run every FunctionTest of ``program`` (those matching ``pattern``), in load order."""
    selected = select_function_tests(program, pattern)
    results: list[TestResult] = []
    for entry in selected:
        result = run_entry(program, crds, entry)
        results.append(result)
        if fail_fast and result.status != "passed":
            break
    return TestReport(tuple(results), not_run=len(selected) - len(results))


def select_function_tests(program: Program, pattern: str | None) -> list[TestEntry]:
    """The FunctionTests of ``program`` that ``pattern`` selects (see ``_selected``)."""
    return [entry for entry in program.tests if _selected(entry, pattern)]


def identity_of_test(kind: str, namespace: str, name: str) -> str:
    """What a test is, whatever file holds it and wherever koreoctl runs: what ``--shard``
    splits by (``FunctionTest/ns/name``)."""
    return f"{kind}/{namespace}/{name}"


def shard_of(identity: str, shards: int) -> int:
    """The shard (1..``shards``) a test belongs to: stable across runs, machines, the order
    of files and the other tests (a hash of its identity, not its position)."""
    digest = hashlib.sha256(identity.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards + 1


def _selected(entry: TestEntry, pattern: str | None) -> bool:
    """Whether the test's name, or one of its case labels, matches ``pattern``.

    A pattern with ``*``, ``?`` or ``[`` is a glob; otherwise a case-insensitive substring.
    Whole tests are selected, because each case depends on the ones before it.
    """
    if not pattern:
        return True
    names = [entry.header.name]
    if isinstance(entry, PreparedFunctionTest):
        names.extend(case.label for case in entry.model.test_cases)
    wanted = pattern.lower()
    if any(char in wanted for char in "*?["):
        return any(fnmatch.fnmatch(name.lower(), wanted) for name in names)
    return any(wanted in name.lower() for name in names)


def run_entry(program: Program, crds: CrdCatalog, entry: TestEntry) -> TestResult:
    """Run one FunctionTest, or report why it cannot run."""
    if isinstance(entry, Unloadable):
        return _errored(_raw_result(entry.header), _unloadable_message(entry), entry.diagnostics)
    return run_function_test(program, crds, entry)


def run_function_test(
    program: Program, crds: CrdCatalog, prepared: PreparedFunctionTest
) -> TestResult:
    """Run every case of a FunctionTest in order against its function."""
    test = prepared.model
    header = test.header
    function = program.function(test.function_ref.kind, test.function_ref.name, header.namespace)
    base = _result(test)
    if function is None or (isinstance(function, Unloadable) and function.failure is None):
        ref = test.function_ref
        message = (
            f"DepSkip: {ref.kind} ({ref.name}) not found or not ready, FunctionTest "
            f"'{header.name}' must wait. (at prepare:FunctionTest:{header.name})"
        )
        diagnostics = function.diagnostics if function else (_missing_function(test),)
        return _errored(base, message, diagnostics)
    if isinstance(function, Unloadable):
        return _errored(base, _unloadable_message(function), function.diagnostics)
    try:
        cases = _run_cases(program, crds, prepared, function)
    except EngineCrash as crash:  # Koreo's runner raises: the test reports no case at all
        return _errored(base, f"Exception: {crash}", (_crashed(test, crash),))
    failed = any(case.status == "failed" for case in cases)
    return _with(base, status="failed" if failed else "passed", cases=cases)


def _result(test: FunctionTest) -> TestResult:
    header = test.header
    return TestResult(
        name=header.name,
        namespace=header.namespace,
        file=header.file,
        line=header.line,
        function_kind=test.function_ref.kind,
        function_name=test.function_ref.name,
        status="passed",
    )


def _raw_result(header: Header) -> TestResult:
    spec = header.at.doc.data.get("spec") if isinstance(header.at.doc.data, dict) else None
    ref = spec.get("functionRef") if isinstance(spec, dict) else None
    ref = ref if isinstance(ref, dict) else {}
    return TestResult(
        name=header.name,
        namespace=header.namespace,
        file=header.file,
        line=header.line,
        function_kind=str(ref.get("kind") or ""),
        function_name=str(ref.get("name") or ""),
        status="error",
    )


def _with(result: TestResult, **changes: Any) -> TestResult:
    return TestResult(**{**result.__dict__, **changes})


def _errored(base: TestResult, message: str, diagnostics: tuple[Diagnostic, ...]) -> TestResult:
    return _with(base, status="error", error=message, diagnostics=diagnostics)


def _missing_function(test: FunctionTest) -> Diagnostic:
    ref = test.function_ref
    return Diagnostic("T001", f"{ref.kind} {ref.name!r} is not defined", ref.at.span)


def _crashed(test: FunctionTest, crash: EngineCrash) -> Diagnostic:
    message = f"Koreo's test runner crashes running this test ({crash}): {crash.reason}"
    return Diagnostic("T002", message, test.header.at.span)


def _unloadable_message(function: Unloadable) -> str:
    failure = function.failure
    assert failure is not None
    where = f" (at {failure.location})" if failure.location else ""
    return f"PermFail: {failure.message}{where}"


# --- running cases ---------------------------------------------------------------------------


@dataclass
class _State:
    """What carries from one non-variant case to the next."""

    inputs: Any
    resource: dict[str, Any] | None


def _run_cases(
    program: Program,
    crds: CrdCatalog,
    prepared: PreparedFunctionTest,
    function: PreparedValueFunction | PreparedResourceFunction,
) -> tuple[CaseResult, ...]:
    test = prepared.model
    state = _State(
        inputs=to_cel(test.inputs) if test.inputs else None,
        resource=copy_data(test.current_resource),
    )
    results: list[CaseResult] = []
    for case in test.test_cases:
        result, fatal = _run_case(program, crds, prepared, function, case, state)
        results.append(result)
        if fatal:
            results.extend(_not_run(test.test_cases[case.index + 1 :], case))
            break
    return tuple(results)


def _not_run(cases: Sequence[TestCase], failed: TestCase) -> list[CaseResult]:
    message = f"not run: case {failed.index + 1} ({failed.label!r}) failed and ended this test"
    return [
        CaseResult(
            case.index, case.label, case.variant, "skipped", None, message, span=case.at.span
        )
        for case in cases
    ]


def _run_case(
    program: Program,
    crds: CrdCatalog,
    test: PreparedFunctionTest,
    function: PreparedValueFunction | PreparedResourceFunction,
    case: TestCase,
    state: _State,
) -> tuple[CaseResult, bool]:
    """The case's result and whether it ends the test."""
    make = _CaseResults(case)
    if case.skip:
        return make.done("skipped", None, message="user skipped"), False
    inputs = _case_inputs(state.inputs, case)
    overlay = test.overlays.get(case.index)
    resource = _case_resource(case, overlay, inputs, copy_data(state.resource))
    if isinstance(resource, _Failure):
        return make.done("failed", resource.outcome, message=resource.message), resource.fatal
    location = f"{test.header.name}.testCases[{case.index}]"
    run = _execute(program, crds, function, inputs, resource, location)
    passed, message, differences = _check(case.assertion, run)
    if run.rejection is not None:
        passed, message = False, f"the API server rejected the write: {run.rejection.message}"
    result = make.done(
        "passed" if passed else "failed",
        run.outcome,
        message=message,
        differences=differences,
        resource=run.written,
        deleted=run.deleted,
        warnings=run.warnings,
        corrections=() if passed else tuple(filter(None, [_correction(case, run)])),
    )
    if not case.variant:
        state.inputs = inputs
        state.resource = run.written if run.wrote else resource
    return result, not passed and not case.variant


class _CaseResults:
    """Builds a case's result with its fixed fields filled in."""

    def __init__(self, case: TestCase) -> None:
        self.case = case

    def done(self, status: CaseStatus, outcome: Outcome | None, **details: Any) -> CaseResult:
        case = self.case
        return CaseResult(
            case.index, case.label, case.variant, status, outcome, span=case.at.span, **details
        )


def _case_inputs(base: Any, case: TestCase) -> Any:
    overrides = to_cel(case.input_overrides) if case.input_overrides else None
    if base and overrides:
        return deep_overlay(base, overrides)
    if base:
        return base
    return overrides if overrides else empty_map()


@dataclass(frozen=True)
class _Failure:
    """A case that could not run; ``fatal`` ends the test."""

    message: str
    outcome: Outcome | None
    fatal: bool


def _case_resource(
    case: TestCase, template: Template | None, inputs: Any, current: dict[str, Any] | None
) -> dict[str, Any] | _Failure | None:
    """The current resource for this case."""
    if case.overlay_resource is None:
        return case.current_resource if case.current_resource else current
    if not current:
        message = (
            "Can not overlay until the full resource exists. Try setting `currentResource` "
            "or reordering test cases."
        )
        return _Failure(message, None, fatal=True)
    assert template is not None
    overlaid = evaluate_overlay(template, dict(inputs), current, f"{case.label}:overlayResource")
    if isinstance(overlaid, PermFail):
        message = (
            f"Could not run test case due to resource overlay error: ({_outcome_str(overlaid)})"
        )
        return _Failure(message, overlaid, fatal=not case.variant)
    plain: dict[str, Any] = to_plain(overlaid)
    return plain


# --- executing the function ------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    """What the function did in one case."""

    outcome: Outcome
    wrote: bool = False
    written: dict[str, Any] | None = None
    deleted: bool = False
    rejection: Rejected | None = None
    warnings: tuple[str, ...] = ()


def _execute(
    program: Program,
    crds: CrdCatalog,
    function: PreparedValueFunction | PreparedResourceFunction,
    inputs: Any,
    resource: dict[str, Any] | None,
    location: str,
) -> _Run:
    if isinstance(function, PreparedValueFunction):
        base = to_cel(resource) if resource else empty_map()
        return _Run(run_value_function(program.env, function, inputs, location, base))
    server = ApiServer(crds, patch_strategy=PatchStrategy.REPLACE_TOP_LEVEL)
    cluster = TestCluster(server, resource)
    outcome = run_resource_function(program, function, cluster, inputs, location)
    return _Run(
        outcome=outcome,
        wrote=cluster.wrote,
        written=cluster.written,
        deleted=cluster.deleted,
        rejection=cluster.rejection,
        warnings=tuple(cluster.warnings),
    )


class TestCluster:
    """Koreo's FunctionTest view of a cluster, over a real simulated API server.

    The test's current resource *is* the function's resource: Koreo's runner returns it
    whatever name the function asks for. When the names differ koreoctl does the same (the
    resource is placed under the name the function asks for) and warns.
    """

    __test__ = False  # not a pytest class

    def __init__(self, server: ApiServer, current: dict[str, Any] | None) -> None:
        self.server = server
        self.current = current or None
        self.placed: ObjectRef | None = None
        self.wrote = False
        self.written: dict[str, Any] | None = None
        self.deleted = False
        self.rejection: Rejected | None = None
        self.warnings: list[str] = []

    def get(self, ref: ObjectRef) -> dict[str, Any] | None:
        if self.current is None:
            return None
        if self.placed is None:
            self._place(ref)
        return copy_data(self.current)

    def _place(self, ref: ObjectRef) -> None:
        assert self.current is not None
        placed = copy_data(self.current)
        if _ref_of(placed) != ref:
            self.warnings.append(
                f"currentResource is {_describe_ref(placed)} but the function manages {ref}; "
                "Koreo's test runner treats it as the function's resource"
            )
            placed = _renamed(placed, ref)
        self.warnings.extend(self.server.seed(placed))
        self.placed = ref

    def create(self, obj: Mapping[str, Any]) -> WriteResult:
        return self._record(self.server.create(obj), deleted=False)

    def patch(self, ref: ObjectRef, patch: Mapping[str, Any]) -> WriteResult:
        return self._record(self.server.patch(ref, patch), deleted=False)

    def delete(self, ref: ObjectRef) -> WriteResult:
        return self._record(self.server.delete(ref), deleted=True)

    def _record(self, result: WriteResult, deleted: bool) -> WriteResult:
        if isinstance(result, Rejected):
            self.rejection = result
            return result
        self.wrote = True
        self.deleted = self.deleted or deleted
        self.written = {} if deleted else strip_system_fields(result.object or {})
        self.warnings.extend(result.warnings)
        return result


def _ref_of(obj: dict[str, Any]) -> ObjectRef | None:
    try:
        return ObjectRef.of(obj)
    except (KeyError, TypeError, AttributeError, ValueError):
        return None


def _describe_ref(obj: dict[str, Any]) -> str:
    ref = _ref_of(obj)
    return str(ref) if ref else "an object without apiVersion/kind/name"


def _renamed(obj: dict[str, Any], ref: ObjectRef) -> dict[str, Any]:
    renamed = {**obj, "apiVersion": ref.api_version, "kind": ref.kind}
    metadata = dict(obj.get("metadata") or {})
    metadata["name"] = ref.name
    if ref.namespace is not None:
        metadata["namespace"] = ref.namespace
    renamed["metadata"] = metadata
    return renamed


# --- assertions ------------------------------------------------------------------------------


def _check(assertion: Assertion, run: _Run) -> tuple[bool, str | None, Any]:
    """(passed, message, differences) for the case's one assertion."""
    match assertion:
        case ExpectOutcome():
            passed, message = _check_outcome(assertion, run.outcome)
            return passed, message, None
        case ExpectReturn(value=expected):
            return _check_return(expected, run.outcome)
        case ExpectResource(resource=expected):
            return _check_resource(expected, run)
        case ExpectDelete(expected=expected):
            message = "Delete called" if run.deleted else "Delete not called."
            return run.deleted == expected, message, None
    raise TypeError(f"unknown assertion {assertion!r}")


def _check_outcome(expected: ExpectOutcome, actual: Outcome) -> tuple[bool, str | None]:
    same_type = {
        "retry": Retry,
        "permFail": PermFail,
        "depSkip": DepSkip,
        "skip": Skip,
    }.get(expected.kind)
    if same_type is not None and isinstance(actual, same_type):
        return _check_message(expected, actual)
    if expected.kind == "ok":
        passed = isinstance(actual, Ok)
        return passed, None if passed else f"Expected(Ok) Actual({_actual_str(actual)})"
    return False, f"Expected({_expected_str(expected)}) Actual({_actual_str(actual)})"


def _check_message(expected: ExpectOutcome, actual: Any) -> tuple[bool, str | None]:
    wanted, got = expected.message, actual.message
    passed = not wanted or bool(got and wanted.lower() in got.lower())
    if isinstance(actual, Retry):
        if expected.delay and expected.delay != actual.delay:
            passed = False
        if passed:
            return True, None
        return False, (
            f"Retry: Expected(message={wanted}, delay={expected.delay}) "
            f"Actual(message={got}, delay={actual.delay})"
        )
    if passed:
        return True, None
    name = type(actual).__name__
    return False, f"{name}: Expected(message={wanted}) Actual(message={got})"


def _check_return(expected: dict[str, Any], actual: Outcome) -> tuple[bool, str | None, Any]:
    if not isinstance(actual, Ok):
        return False, f"Non-Ok return value ({_outcome_str(actual)})", None
    matched, differences = exact_match(expected, actual.value)
    return matched, None, None if matched else differences


def _check_resource(expected: dict[str, Any], run: _Run) -> tuple[bool, str | None, Any]:
    outcome = run.outcome
    if not run.wrote:
        detail = outcome.message if not isinstance(outcome, Ok) and outcome.message else None
        return False, f"No resource changes attempted: {detail or 'unexpected Ok result'}", None
    if not isinstance(outcome, Retry):
        return False, f"Unexpected result-type ({_outcome_str(outcome)}), but expected Retry", None
    matched, differences = exact_match(expected, _without_last_applied(run.written))
    return matched, None, None if matched else differences


def _correction(case: TestCase, run: _Run) -> Correction | None:
    """The expectation that would make this failing case pass, when one can be written: an
    ``expectReturn`` or ``expectResource`` whose comparison failed, and never a write the
    API server rejected (its expectation may well be right)."""
    if run.rejection is not None:
        return None
    match case.assertion:
        case ExpectReturn(value=expected) if isinstance(run.outcome, Ok):
            key, actual = "expectReturn", run.outcome.value
        case ExpectResource(resource=expected) if run.wrote and isinstance(run.outcome, Retry):
            key, actual = "expectResource", _without_last_applied(run.written)
        case _:
            return None
    if not isinstance(actual, dict) or not actual:  # Koreo refuses an empty expectation
        return None
    value = next(
        (v for v in (_accepted(expected, actual), actual) if exact_match(v, actual)[0]),
        None,
    )
    if value is None:  # nothing written can match (a NaN)
        return None
    doc = case.at.doc
    return Correction(doc.file, doc.index, (*case.at.path, key), copy_data(value))


def _accepted(expected: Any, actual: Any) -> Any:
    """``actual``, but with every part of ``expected`` that already matches it kept as it is
    (a list compared as a set stays in its order, ``3`` stays ``3`` for ``3.0``), and its
    compare directives (``x-koreo-compare-as-set`` ...) kept wherever the same map is."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        directives = {key: value for key, value in expected.items() if key in DIRECTIVES}
        accepted = {}
        for key, value in actual.items():
            if key not in expected:
                accepted[key] = value
            elif exact_match({**directives, key: expected[key]}, {key: value})[0]:
                accepted[key] = expected[key]
            else:
                accepted[key] = _accepted(expected[key], value)
        return {**accepted, **directives}
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [_accepted(e, a) for e, a in zip(expected, actual, strict=True)]
    return actual


def _without_last_applied(resource: dict[str, Any] | None) -> Any:
    """The resource without Koreo's last-applied annotation (as Koreo's runner strips it)."""
    if not resource or "annotations" not in (resource.get("metadata") or {}):
        return resource
    annotations = resource["metadata"]["annotations"]
    if not annotations:
        return resource
    stripped = copy_data(resource)
    if len(annotations) == 1:
        del stripped["metadata"]["annotations"]
    else:
        stripped["metadata"]["annotations"].pop(LAST_APPLIED, None)
    return stripped


def _expected_str(expected: ExpectOutcome) -> str:
    message = expected.message
    match expected.kind:
        case "retry":
            return f"Retry(delay={expected.delay}, message={message})"
        case "permFail":
            return f"Permanent Failure (message={message})"
        case "skip":
            return f"Skip (message={message})" if message else "User Skip"
        case _:
            return (
                f"Dependency Skip (message={message})" if message else "Dependency Violation Skip"
            )


def _actual_str(actual: Outcome) -> str:
    if isinstance(actual, Ok):
        return f"Ok({actual.value})" if actual.value else f"{actual.value}"
    return _outcome_str(actual)


def _outcome_str(outcome: Outcome) -> str:
    """An outcome as Koreo prints it."""
    match outcome:
        case Ok(value=value):
            return f"Ok(data={value})"
        case Retry(delay=delay, message=message):
            return f"Retry(delay={delay}, message={message})"
        case PermFail(message=message):
            return f"Permanent Failure (message={message})"
        case Skip(message=message):
            return f"Skip (message={message})" if message else "User Skip"
        case DepSkip(message=message):
            return (
                f"Dependency Skip (message={message})" if message else "Dependency Violation Skip"
            )
    raise TypeError(f"not an outcome: {outcome!r}")
