"""Workflow: steps wired together by their inputs, triggered by instances of a CRD."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from koreoctl.diagnostics import Diagnostic
from koreoctl.model.common import At, Header, Refusal, Value


@dataclass(frozen=True)
class CrdRef:
    """``spec.crdRef``: the kind whose instances trigger the workflow."""

    api_group: str
    version: str
    kind: str


@dataclass(frozen=True)
class LogicRef:
    """A reference to a ValueFunction, ResourceFunction or Workflow by kind and name."""

    kind: str
    name: str
    at: At


@dataclass(frozen=True)
class SwitchCase:
    """One case of a ``refSwitch``."""

    case: str
    default: bool
    ref: LogicRef


@dataclass(frozen=True)
class RefSwitch:
    """``refSwitch``: the logic to run is chosen by the value of ``switchOn``."""

    switch_on: Value
    cases: tuple[SwitchCase, ...]


@dataclass(frozen=True)
class ForEach:
    """``forEach``: run the step once per item of ``itemIn``, given as input ``inputKey``."""

    item_in: Value
    input_key: str


@dataclass(frozen=True)
class StepCondition:
    """``condition``: a status condition on the trigger reflecting the step's outcome."""

    type: str
    name: str


@dataclass(frozen=True)
class Step:
    """One step; exactly one of ``ref`` and ``ref_switch`` is set."""

    label: str
    ref: LogicRef | None
    ref_switch: RefSwitch | None
    skip_if: Value | None
    for_each: ForEach | None
    inputs: Value | None
    condition: StepCondition | None
    state: Value | None
    at: At


@dataclass(frozen=True)
class Workflow:
    """A Workflow: its trigger and its steps in the order written."""

    header: Header
    crd_ref: CrdRef | None
    steps: tuple[Step, ...]


def build(
    header: Header, spec: dict[str, Any]
) -> tuple[Workflow, list[Diagnostic], Refusal | None]:
    """The record for a schema-valid Workflow spec."""
    at = header.spec()
    steps = tuple(_step(item, at.child("steps", index)) for index, item in enumerate(spec["steps"]))
    return Workflow(header, _crd_ref(spec.get("crdRef") or {}), steps), [], None


def _crd_ref(spec: dict[str, Any]) -> CrdRef | None:
    if not (spec.get("apiGroup") and spec.get("version") and spec.get("kind")):
        return None
    return CrdRef(spec["apiGroup"], spec["version"], spec["kind"])


def _step(spec: dict[str, Any], at: At) -> Step:
    return Step(
        label=spec["label"],
        ref=_logic_ref(spec["ref"], at.child("ref")) if "ref" in spec else None,
        ref_switch=_ref_switch(spec["refSwitch"], at.child("refSwitch"))
        if "refSwitch" in spec
        else None,
        skip_if=_optional(spec, "skipIf", at),
        for_each=ForEach(
            Value(spec["forEach"]["itemIn"], at.child("forEach", "itemIn")),
            spec["forEach"]["inputKey"],
        )
        if "forEach" in spec
        else None,
        inputs=_optional(spec, "inputs", at),
        condition=StepCondition(spec["condition"]["type"], spec["condition"]["name"])
        if "condition" in spec
        else None,
        state=_optional(spec, "state", at),
        at=at,
    )


def _logic_ref(spec: dict[str, Any], at: At) -> LogicRef:
    return LogicRef(spec["kind"], spec["name"], at)


def _ref_switch(spec: dict[str, Any], at: At) -> RefSwitch:
    cases = tuple(
        SwitchCase(
            case=item["case"],
            default=bool(item.get("default")),
            ref=_logic_ref(item, at.child("cases", index)),
        )
        for index, item in enumerate(spec.get("cases") or ())
    )
    return RefSwitch(Value(spec.get("switchOn"), at.child("switchOn")), cases)


def _optional(spec: dict[str, Any], name: str, at: At) -> Value | None:
    return Value(spec[name], at.child(name)) if spec.get(name) else None
