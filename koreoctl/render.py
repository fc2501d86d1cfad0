"""Rendering a Workflow: a trigger reconciled pass after pass until nothing changes.

``render`` is a pure function over explicit inputs: a linked program, the project's CRDs, a
trigger object, optional existing objects (``state``) and simulated controllers. It plays
Koreo's controller (koreo-controller ``reconcile.py``) against a fresh simulated API server:

1. the Workflow is the one named (as the trigger's ``koreo.dev/workflow`` annotation names
   one), else the one whose ``crdRef`` is the trigger's group, version and kind;
2. each pass reconciles the Workflow once for the stored trigger (``metadata`` and ``spec``)
   and writes back what the controller writes: the ``koreo.dev/managed-resources``
   annotation, ``status.conditions`` (previous ones kept only with the
   ``koreo.dev/merge-conditions: "true"`` annotation), ``status.state`` and ``status.koreo``;
3. then every simulated controller rule merges its ``status`` into the objects it matches,
   once an object has existed for ``afterPasses`` passes (a rule not yet due keeps the
   render going: the cluster is not at rest while a controller has work left).

Every write is validated, defaulted and pruned against the CRDs as a real server would. The
render has converged at the first pass in which the Workflow writes no object and nothing
changes (condition timestamps aside), and that quiet pass is counted; without one within
``max_passes``, ``converged`` is False and ``unstable`` says what kept changing. A pass that
ends in PermFail also ends the render, unless it changed the trigger's spec, labels or
(non-Koreo) annotations: the controller does not reconcile a failed trigger again until one
of those (or the Workflow) changes.

Time is simulated: pass N happens N-1 seconds after 1970-01-01T00:00:00+00:00 (written as
Koreo writes it, ``isoformat()``), so condition timestamps are reproducible. Output is
deterministic: objects sorted by apiVersion, kind, namespace, name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from koreoctl.apiserver import (
    Accepted,
    ApiServer,
    CrdCatalog,
    ObjectRef,
    Rejected,
    strip_system_fields,
)
from koreoctl.cel import (
    Template,
    compile_template,
    deep_overlay,
    empty_map,
    evaluate,
    to_cel,
    to_plain,
)
from koreoctl.engine import Owner
from koreoctl.engine.workflow import Context, StepRecord, WorkflowResult, reconcile_workflow
from koreoctl.errors import UsageError
from koreoctl.jsondata import copy_data, mapping_at
from koreoctl.model.builtin_kinds import find_builtin
from koreoctl.model.controllers import ControllerRule
from koreoctl.outcome import Outcome, PermFail, is_error
from koreoctl.program import PreparedWorkflow, Program, Unloadable

MANAGED_RESOURCES = "koreo.dev/managed-resources"
WORKFLOW_ANNOTATION = "koreo.dev/workflow"
MERGE_CONDITIONS = "koreo.dev/merge-conditions"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_MAX_PASSES = 10


@dataclass(frozen=True)
class PassReport:
    """One reconcile pass: the top-level steps' outcomes, the Workflow's, what was written,
    and the objects and trigger as they were at the end of the pass."""

    number: int
    steps: tuple[StepRecord, ...]
    outcome: Outcome
    writes: tuple[str, ...]
    objects: tuple[dict[str, Any], ...]
    trigger: dict[str, Any]


@dataclass(frozen=True)
class RenderResult:
    """Everything a render produced; ``objects`` are the ones the Workflow wrote that exist
    at the end, without server-owned metadata, sorted."""

    workflow: str
    trigger: dict[str, Any]
    objects: tuple[dict[str, Any], ...]
    managers: dict[str, str]
    passes: tuple[PassReport, ...]
    converged: bool
    outcome: Outcome
    unstable: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def object_key(obj: Mapping[str, Any]) -> str:
    """``apiVersion/kind/namespace/name`` (namespace empty when cluster-scoped)."""
    ref = ObjectRef.of(obj)
    return f"{ref.api_version}/{ref.kind}/{ref.namespace or ''}/{ref.name}"


def render(
    program: Program,
    crds: CrdCatalog,
    trigger: Mapping[str, Any],
    *,
    workflow: str | None = None,
    state: Sequence[Mapping[str, Any]] = (),
    controllers: Sequence[ControllerRule] = (),
    max_passes: int = DEFAULT_MAX_PASSES,
    progress: Callable[[PassReport], None] | None = None,
) -> RenderResult:
    """Reconcile ``trigger`` with its Workflow until steady state (or ``max_passes``).

    ``progress`` is called with each pass's report as soon as the pass is done.
    Raises ``UsageError`` when the trigger is not an object, or no (or more than one)
    Workflow is found for it, with the controller's own wording.
    """
    if max_passes < 1:
        raise UsageError("--max-passes must be at least 1")
    server = ApiServer(crds, apply_defaults=True, prune_unknown=True)
    warnings = [warning for obj in state for warning in server.seed(obj)]
    trigger_ref = _seed_trigger(server, crds, trigger, warnings)
    stored = server.get(trigger_ref)
    assert stored is not None
    chosen = choose_workflow(program, stored, workflow)
    loop = _Loop(program, server, trigger_ref, chosen, _compiled(program, controllers))
    passes: list[PassReport] = []
    converged = False
    for number in range(1, max_passes + 1):
        report, quiet = loop.run_pass(number)
        passes.append(report)
        if progress is not None:
            progress(report)
        if quiet:
            converged = True
            break
    last = passes[-1]  # nothing runs after the last pass: its snapshot is the result
    return RenderResult(
        workflow=chosen.name,
        trigger=last.trigger,
        objects=last.objects,
        managers=_all_managers(passes),
        passes=tuple(passes),
        converged=converged,
        outcome=last.outcome,
        unstable=() if converged else loop.last_activity,
        warnings=tuple(warnings),
    )


def choose_workflow(
    program: Program, trigger: Mapping[str, Any], name: str | None = None
) -> PreparedWorkflow:
    """The Workflow the controller runs for ``trigger``: ``name`` (or the trigger's
    ``koreo.dev/workflow`` annotation), else the one whose crdRef is the trigger's kind."""
    metadata = mapping_at(trigger, "metadata")
    namespace = metadata.get("namespace")
    ref = ObjectRef.of(trigger)
    crd_key = f"{ref.group}:{ref.kind}:{ref.version}"
    name = name or mapping_at(trigger, "metadata", "annotations").get(WORKFLOW_ANNOTATION)
    if name:
        found = program.workflows.find(name, namespace)
        if found is None:
            raise UsageError(f"Failed to find User Requested Workflow ({name}) for `{crd_key}`")
        if isinstance(found, Unloadable):
            reason = found.failure.message if found.failure else "it cannot be loaded"
            raise UsageError(f"User-specified Workflow `{name}` not ready {reason}.")
        return found
    candidates = [
        item
        for _, item in program.workflows.items()
        if isinstance(item, PreparedWorkflow)
        and item.crd_ref is not None
        and (item.crd_ref.api_group, item.crd_ref.kind, item.crd_ref.version)
        == (ref.group, ref.kind, ref.version)
    ]
    names = sorted({item.name for item in candidates})
    if not names:
        raise UsageError(f"Failed to find Workflow for `{crd_key}`")
    if len(names) > 1:
        raise UsageError(
            f"Multiple Workflows attempted to run ({','.join(names)}); choose one with --workflow"
        )
    return candidates[-1]


def _seed_trigger(
    server: ApiServer, crds: CrdCatalog, trigger: Mapping[str, Any], warnings: list[str]
) -> ObjectRef:
    if not isinstance(trigger, Mapping):
        raise UsageError("the trigger must be a Kubernetes object (a mapping)")
    try:
        ref = ObjectRef.of(trigger)
    except ValueError as problem:
        raise UsageError(f"the trigger is not a Kubernetes object: {problem}") from None
    body = copy_data(dict(trigger))
    if ref.namespace is None and _namespaced(crds, ref):
        body.setdefault("metadata", {})["namespace"] = "default"
        ref = ObjectRef.of(body)
    warnings.extend(server.seed(body))
    return ref


def _namespaced(crds: CrdCatalog, ref: ObjectRef) -> bool:
    crd = crds.lookup(ref.api_version, ref.kind)
    if crd is not None:
        return crd.namespaced
    builtin = find_builtin(ref.api_version, ref.kind)
    return builtin.namespaced if builtin is not None else True


@dataclass(frozen=True)
class _Controller:
    rule: ControllerRule
    status: Template


def _compiled(program: Program, rules: Sequence[ControllerRule]) -> tuple[_Controller, ...]:
    compiled = []
    for rule in rules:
        template = compile_template(program.env, rule.status.data)
        if not template.ok:
            first = template.errors[0]
            raise UsageError(
                f"{rule.status.at.span}: simulated controller status does not parse: "
                f"{first.error.reason}"
            )
        compiled.append(_Controller(rule, template))
    return tuple(compiled)


class _Loop:
    """The state carried from pass to pass."""

    def __init__(
        self,
        program: Program,
        server: ApiServer,
        trigger_ref: ObjectRef,
        workflow: PreparedWorkflow,
        controllers: tuple[_Controller, ...],
    ) -> None:
        self.program = program
        self.server = server
        self.trigger_ref = trigger_ref
        self.workflow = workflow
        self.controllers = controllers
        self.written: set[ObjectRef] = set()
        self.first_seen: dict[ObjectRef, int] = {}
        self.last_activity: tuple[str, ...] = ()

    def run_pass(self, number: int) -> tuple[PassReport, bool]:
        now = (EPOCH + timedelta(seconds=number - 1)).isoformat()
        before = self._settled()
        writes_before = len(self.server.writes())
        trigger = self.server.get(self.trigger_ref)
        assert trigger is not None
        result = self._reconcile(trigger)
        workflow_writes = self.server.writes()[writes_before:]
        activity = [_describe_write(write) for write in workflow_writes]
        self.written.update(w.ref for w in workflow_writes if isinstance(w.result, Accepted))
        trigger_problem = self._write_trigger(trigger, result, now)
        if trigger_problem:
            activity.append(trigger_problem)
        activity.extend(self._run_controllers(number))
        after = self._settled()
        if after.get(self.trigger_ref) != before.get(self.trigger_ref):
            activity.append(f"the trigger {self.trigger_ref} changed")
        written = {write.ref for write in workflow_writes}
        activity.extend(
            f"{ref} changed"
            for ref in sorted(set(after) | set(before))
            if ref != self.trigger_ref and after.get(ref) != before.get(ref) and ref not in written
        )
        self.last_activity = tuple(dict.fromkeys(activity))
        objects = tuple(
            strip_system_fields(obj)
            for obj in self.server.objects()
            if ObjectRef.of(obj) in self.written and ObjectRef.of(obj) != self.trigger_ref
        )
        report = PassReport(
            number=number,
            steps=result.steps,
            outcome=result.outcome,
            writes=tuple(_describe_write(write) for write in workflow_writes),
            objects=objects,
            trigger=strip_system_fields(self.server.get(self.trigger_ref) or {}),
        )
        if isinstance(result.outcome, PermFail) and _controller_hash(trigger) == _controller_hash(
            self.server.get(self.trigger_ref) or {}
        ):
            return report, True  # the controller waits for a change to the trigger or workflow
        return report, not activity

    def _reconcile(self, trigger: dict[str, Any]) -> WorkflowResult:
        metadata = trigger.get("metadata") or {}
        owner = Owner(
            metadata.get("namespace"),
            {
                "apiVersion": trigger["apiVersion"],
                "kind": trigger["kind"],
                "blockOwnerDeletion": True,
                "controller": False,
                "name": metadata.get("name"),
                "uid": metadata.get("uid"),
            },
        )
        context = Context(self.program, self.server, owner, self._plural_of)
        value = to_cel({"metadata": metadata, "spec": trigger.get("spec")})
        return reconcile_workflow(context, self.workflow.name, value, self.workflow)

    def _plural_of(self, api_version: str, kind: str) -> str | None:
        crd = self.server.crds.lookup(api_version, kind)
        if crd is not None:
            return crd.plural
        builtin = find_builtin(api_version, kind)
        if builtin is not None:
            return builtin.plural
        # A kind the project has no CRD for: on a cluster its CRD would be installed (else
        # nothing could create it); kr8s's guess is the lower-case kind plus "s".
        return f"{kind.lower()}s"

    def _write_trigger(self, trigger: dict[str, Any], result: WorkflowResult, now: str) -> str:
        """Write the controller's patch of the trigger; a refusal is returned as activity."""
        annotations = mapping_at(trigger, "metadata", "annotations")
        conditions: list[dict[str, Any]] = []
        if annotations.get(MERGE_CONDITIONS) == "true":
            conditions = copy_data(list(mapping_at(trigger, "status").get("conditions") or []))
        for condition in result.conditions:
            conditions = update_condition(conditions, condition, now)
        koreo: dict[str, Any] = {
            "errors": None,
            "locations": None,
            "state_errors": result.state_errors or None,
        }
        if is_error(result.outcome):
            koreo["errors"] = result.outcome.message
            koreo["locations"] = result.outcome.location
        patch = {
            "metadata": {
                "annotations": {
                    MANAGED_RESOURCES: json.dumps(result.resource_ids, separators=(",", ":"))
                }
            },
            "status": {
                "conditions": conditions,
                "state": to_plain(result.state),
                "koreo": koreo,
            },
        }
        written = self.server.patch(self.trigger_ref, patch)
        if isinstance(written, Rejected):
            return f"the status write to the trigger was refused: {written.message}"
        return ""

    def _run_controllers(self, number: int) -> list[str]:
        """Apply every simulated controller rule due; what changed, as activity."""
        changed: list[str] = []
        for obj in self.server.objects():
            ref = ObjectRef.of(obj)
            self.first_seen.setdefault(ref, number)
            if ref == self.trigger_ref:
                continue
            age = number - self.first_seen[ref] + 1
            for controller in self.controllers:
                if not controller.rule.match.matches(obj):
                    continue
                if controller.rule.after_passes > age:  # it will act later: not settled yet
                    due = self.first_seen[ref] + controller.rule.after_passes - 1
                    changed.append(f"a simulated controller will update {ref} after pass {due}")
                    continue
                message = self._apply(controller, ref)
                if message:
                    changed.append(message)
        return changed

    def _apply(self, controller: _Controller, ref: ObjectRef) -> str:
        current = self.server.get(ref)
        if current is None:
            return ""
        resource = to_cel(current)
        status = evaluate(controller.status, {"resource": resource}, "controller.status")
        if isinstance(status, PermFail):
            where = controller.rule.status.at.span
            raise UsageError(f"{where}: simulated controller status failed: {status.message}")
        old = current.get("status")
        base = to_cel(old) if isinstance(old, dict) else empty_map()
        new = to_plain(deep_overlay(base, status))
        if new == old:
            return ""
        written = self.server.patch(ref, {"status": new})
        if isinstance(written, Rejected):
            return f"a simulated controller's status write to {ref} was refused: {written.message}"
        return ""  # a status change shows up when the pass's objects are compared

    def _settled(self) -> dict[ObjectRef, Any]:
        """Every object without server-owned metadata or condition timestamps."""
        return {ObjectRef.of(obj): _settled_view(obj) for obj in self.server.objects()}


def _controller_hash(trigger: Mapping[str, Any]) -> Any:
    """What the controller's resource hash covers: the spec, the labels and the annotations
    outside ``koreo.dev/`` (koreo-controller ``_hash_resource``)."""
    metadata = mapping_at(trigger, "metadata")
    annotations = {
        key: value
        for key, value in mapping_at(trigger, "metadata", "annotations").items()
        if not key.startswith("koreo.dev")
    }
    return (metadata.get("labels"), annotations or None, trigger.get("spec"))


def _settled_view(obj: dict[str, Any]) -> Any:
    view = strip_system_fields(obj)
    conditions = mapping_at(view, "status").get("conditions")
    if isinstance(conditions, list):
        for condition in conditions:
            if isinstance(condition, dict):
                condition.pop("lastUpdateTime", None)
                condition.pop("lastTransitionTime", None)
    return view


def update_condition(
    conditions: list[dict[str, Any]], condition: Mapping[str, Any], now: str
) -> list[dict[str, Any]]:
    """``conditions`` with ``condition`` merged in by type, as Koreo's ``update_condition``:
    the transition time moves only when the status changes; the update time always."""
    updated = [dict(item) for item in conditions]
    for index, existing in enumerate(updated):
        if existing.get("type") == condition.get("type"):
            transition = existing.get("lastTransitionTime")
            if existing.get("status") != condition.get("status") or not transition:
                transition = now
            updated[index] = {
                "type": existing.get("type"),
                "lastUpdateTime": now,
                "lastTransitionTime": transition,
                "status": condition.get("status"),
                "reason": condition.get("reason"),
                "message": condition.get("message"),
                "location": condition.get("location"),
            }
            return updated
    updated.append(
        {
            "lastUpdateTime": now,
            "lastTransitionTime": now,
            "type": condition.get("type"),
            "status": condition.get("status"),
            "reason": condition.get("reason"),
            "message": condition.get("message"),
            "location": condition.get("location"),
        }
    )
    return updated


def _describe_write(write: Any) -> str:
    verb = {"create": "created", "patch": "patched", "delete": "deleted"}.get(
        write.verb, write.verb
    )
    if isinstance(write.result, Rejected):
        return f"{write.verb} of {write.ref} refused: {write.result.message}"
    return f"{verb} {write.ref}"


def _all_managers(passes: Sequence[PassReport]) -> dict[str, str]:
    """object key -> managing step, over every pass (a later pass wins): a step that is
    waiting (a failed postcondition, say) reports no resource id for that pass."""
    managers: dict[str, str] = {}
    for report in passes:
        managers.update(_managers(report.trigger))
    return dict(sorted(managers.items()))


def _managers(trigger: Mapping[str, Any]) -> dict[str, str]:
    """object key -> the step (``label``, ``label[0]``, ``label.sub``) managing it, from the
    trigger's managed-resources annotation."""
    text = mapping_at(trigger, "metadata", "annotations").get(MANAGED_RESOURCES)
    if not text:
        return {}
    managers: dict[str, str] = {}
    _collect(json.loads(text), "", managers)
    return managers


def _collect(ids: Any, path: str, managers: dict[str, str]) -> None:
    if isinstance(ids, list):
        for index, item in enumerate(ids):
            _collect(item, f"{path}[{index}]", managers)
    elif isinstance(ids, dict) and "resources" in ids and "workflow" in ids:
        for label, item in (ids.get("resources") or {}).items():
            _collect(item, f"{path}.{label}" if path else label, managers)
    elif isinstance(ids, dict) and "kind" in ids and "name" in ids:
        key = f"{ids.get('apiVersion')}/{ids['kind']}/{ids.get('namespace') or ''}/{ids['name']}"
        managers.setdefault(key, path)


__all__ = [
    "DEFAULT_MAX_PASSES",
    "MANAGED_RESOURCES",
    "PassReport",
    "RenderResult",
    "choose_workflow",
    "object_key",
    "render",
    "update_condition",
]
