"""Preparing Workflows: steps compiled, references resolved, load failures as Koreo reports them.

Koreo prepares a Workflow step by step, in the order written (koreo-core
``workflow/prepare.py``). A step that cannot be prepared becomes an ``ErrorStep`` holding the
outcome Koreo gives it: a duplicate label, an expression that does not parse, a reference to a
function that is missing (``Retry``, "not cached") or failed to load (``Retry``, "not
healthy"), or a read of ``steps.X`` where X is not an earlier step. Any ErrorStep makes the
whole Workflow not ready (``steps_ready``): it then runs no step at all.

A step depends on the earlier steps its expressions read (``steps.X`` in ``inputs``,
``skipIf``, ``forEach.itemIn``, ``state`` or a ``refSwitch``'s ``switchOn``); dependencies are
kept in step order, which is the order koreoctl reports a waiting dependency in (Koreo walks a
set, so with several non-ready dependencies the one it names varies).

References are resolved as on a controller that has loaded everything: a Workflow defined
later in the files is found. A Workflow that (through sub-workflows) runs itself never reaches
a ready state on a controller; koreoctl refuses it with a PermFail naming the cycle.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from koreoctl.cel import CelEnv, Template, Unanalysable
from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.model.common import Header, Value
from koreoctl.model.workflow import CrdRef, LogicRef, Step, StepCondition, Workflow
from koreoctl.outcome import Ok, Outcome, PermFail, Retry, combine
from koreoctl.program.compiling import CompileFailure, compile_value
from koreoctl.program.functions import (
    PreparedResourceFunction,
    PreparedValueFunction,
    Unloadable,
)

_STEP_NAME = re.compile(r"steps.(?P<name>[^.[]+)?\[?.*")

NOT_CACHED_DELAY = 15
NOT_HEALTHY_DELAY = 180


@dataclass(frozen=True)
class ErrorStep:
    """A step Koreo could not prepare, and the outcome it gives instead."""

    label: str
    outcome: Retry | PermFail
    condition: None = None
    state: None = None


@dataclass(frozen=True)
class PreparedSwitch:
    """A ``refSwitch``: the logic for each case value, and the default."""

    switch_on: Template
    cases: tuple[tuple[Any, Logic], ...]
    default: Logic | None

    def pick(self, value: Any) -> Logic | None:
        """The logic for ``value`` (the first case equal to it, as Koreo's dict lookup)."""
        for case, logic in reversed(self.cases):  # a later duplicate case replaced an earlier
            if _same_key(case, value):
                found: Logic = logic
                return found
        return self.default


@dataclass(frozen=True)
class PreparedForEach:
    """``forEach``: the list to iterate and the input key each item is given as."""

    item_in: Template
    input_key: str


@dataclass(frozen=True)
class PreparedStep:
    """A step ready to run; ``dependencies`` are the earlier steps it reads, in step order."""

    label: str
    logic: Logic
    skip_if: Template | None
    for_each: PreparedForEach | None
    inputs: Template | None
    condition: StepCondition | None
    state: Template | None
    dependencies: tuple[str, ...]
    model: Step


@dataclass(frozen=True)
class PreparedWorkflow:
    """A Workflow with its steps prepared; ``steps_ready`` is Ok, or why no step runs."""

    model: Workflow
    steps_ready: Outcome
    steps: tuple[AnyStep, ...]

    @property
    def header(self) -> Header:
        return self.model.header

    @property
    def name(self) -> str:
        return self.model.header.name

    @property
    def crd_ref(self) -> CrdRef | None:
        return self.model.crd_ref


Logic: TypeAlias = (
    PreparedValueFunction | PreparedResourceFunction | PreparedWorkflow | PreparedSwitch
)
AnyStep: TypeAlias = PreparedStep | ErrorStep
Lookup = Callable[[str, str], Any]
"""(kind, name) -> the prepared ValueFunction, ResourceFunction or Workflow, Unloadable, or None."""


class _StepFailed(Exception):
    def __init__(self, outcome: Retry | PermFail) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


def prepare_workflow(env: CelEnv, model: Workflow, lookup: Lookup) -> PreparedWorkflow | Unloadable:
    """Prepare ``model``'s steps in order, resolving references with ``lookup``."""
    known: list[str] = []
    steps: list[AnyStep] = []
    try:
        for step in model.steps:
            if step.label in known:
                message = f"Duplicate step-label ({step.label}) can not prepare Workflow."
                steps.append(ErrorStep(step.label, PermFail(message)))
                continue
            steps.append(_prepare_step(env, step, known, lookup))
            known.append(step.label)
    except Unanalysable as reason:
        diagnostic = Diagnostic(
            "C002",
            f"Koreo cannot analyse an expression of this Workflow ({reason}), so it never "
            "loads it; rewrite the expression",
            model.header.at.span,
            Severity.ERROR,
        )
        return Unloadable(model.header, None, (diagnostic,))
    failures = [step.outcome for step in steps if isinstance(step, ErrorStep)]
    ready: Outcome = Ok(None)
    if failures:
        ready = combine(failures)
    if not model.steps:
        message = "No steps specified Workflow at least one step in 'spec.steps' is required."
        ready = combine([ready, PermFail(message)])
    return PreparedWorkflow(model, ready, tuple(steps))


def _prepare_step(env: CelEnv, step: Step, known: list[str], lookup: Lookup) -> AnyStep:
    where = f"spec.steps['{step.label}']"
    needed: set[str] = set()
    try:
        logic: Logic
        if step.ref is not None:
            logic = _logic(step.ref, where, lookup)
        else:
            assert step.ref_switch is not None
            switch_on = _expression(env, step.ref_switch.switch_on, where)
            if switch_on is None:
                message = f"Missing `{where}.switchOn`, can not prepare Workflow."
                raise _StepFailed(PermFail(message, f"{where}.switchOn"))
            logic = _switch(step, switch_on, where, lookup)
            needed |= _steps_read(switch_on)
        skip_if = _expression(env, step.skip_if, f"{where}.skipIf")
        needed |= _steps_read(skip_if)
        for_each = _for_each(env, step)
        if for_each is not None:
            needed |= _steps_read(for_each.item_in)
        inputs = _map_expression(env, step.inputs, f"{where}.inputs")
        needed |= _steps_read(inputs)
        state = _map_expression(env, step.state, f"{where}.state")
        needed |= _steps_read(state)
    except _StepFailed as failed:
        return ErrorStep(step.label, failed.outcome)
    missing = sorted(needed.difference(known))
    if missing:
        message = f"Step '{step.label}', must come after {', '.join(missing)}."
        return ErrorStep(step.label, PermFail(message, where))
    return PreparedStep(
        label=step.label,
        logic=logic,
        skip_if=skip_if,
        for_each=for_each,
        inputs=inputs,
        condition=step.condition,
        state=state,
        dependencies=tuple(label for label in known if label in needed),
        model=step,
    )


def _logic(
    ref: LogicRef, where: str, lookup: Lookup
) -> PreparedValueFunction | PreparedResourceFunction | PreparedWorkflow:
    location = f"{where}.{ref.kind}:{ref.name}"
    found = lookup(ref.kind, ref.name)
    if found is None or (isinstance(found, Unloadable) and found.failure is None):
        message = f"'{ref.kind}:{ref.name}' not cached; will retry."
        raise _StepFailed(Retry(NOT_CACHED_DELAY, message, location))
    if isinstance(found, Unloadable):
        assert found.failure is not None
        message = f"'{ref.kind}:{ref.name}' is not healthy ({found.failure.message}); will retry."
        raise _StepFailed(Retry(NOT_HEALTHY_DELAY, message, location))
    if isinstance(found, PermFail | Retry):  # a cycle of sub-workflows
        raise _StepFailed(found)
    assert isinstance(found, PreparedValueFunction | PreparedResourceFunction | PreparedWorkflow)
    return found


def _switch(step: Step, switch_on: Template, where: str, lookup: Lookup) -> PreparedSwitch:
    assert step.ref_switch is not None
    cases: list[tuple[Any, Logic]] = []
    failures: list[Retry | PermFail] = []
    default: Logic | None = None
    seen_default = False
    for index, case in enumerate(step.ref_switch.cases):
        if case.default and seen_default:
            message = f"Only one case in `{where}.cases` may be default, can not prepare Workflow."
            raise _StepFailed(PermFail(message, f"{where}.cases[{index}].default"))
        try:
            logic: Logic = _logic(case.ref, f"{where}[{index}]", lookup)
        except _StepFailed as failed:
            failures.append(failed.outcome)
            seen_default = seen_default or case.default
            continue
        cases.append((case.case, logic))
        if case.default:
            default, seen_default = logic, True
    if not step.ref_switch.cases:
        message = f"Must specify at least one case in `{where}.cases`, can not prepare Workflow."
        raise _StepFailed(PermFail(message, f"{where}.cases"))
    if failures:
        combined = combine(failures)
        assert isinstance(combined, Retry | PermFail)
        raise _StepFailed(combined)
    return PreparedSwitch(switch_on, tuple(cases), default)


def _for_each(env: CelEnv, step: Step) -> PreparedForEach | None:
    if step.for_each is None:
        return None
    where = f"{step.label}.forEach.itemIn"
    item_in = step.for_each.item_in
    if not item_in.data:
        message = f"Empty `{where}`, can not prepare Workflow."
        raise _StepFailed(PermFail(message))
    compiled = compile_value(env, item_in, where)
    if isinstance(compiled, CompileFailure):
        raise _StepFailed(PermFail(f"Error preparing `{where}`: {compiled.message}."))
    if not step.for_each.input_key:
        message = f"Missing `{step.label}.forEach.inputKey`, can not prepare Workflow."
        raise _StepFailed(PermFail(message))
    return PreparedForEach(compiled, step.for_each.input_key)


def _expression(env: CelEnv, value: Value | None, where: str) -> Template | None:
    if value is None or not value.data:
        return None
    compiled = compile_value(env, value, where)
    if isinstance(compiled, CompileFailure):
        raise _StepFailed(PermFail(compiled.message))
    return compiled


def _map_expression(env: CelEnv, value: Value | None, where: str) -> Template | None:
    if value is None or not value.data:
        return None
    if not isinstance(value.data, dict):
        raise _StepFailed(PermFail(f"Malformed {where}, expected a mapping"))
    return _expression(env, value, where)


def _steps_read(template: Template | None) -> set[str]:
    """The step labels an expression reads (``steps.X``), as Koreo derives them."""
    if template is None:
        return set()
    names: set[str] = set()
    for program in template.programs():
        paths = program.reads
        if isinstance(paths, Unanalysable):
            raise paths
        for path in paths:
            match = _STEP_NAME.match(path)
            if match and match.group("name"):
                names.add(match.group("name"))
    return names


def _same_key(case: Any, value: Any) -> bool:
    """Whether a dict keyed by ``case`` would find ``value`` (str and int keys, as YAML
    gives them; CEL strings and ints hash and compare as Python's)."""
    try:
        return bool(hash(case) == hash(value) and case == value)
    except TypeError:
        return False


__all__ = [
    "AnyStep",
    "ErrorStep",
    "Logic",
    "PreparedForEach",
    "PreparedStep",
    "PreparedSwitch",
    "PreparedWorkflow",
    "prepare_workflow",
]
