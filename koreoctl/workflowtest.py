"""The WorkflowTest runner: each test's trigger rendered through its Workflow, each check judged.

A WorkflowTest (``koreoctl.dev/v1alpha1``, see ``docs/workflow-tests.md``) is one render
(``koreoctl.render.render``) of its trigger, from its ``state``, with its simulated
``controllers``, for at most ``maxPasses`` reconcile passes. Then:

* each check is one case: it looks at the end of pass ``pass`` (the Workflow's outcome in that
  pass, the objects and the trigger as the pass left them, simulated controllers included)
  or, without ``pass``, at the steady state; every expectation it makes must hold:

  - ``expectOutcome``: the outcome type; a message given must be contained in the actual one
    (ignoring case); a ``delay`` given (not 0) must equal the Retry's;
  - ``expectResources``: each object exists (by apiVersion, kind, name and, when given,
    namespace) and every field given matches, compared as Koreo compares a resource with
    what a function wants (``koreoctl.engine.compare``): fields not given are ignored,
    lists are compared item by item unless a compare directive
    (``x-koreo-compare-as-set``, ``-as-map``, ``-last-applied``) says otherwise;
  - ``expectAbsent``: no such object exists;
  - ``expectTrigger``: the trigger's ``metadata`` and ``status`` match likewise, with
    ``status.conditions`` matched by ``type`` (a condition not listed is not checked);

* one more case, last, says whether the render reached a steady state (in exactly
  ``expectPasses`` passes when given): a render that never settles fails it, and every
  steady-state check fails with it. The render's warnings (about the ``state`` objects) are
  this case's.

Results are ``koreoctl.functest`` values (``function_kind`` "Workflow"), so every reporter
and format shows them as it shows FunctionTests. A failing check carries ``corrections`` for
``koreoctl test --update``: each failing ``expectResources`` item and ``expectTrigger``
rewritten to match, the fields given kept (with the actual values), none added; a wrong
``expectPasses`` becomes the number of passes the render settled in. ``expectOutcome`` and
``expectAbsent`` are never rewritten.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeGuard

from koreoctl.apiserver import CrdCatalog
from koreoctl.diagnostics import Diagnostic
from koreoctl.engine import compare
from koreoctl.engine.compare import DIRECTIVES
from koreoctl.errors import UsageError
from koreoctl.functest import LAST_APPLIED, CaseResult, CaseStatus, Correction, TestResult
from koreoctl.model import Broken, Entry
from koreoctl.model.common import At
from koreoctl.model.function_test import ExpectOutcome
from koreoctl.model.workflow_test import Check, ExpectedObject, ObjectId, WorkflowTest
from koreoctl.outcome import DepSkip, Ok, Outcome, PermFail, Retry, Skip, describe
from koreoctl.program import Program
from koreoctl.render import RenderResult, object_key, render

__all__ = ["run_workflow_test", "run_workflow_tests", "select_workflow_tests"]

WORKFLOW_KIND = "Workflow"  # the TestResult.function_kind of a WorkflowTest

WorkflowTestEntry = WorkflowTest | Broken


def select_workflow_tests(
    entries: Iterable[Entry], pattern: str | None
) -> tuple[WorkflowTestEntry, ...]:
    """The WorkflowTests among ``entries`` (usable or broken) whose name, or one of whose check
    labels, matches ``pattern``.

    As for FunctionTests: a pattern with ``*``, ``?`` or ``[`` is a glob, anything else a
    case-insensitive substring; whole tests are selected.
    """
    tests = [entry for entry in entries if _is_workflow_test(entry)]
    if not pattern:
        return tuple(tests)
    wanted = pattern.lower()
    glob = any(char in wanted for char in "*?[")

    def matches(entry: WorkflowTestEntry) -> bool:
        names = [entry.header.name]
        if isinstance(entry, WorkflowTest):
            names.extend(check.label for check in entry.checks)
        lowered = [name.lower() for name in names]
        if glob:
            return any(fnmatch.fnmatch(name, wanted) for name in lowered)
        return any(wanted in name for name in lowered)

    return tuple(entry for entry in tests if matches(entry))


def _is_workflow_test(entry: Entry) -> TypeGuard[WorkflowTestEntry]:
    if isinstance(entry, Broken):
        return entry.header.kind == "WorkflowTest"
    return isinstance(entry, WorkflowTest)


def run_workflow_tests(
    program: Program,
    crds: CrdCatalog,
    entries: Iterable[Entry],
    pattern: str | None = None,
    *,
    fail_fast: bool = False,
) -> tuple[TestResult, ...]:
    """Run the WorkflowTests among ``entries`` that match ``pattern``, in order (stopping after
    the first that does not pass, with ``fail_fast``)."""
    results: list[TestResult] = []
    for entry in select_workflow_tests(entries, pattern):
        results.append(run_workflow_test(program, crds, entry))
        if fail_fast and results[-1].status != "passed":
            break
    return tuple(results)


def run_workflow_test(program: Program, crds: CrdCatalog, entry: WorkflowTestEntry) -> TestResult:
    """Render one WorkflowTest's trigger and judge its checks, or say why it cannot run."""
    base = _result(entry)
    if isinstance(entry, Broken):
        message = f"the WorkflowTest cannot be loaded: {entry.refusal.message}"
        return _errored(base, message, entry.diagnostics)
    test = entry
    ref = test.workflow_ref
    try:
        result = render(
            program,
            crds,
            test.trigger,
            workflow=ref.name if ref else None,
            state=test.state,
            controllers=test.controllers,
            max_passes=test.max_passes,
        )
    except UsageError as problem:
        at = ref.at if ref else test.header.spec("trigger")
        return _errored(base, str(problem), (Diagnostic("T003", str(problem), at.span),))
    cases = (
        *(_judge(check, result) for check in test.checks),
        _convergence(test, result),
    )
    failed = any(case.status == "failed" for case in cases)
    return replace(
        base,
        function_name=result.workflow,
        status="failed" if failed else "passed",
        cases=cases,
    )


def _result(entry: WorkflowTestEntry) -> TestResult:
    header = entry.header
    ref = entry.workflow_ref if isinstance(entry, WorkflowTest) else None
    return TestResult(
        name=header.name,
        namespace=header.namespace,
        file=header.file,
        line=header.line,
        function_kind=WORKFLOW_KIND,
        function_name=ref.name if ref else "",
        status="passed",
    )


def _errored(base: TestResult, message: str, diagnostics: Sequence[Diagnostic]) -> TestResult:
    return replace(base, status="error", error=message, diagnostics=tuple(diagnostics))


# --- the checks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Moment:
    """What a check looks at: the outcome, the objects and the trigger at one point."""

    when: str
    outcome: Outcome
    steps: str
    objects: tuple[dict[str, Any], ...]
    trigger: dict[str, Any]


def _judge(check: Check, result: RenderResult) -> CaseResult:
    moment = _moment(check, result)
    if isinstance(moment, str):
        return _case(check, "failed", None, moment)
    resources = [
        (expected, _resource_problem(expected, moment)) for expected in check.expect_resources
    ]
    trigger = _trigger_problems(check, moment)
    problems = [
        *_outcome_problems(check, moment),
        *(problem for _, problem in resources),
        *(_absent_problem(absent, moment, result.managers) for absent in check.expect_absent),
        *trigger,
    ]
    found = [problem for problem in problems if problem]
    if not found:
        return _case(check, "passed", moment.outcome, None)
    fixes = [_resource_fix(expected, moment) for expected, problem in resources if problem]
    if trigger:
        fixes.append(_trigger_fix(check, moment))
    corrections = tuple(fix for fix in fixes if fix)
    return _case(
        check,
        "failed",
        moment.outcome,
        "; ".join(found),
        corrections,
        len(corrections) < len(found),
    )


def _case(
    check: Check,
    status: CaseStatus,
    outcome: Outcome | None,
    message: str | None,
    corrections: tuple[Correction, ...] = (),
    partial: bool = False,
) -> CaseResult:
    return CaseResult(
        check.index,
        check.label,
        False,
        status,
        outcome,
        message,
        span=check.at.span,
        corrections=corrections,
        partial=partial,
    )


def _moment(check: Check, result: RenderResult) -> _Moment | str:
    """The point the check looks at, or why there is none."""
    ran = len(result.passes)
    number = check.pass_number
    if number is None:
        if not result.converged:
            return f"no steady state to check: {_unsettled(result)}"
        last = result.passes[-1]
        steps = _steps(last.steps)
        return _Moment("at steady state", result.outcome, steps, result.objects, result.trigger)
    if number > ran:
        how = "reached a steady state" if result.converged else "stopped"
        plural = "pass" if ran == 1 else "passes"
        return f"there is no pass {number}: the render {how} after {ran} {plural}"
    report = result.passes[number - 1]
    steps = _steps(report.steps)
    return _Moment(f"after pass {number}", report.outcome, steps, report.objects, report.trigger)


def _steps(steps: Iterable[Any]) -> str:
    return ", ".join(f"{step.label} {_short(step.outcome)}" for step in steps)


def _short(outcome: Outcome) -> str:
    text = describe(outcome)
    return text if len(text) <= 80 else text[:77] + "..."


def _unsettled(result: RenderResult) -> str:
    ran = len(result.passes)
    changing = f"; still changing: {', '.join(result.unstable)}" if result.unstable else ""
    return f"the render did not reach a steady state in {ran} passes (maxPasses){changing}"


_OUTCOME_TYPES: dict[str, type] = {
    "ok": Ok,
    "skip": Skip,
    "depSkip": DepSkip,
    "retry": Retry,
    "permFail": PermFail,
}


def _outcome_problems(check: Check, moment: _Moment) -> list[str]:
    expected = check.expect_outcome
    if expected is None or _outcome_matches(expected, moment.outcome):
        return []
    steps = f" (steps: {moment.steps})" if moment.steps else ""
    return [
        f"the outcome {moment.when} is {describe(moment.outcome)}, expected "
        f"{_expected_text(expected)}{steps}"
    ]


def _outcome_matches(expected: ExpectOutcome, actual: Outcome) -> bool:
    if not isinstance(actual, _OUTCOME_TYPES[expected.kind]):
        return False
    if isinstance(actual, Ok):
        return True
    wanted, got = expected.message, actual.message
    if wanted and not (got and wanted.lower() in got.lower()):
        return False
    return not (isinstance(actual, Retry) and expected.delay and expected.delay != actual.delay)


def _expected_text(expected: ExpectOutcome) -> str:
    name = {"ok": "Ok", "skip": "Skip", "depSkip": "DepSkip", "retry": "Retry"}.get(
        expected.kind, "PermFail"
    )
    details = []
    if expected.delay:
        details.append(f"delay {expected.delay}s")
    if expected.message:
        details.append(f"a message containing {expected.message!r}")
    return f"{name} ({', '.join(details)})" if details else name


def _resource_problem(expected: ExpectedObject, moment: _Moment) -> str | None:
    found = [obj for obj in moment.objects if expected.id.matches(obj)]
    if not found:
        return f"{expected.id} does not exist {moment.when}{_present(moment.objects)}"
    if len(found) > 1:
        where = ", ".join(sorted(str(obj["metadata"].get("namespace")) for obj in found))
        return (
            f"{expected.id} names {len(found)} objects {moment.when} (in namespaces {where}); "
            "give `metadata.namespace`"
        )
    differences = _differences(expected.fields, found[0])
    return f"{expected.id} {moment.when} differs: {differences}" if differences else None


def _present(objects: Sequence[dict[str, Any]]) -> str:
    if not objects:
        return " (the Workflow manages no objects)"
    names = [str(_object_id(obj)) for obj in objects]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f" (the Workflow manages {shown})"


def _object_id(obj: dict[str, Any]) -> ObjectId:
    metadata = obj.get("metadata") or {}
    namespace = metadata.get("namespace")
    return ObjectId(
        str(obj.get("apiVersion")), str(obj.get("kind")), str(metadata.get("name")), namespace
    )


def _differences(expected: dict[str, Any], actual: dict[str, Any]) -> str | None:
    """The first difference between the fields given and the object, as a Koreo path
    (``'spec' -> 'replicas' -> <target:[3], resource:[1]>``); None when they match.

    Koreo's comparison skips ``ownerReferences``; a test that gives them has them compared.
    """
    match = compare(expected, actual, _last_applied(actual))
    if not match.match:
        return " -> ".join(match.differences)
    wanted = (expected.get("metadata") or {}).get("ownerReferences")
    if wanted is None:
        return None
    owners = compare(wanted, (actual.get("metadata") or {}).get("ownerReferences"))
    if owners.match:
        return None
    return " -> ".join(("'metadata'", "'ownerReferences'", *owners.differences))


def _last_applied(obj: dict[str, Any]) -> Any:
    """What Koreo last applied to the object (for ``x-koreo-compare-last-applied``)."""
    text = ((obj.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _absent_problem(absent: ObjectId, moment: _Moment, managers: dict[str, str]) -> str | None:
    found = [obj for obj in moment.objects if absent.matches(obj)]
    if not found:
        return None
    step = managers.get(object_key(found[0]))
    by = f" (managed by step {step!r})" if step else ""
    return f"{_object_id(found[0])} exists {moment.when}{by}, expected absent"


def _trigger_problems(check: Check, moment: _Moment) -> list[str]:
    expected = check.expect_trigger
    if expected is None:
        return []
    differences = _differences(_conditions_by_type(expected), moment.trigger)
    return [f"the trigger {moment.when} differs: {differences}"] if differences else []


def _conditions_by_type(expected: dict[str, Any]) -> dict[str, Any]:
    """``expected`` with ``status.conditions`` compared as a map keyed by ``type`` (unless a
    directive in ``status`` already says how to compare them)."""
    status = expected.get("status")
    if not isinstance(status, dict) or not isinstance(status.get("conditions"), list):
        return expected
    directives = status.get("x-koreo-compare-as-map") or {}
    said = "conditions" in directives or "conditions" in (
        status.get("x-koreo-compare-as-set") or ()
    )
    if said:
        return expected
    keyed = {**directives, "conditions": ["type"]}
    return {**expected, "status": {**status, "x-koreo-compare-as-map": keyed}}


def _convergence(test: WorkflowTest, result: RenderResult) -> CaseResult:
    """The last case: whether the render settled (in exactly ``expectPasses`` passes)."""
    expected = test.expect_passes
    ran = len(result.passes)
    if expected is not None:
        label = f"reaches a steady state in {expected} pass{'es' if expected != 1 else ''}"
        at = test.header.spec("expectPasses")
    else:
        label = f"reaches a steady state within {test.max_passes} passes"
        at = test.header.spec()
    message = None
    if not result.converged:
        message = _unsettled(result)
    elif expected is not None and ran != expected:
        message = f"the render reached a steady state in {ran} passes, expected {expected}"
    status: CaseStatus = "failed" if message else "passed"
    index = len(test.checks)
    fix = () if not message or not result.converged else (_correction(at, ran),)
    return CaseResult(
        index,
        label,
        False,
        status,
        result.outcome,
        message,
        span=at.span,
        warnings=result.warnings,
        corrections=fix,
    )


# --- corrections (koreoctl test --update) ----------------------------------------------------


def _correction(at: At, value: Any) -> Correction:
    return Correction(at.doc.file, at.doc.index, at.path, value)


def _resource_fix(expected: ExpectedObject, moment: _Moment) -> Correction | None:
    """``expectResources[i]`` rewritten to match the one object it names (None when it names
    none, or several)."""
    found = [obj for obj in moment.objects if expected.id.matches(obj)]
    if len(found) != 1:
        return None
    actual = found[0]
    value = _matching(expected.fields, actual, _last_applied(actual))
    if not isinstance(value, dict) or _differences(value, actual):
        return None
    return _correction(expected.at, value)


def _trigger_fix(check: Check, moment: _Moment) -> Correction | None:
    """``expectTrigger`` rewritten to match the trigger (conditions matched by ``type``)."""
    expected = check.expect_trigger
    if expected is None:
        return None
    keyed = _conditions_by_type(expected)
    value = _matching(keyed, moment.trigger, _last_applied(moment.trigger))
    if not isinstance(value, dict):
        return None
    if keyed is not expected and isinstance(value.get("status"), dict):
        # The directive _conditions_by_type added is not the author's: take it out again.
        directive = expected["status"].get("x-koreo-compare-as-map")
        if directive is None:
            value["status"].pop("x-koreo-compare-as-map", None)
        else:
            value["status"]["x-koreo-compare-as-map"] = directive
    if not value or _differences(_conditions_by_type(value), moment.trigger):
        return None
    return _correction(check.at.child("expectTrigger"), value)


def _matching(expected: Any, actual: Any, applied: Any) -> Any:
    """``expected`` made to match ``actual`` as ``compare`` compares them: the fields it gives
    that exist in ``actual``, with their actual values, and none it does not give; a part
    that already matches, and every compare directive, kept as written. A list compared
    item by item takes the actual items beyond the expected ones whole; a set, the actual
    list."""
    if isinstance(expected, list) and isinstance(actual, list):
        before = applied if isinstance(applied, list) else []
        common = [
            _matching(want, got, before[index] if index < len(before) else None)
            for index, (want, got) in enumerate(zip(expected, actual, strict=False))
        ]
        return [*common, *actual[len(expected) :]]
    if not (isinstance(expected, dict) and isinstance(actual, dict)):
        return actual
    applied = applied if isinstance(applied, dict) else {}
    directives = {key: value for key, value in expected.items() if key in DIRECTIVES}
    as_set = set(directives.get("x-koreo-compare-as-set") or ())
    as_map = directives.get("x-koreo-compare-as-map") or {}
    from_applied = set(directives.get("x-koreo-compare-last-applied") or ())
    source = {**actual, **{key: applied[key] for key in from_applied if key in applied}}
    kept: dict[str, Any] = {}
    for key, want in expected.items():
        if key in DIRECTIVES:
            kept[key] = want
        elif key not in source:
            continue  # gone from the actual object
        elif _matches({**directives, key: want}, key, source, applied):
            kept[key] = want
        elif key in as_set:
            kept[key] = source[key]
        elif key in as_map and isinstance(want, list) and isinstance(source[key], list):
            kept[key] = _matching_keyed(want, source[key], as_map[key])
        else:
            kept[key] = _matching(want, source[key], applied.get(key))
    return kept


def _matches(target: dict[str, Any], key: str, actual: dict[str, Any], applied: Any) -> bool:
    if key == "ownerReferences":  # compare skips them; _differences does not
        return compare(target[key], actual[key]).match
    return compare(target, {key: actual[key]}, applied).match


def _matching_keyed(expected: list[Any], actual: list[Any], fields: Any) -> list[Any]:
    """A list compared as a map: each expected item made to match the actual item with its
    key (an item whose key is gone is dropped)."""

    def key(item: Any) -> str | None:
        if not isinstance(item, dict):
            return None
        return "$".join(f"{item.get(name)}".strip() for name in fields or () if name)

    by_key = {key(item): item for item in actual}
    return [_matching(item, by_key[key(item)], None) for item in expected if key(item) in by_key]
