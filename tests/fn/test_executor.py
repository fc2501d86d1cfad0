"""The executor: preparing a sequence, running it, filters, stop-on-error, the report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from koreoctl.fn.executor import FunctionTable, Report, prepare_sequence, run_sequence
from koreoctl.fn.model import (
    AttributeValue,
    Change,
    Context,
    FnFunction,
    FunctionError,
    Issue,
    Resource,
    StepOutput,
    Unit,
    Validation,
)
from koreoctl.fn.signature import ArgumentError, Parameter, Signature


def _prepare(args: Mapping[str, Any]) -> Any:
    if args.get("value") == "bad":
        raise ArgumentError("set-x: value: 'bad' is refused at prepare time")
    return dict(args)


def _set_x(unit: Unit, prepared: Any, context: Context) -> StepOutput:
    changes = []
    for resource in unit.resources:
        old = resource.data.get("x")
        if old != prepared["value"]:
            resource.data["x"] = prepared["value"]
            action = "add" if old is None else "update"
            changes.append(
                Change(resource.index, resource.info, ("x",), action, old, prepared["value"])
            )
    return StepOutput(unit, changes=tuple(changes))


def _get_x(unit: Unit, prepared: Any, context: Context) -> StepOutput:
    values = tuple(
        AttributeValue(r.info, ("x",), r.data["x"]) for r in unit.resources if "x" in r.data
    )
    return StepOutput(unit, values=values)


def _vet_x(unit: Unit, prepared: Any, context: Context) -> StepOutput:
    failed = tuple(
        AttributeValue(r.info, ("x",), r.data.get("x"), issues=(Issue("x-wrong", "wrong x"),))
        for r in unit.resources
        if r.data.get("x") != prepared["value"]
    )
    return StepOutput(unit, validation=Validation(not failed, failed))


def _vet_broken(unit: Unit, prepared: Any, context: Context) -> StepOutput:
    raise FunctionError("vet-broken: the baseline cannot be read")


VALUE = (Parameter("value", "The value.", "string"),)
TABLE = FunctionTable(
    [
        FnFunction(Signature("set-x", "Set x.", VALUE, "yaml", True, False), _prepare, _set_x),
        FnFunction(
            Signature("get-x", "Get x.", (), "attribute-values", False, False), dict, _get_x
        ),
        FnFunction(
            Signature("vet-x", "Check x.", VALUE, "validation-result", False, True),
            _prepare,
            _vet_x,
        ),
        FnFunction(
            Signature("vet-broken", "Fails.", (), "validation-result", False, True),
            dict,
            _vet_broken,
        ),
    ]
)


def _unit() -> Unit:
    return Unit(
        "u.yaml",
        (
            Resource(0, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}),
            Resource(1, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}),
        ),
    )


def _run(argv: list[str], **options: Any) -> Report:
    return run_sequence(_unit(), prepare_sequence(TABLE, argv), Context(), **options)


def test_a_sequence_combines_outputs_by_kind_and_records_changes() -> None:
    report = _run(["set-x", "1", "--", "get-x", "--", "vet-x", "--value=1"])
    assert [(i.index, i.name, i.kind) for i in report.invocations] == [
        (0, "set-x", "mutating"),
        (1, "get-x", "readonly"),
        (2, "vet-x", "validating"),
    ]
    assert [(i.name, c.document, c.action, c.new) for i, c in report.changes] == [
        ("set-x", 0, "add", "1"),
        ("set-x", 1, "add", "1"),
    ]
    assert [(i.name, v.resource.name, v.value) for i, v in report.values] == [
        ("get-x", "a", "1"),
        ("get-x", "b", "1"),
    ]
    assert report.passed and report.exit_code == 0 and report.unit_changed and report.mutating
    data = report.to_dict()
    assert data["validation"][0]["passed"] is True
    assert data["validation"][0]["args"] == {"value": "1"}
    assert data["changes"][0]["function"] == "set-x" and data["changes"][0]["index"] == 0


def test_a_failing_validation_is_exit_code_1_and_later_steps_still_run() -> None:
    report = _run(["vet-x", "2", "--", "set-x", "2", "--", "vet-x", "2"])
    assert [e.passed for e in report.validations] == [False, True]
    assert not report.passed and report.exit_code == 1
    failed = report.to_dict()["validation"][0]["failedAttributes"]
    assert [(f["resource"]["name"], f["path"], f["issues"][0]["id"]) for f in failed] == [
        ("a", "x", "x-wrong"),
        ("b", "x", "x-wrong"),
    ]
    assert len(report.changes) == 2


def test_stop_on_error_stops_at_the_first_failing_validation() -> None:
    report = _run(["vet-x", "2", "--", "set-x", "2"], stop_on_error=True)
    assert report.stopped is not None and report.stopped.reason == "failure"
    assert report.changes == () and report.exit_code == 1
    assert report.to_dict()["stopped"] == {"function": "vet-x", "index": 0, "reason": "failure"}


def test_a_failing_filter_stops_quietly_and_the_run_passes() -> None:
    report = _run(["vet-x", "2", "--", "set-x", "2", "--", "vet-x", "3"], filters=1)
    assert report.stopped is not None and report.stopped.reason == "filter"
    assert report.passed and report.exit_code == 0 and report.changes == ()
    assert [e.filter for e in report.validations] == [True]


def test_a_passing_filter_lets_the_sequence_go_on() -> None:
    report = _run(["set-x", "2", "--", "vet-x", "2", "--", "vet-x", "3"], filters=1)
    assert report.stopped is None
    assert [(e.filter, e.passed) for e in report.validations] == [(True, True), (False, False)]
    assert report.exit_code == 1


def test_a_function_error_is_recorded_as_exit_code_2() -> None:
    report = _run(["vet-broken", "--", "get-x"])
    assert [e.to_dict() for e in report.errors] == [
        {"function": "vet-broken", "index": 0, "message": "vet-broken: the baseline cannot be read"}
    ]
    assert report.validations[0].error == "vet-broken: the baseline cannot be read"
    assert report.exit_code == 2 and report.stopped is None
    stopped = _run(["vet-broken", "--", "set-x", "1"], stop_on_error=True)
    assert stopped.stopped is not None and stopped.stopped.reason == "error"
    assert stopped.changes == ()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["set-y", "1"], "unknown function 'set-y' (did you mean 'set-x'?)"),
        (["set-x"], "set-x: missing required argument value"),
        (["set-x", "bad"], "set-x: value: 'bad' is refused at prepare time"),
        (["get-x", "--", "--", "get-x"], ""),
    ],
)
def test_bad_invocations_fail_before_anything_runs(argv: list[str], message: str) -> None:
    with pytest.raises(ArgumentError) as caught:
        prepare_sequence(TABLE, argv)
    assert message in str(caught.value)


def test_a_negative_filter_count_is_a_usage_error() -> None:
    with pytest.raises(ArgumentError):
        _run(["get-x"], filters=-1)
