"""WorkflowTest (``koreoctl.dev/v1alpha1``): a trigger rendered through its Workflow, then checked.

koreoctl's own kind (Koreo has none for workflows): the trigger object, the cluster it starts
from, the simulated controllers, and checks of the outcome, the managed resources and the
trigger after given reconcile passes or at steady state. See ``docs/workflow-tests.md``; the
schema is ``schema/WorkflowTest.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from koreoctl.diagnostics import Diagnostic
from koreoctl.model.common import At, Header, Refusal, error
from koreoctl.model.controllers import ControllerRule, parse_controllers
from koreoctl.model.function_test import OUTCOME_KINDS, ExpectOutcome

API_GROUP = "koreoctl.dev"
API_VERSION = "koreoctl.dev/v1alpha1"
RULE = "K003"


@dataclass(frozen=True)
class WorkflowRef:
    """``spec.workflowRef``: the Workflow to run (else the one the trigger selects)."""

    name: str
    at: At


@dataclass(frozen=True)
class ObjectId:
    """Which object an expectation is about; without a namespace, any namespace."""

    api_version: str
    kind: str
    name: str
    namespace: str | None = None

    def matches(self, obj: dict[str, Any]) -> bool:
        metadata = obj.get("metadata") or {}
        return (
            obj.get("apiVersion") == self.api_version
            and obj.get("kind") == self.kind
            and metadata.get("name") == self.name
            and (self.namespace is None or metadata.get("namespace") == self.namespace)
        )

    def __str__(self) -> str:
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.api_version} {self.kind} {where}"


@dataclass(frozen=True)
class ExpectedObject:
    """A partial object that must exist: every field given must match."""

    id: ObjectId
    fields: dict[str, Any]
    at: At


@dataclass(frozen=True)
class Check:
    """One checkpoint: after pass ``pass_number``, or at steady state when it is None."""

    index: int
    label: str
    pass_number: int | None
    expect_outcome: ExpectOutcome | None
    expect_resources: tuple[ExpectedObject, ...]
    expect_absent: tuple[ObjectId, ...]
    expect_trigger: dict[str, Any] | None
    at: At


@dataclass(frozen=True)
class WorkflowTest:
    """A WorkflowTest: what to render, and its checks in the order written."""

    __test__ = False  # not a pytest class

    header: Header
    workflow_ref: WorkflowRef | None
    trigger: dict[str, Any]
    state: tuple[dict[str, Any], ...]
    controllers: tuple[ControllerRule, ...]
    max_passes: int
    expect_passes: int | None
    checks: tuple[Check, ...]


def build(
    header: Header, spec: dict[str, Any]
) -> tuple[WorkflowTest | None, list[Diagnostic], Refusal | None]:
    """The record for a schema-valid spec, or None and the rules it breaks."""
    at = header.spec()
    problems = _problems(spec, at)
    if problems:
        refusal = Refusal(problems[0].message, f"WorkflowTest:{header.name}:spec")
        return None, problems, refusal
    ref = spec.get("workflowRef")
    test = WorkflowTest(
        header=header,
        workflow_ref=WorkflowRef(ref["name"], at.child("workflowRef")) if ref else None,
        trigger=spec["trigger"],
        state=tuple(spec.get("state") or ()),
        controllers=parse_controllers(spec.get("controllers") or (), at.child("controllers")),
        max_passes=int(spec["maxPasses"]),
        expect_passes=spec.get("expectPasses"),
        checks=tuple(
            _check(item, index, at.child("checks", index))
            for index, item in enumerate(spec.get("checks") or ())
        ),
    )
    return test, [], None


def _problems(spec: dict[str, Any], at: At) -> list[Diagnostic]:
    """The rules beyond the schema: no pass or expected pass count beyond ``maxPasses``."""
    limit = spec["maxPasses"]
    found = []
    expected = spec.get("expectPasses")
    if expected is not None and expected > limit:
        message = f"`spec.expectPasses` ({expected}) is more than `spec.maxPasses` ({limit})"
        found.append(error(RULE, message, at.child("expectPasses")))
    for index, check in enumerate(spec.get("checks") or ()):
        number = check.get("pass")
        if number is not None and number > limit:
            message = (
                f"`spec.checks[{index}].pass` ({number}) is more than `spec.maxPasses` ({limit})"
            )
            found.append(error(RULE, message, at.child("checks", index, "pass")))
    return found


def check_label(spec: dict[str, Any], index: int) -> str:
    """The check's label, or one saying when it checks."""
    if spec.get("label"):
        return str(spec["label"])
    number = spec.get("pass")
    return f"check {index + 1} (after pass {number})" if number else f"check {index + 1}"


def _check(spec: dict[str, Any], index: int, at: At) -> Check:
    resources = spec.get("expectResources") or ()
    return Check(
        index=index,
        label=check_label(spec, index),
        pass_number=spec.get("pass"),
        expect_outcome=_expect_outcome(spec["expectOutcome"]) if "expectOutcome" in spec else None,
        expect_resources=tuple(
            ExpectedObject(object_id(item), item, at.child("expectResources", number))
            for number, item in enumerate(resources)
        ),
        expect_absent=tuple(object_id(item) for item in spec.get("expectAbsent") or ()),
        expect_trigger=spec.get("expectTrigger"),
        at=at,
    )


def object_id(obj: dict[str, Any]) -> ObjectId:
    """The identity of a schema-valid object (apiVersion, kind, metadata.name/namespace)."""
    metadata = obj["metadata"]
    namespace = metadata.get("namespace")
    return ObjectId(obj["apiVersion"], obj["kind"], metadata["name"], namespace or None)


def _expect_outcome(spec: dict[str, Any]) -> ExpectOutcome:
    kind = next(name for name in OUTCOME_KINDS if name in spec)
    detail = spec[kind] or {}
    message, delay = detail.get("message"), detail.get("delay")
    return ExpectOutcome(kind, None if message is None else str(message), delay)
