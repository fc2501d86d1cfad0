"""Reconciling a Workflow once: every step run against the cluster, conditions and state built.

This is koreo-core's ``reconcile_workflow`` (``workflow/reconcile.py``) with the same outcomes,
messages and locations:

* a Workflow whose steps are not ready runs nothing and reports why (location prefixed with
  the workflow's name);
* a step with no dependencies sees ``parent`` (the trigger); one with dependencies also sees
  ``steps`` (the Ok values of the steps it reads), unless one of them is not Ok: it is then
  ``DepSkip`` with a message naming that dependency (koreoctl checks them in step order);
* ``inputs``, then ``skipIf`` (``Skip`` "skipped by workflow"), then ``forEach`` (the logic
  once per item of ``itemIn``, the item given as input ``inputKey``; the first error among the
  items is the step's outcome, else the list of their values, skips written as text) or the
  logic itself: a ValueFunction, a ResourceFunction, a sub-workflow (run on the step's inputs
  as its ``parent``; its value is its ``state``) or a ``refSwitch``;
* after all steps: each step's ``condition``, its ``state`` (merged into the workflow's state;
  failures kept as state errors), and the workflow's own ``Ready`` condition from the
  combined outcome.

Koreo runs each step (and each forEach item) as an asyncio task, a step waiting for the
ones it reads; koreoctl does the same with the same asyncio constructs (a task group, waiting
with ``asyncio.wait``), so steps run in Koreo's order: every step reading no step first, then
each step once those it reads are done, whatever order they are written in. The order is
observable: a step can read an object another step has just written in the same pass. A step
whose logic crashes the engine gives Koreo's "Unknown error" Retry, and its task group cancels
the tasks that are still waiting at that moment ("Timeout running step"). koreoctl's step
logic never waits, as Koreo's never does against an API that answers at once; Koreo's 10 s
step timeout is not modelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from koreoctl.cel import (
    EngineCrash,
    cel_string,
    copy_value,
    empty_map,
    evaluate,
    is_bool,
    is_list,
    is_map,
    is_switch_value,
    new_list,
    new_map,
    to_plain,
)
from koreoctl.engine.cluster import Cluster
from koreoctl.engine.resource_function import Owner, PluralLookup, reconcile_resource_function
from koreoctl.engine.value_function import evaluate_value_function
from koreoctl.outcome import DepSkip, Ok, Outcome, PermFail, Retry, Skip, combine, is_error
from koreoctl.program import (
    ErrorStep,
    PreparedResourceFunction,
    PreparedStep,
    PreparedSwitch,
    PreparedValueFunction,
    PreparedWorkflow,
    Program,
)

TIMEOUT_RETRY_DELAY = 30
UNKNOWN_ERROR_RETRY_DELAY = 60


@dataclass(frozen=True)
class Context:
    """What every step of one reconcile shares: the program, the cluster and the owner."""

    program: Program
    cluster: Cluster
    owner: Owner
    plural_of: PluralLookup | None = None


@dataclass(frozen=True)
class StepResult:
    """A step's outcome (an Ok holds the CEL value) and the ids of the resources it manages."""

    outcome: Outcome
    resource_ids: Any = None


@dataclass(frozen=True)
class StepRecord:
    """One top-level step as reported: its label and outcome (Ok values as plain data)."""

    label: str
    outcome: Outcome


@dataclass(frozen=True)
class WorkflowResult:
    """One reconcile of a Workflow: what the controller writes to the trigger, and the steps."""

    outcome: Outcome
    conditions: tuple[dict[str, Any], ...]
    resource_ids: dict[str, Any]
    state: Any  # a CEL map
    state_errors: dict[str, str]
    steps: tuple[StepRecord, ...] = field(default=())


def reconcile_workflow(
    context: Context, workflow_key: str, trigger: Any, workflow: PreparedWorkflow
) -> WorkflowResult:
    """Run ``workflow`` once for ``trigger`` (a CEL map: ``metadata`` and ``spec``)."""
    return _run(_reconcile_workflow(context, workflow_key, trigger, workflow))


def _run(coroutine: Coroutine[Any, Any, WorkflowResult]) -> WorkflowResult:
    """Run ``coroutine`` to the end in an event loop of its own (in another thread when this
    one already runs a loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _reconcile_workflow(
    context: Context, workflow_key: str, trigger: Any, workflow: PreparedWorkflow
) -> WorkflowResult:
    if is_error(workflow.steps_ready) or not isinstance(workflow.steps_ready, Ok):
        ready = workflow.steps_ready
        assert not isinstance(ready, Ok)
        located = _relocated(ready, f"{workflow_key}:{ready.location}")
        condition = condition_for("Ready", f"Workflow {workflow_key}", located, workflow_key)
        return WorkflowResult(located, (condition,), {}, empty_map(), {})
    results, conditions, state, state_errors = await _reconcile_steps(
        context, workflow_key, trigger, workflow.steps
    )
    overall = _combined(result.outcome for result in results.values())
    conditions.append(condition_for("Ready", f"Workflow {workflow_key}", overall, workflow_key))
    resource_ids = {
        "workflow": workflow.name,
        "resources": {label: result.resource_ids for label, result in results.items()},
    }
    records = tuple(StepRecord(label, _plain(result.outcome)) for label, result in results.items())
    return WorkflowResult(overall, tuple(conditions), resource_ids, state, state_errors, records)


async def _reconcile_steps(
    context: Context,
    workflow_key: str,
    trigger: Any,
    steps: Sequence[PreparedStep | ErrorStep],
) -> tuple[dict[str, StepResult], list[dict[str, Any]], Any, dict[str, str]]:
    if not steps:
        return {}, [], empty_map(), {}
    tasks: dict[str, asyncio.Task[StepResult]] = {}
    try:
        async with asyncio.TaskGroup() as group:
            for step in steps:
                dependencies = [tasks[label] for label in _dependencies(step)]
                tasks[step.label] = group.create_task(
                    _reconcile_step(context, workflow_key, step, trigger, dependencies),
                    name=step.label,
                )
    except Exception:  # each task's failure is read below
        pass
    results: dict[str, StepResult] = {}
    conditions: list[dict[str, Any]] = []
    state = empty_map()
    state_errors: dict[str, str] = {}
    thing = f"Workflow {workflow_key}"
    for step in steps:
        task = tasks[step.label]
        if task.cancelled():  # still waiting when a crash made the task group cancel it
            message = f"Timeout running step ({step.label}), will retry."
            results[step.label] = StepResult(Retry(TIMEOUT_RETRY_DELAY, message, workflow_key))
            conditions.append(
                condition_for("Ready", thing, results[step.label].outcome, workflow_key)
            )
            continue
        crash = _crash_of(task)
        if crash is not None:
            message = f"Unknown error ({crash.message}) running Step ({step.label}), will retry."
            results[step.label] = StepResult(
                Retry(UNKNOWN_ERROR_RETRY_DELAY, message, workflow_key)
            )
            conditions.append(
                condition_for("Ready", thing, results[step.label].outcome, workflow_key)
            )
            continue
        result = results[step.label] = task.result()
        if step.condition is not None:
            conditions.append(
                condition_for(
                    step.condition.type, step.condition.name, result.outcome, workflow_key
                )
            )
        if step.state is not None and isinstance(result.outcome, Ok):
            _merge_state(step, result.outcome.value, state, state_errors)
    return results, conditions, state, state_errors


def _dependencies(step: PreparedStep | ErrorStep) -> tuple[str, ...]:
    return step.dependencies if isinstance(step, PreparedStep) else ()


def _crash_of(task: asyncio.Task[StepResult]) -> EngineCrash | None:
    """The engine crash that ended ``task`` (done, not cancelled), if any; any other
    exception is a koreoctl bug and is raised again."""
    error = task.exception()
    if error is None or isinstance(error, EngineCrash):
        return error
    raise error


def _merge_state(
    step: PreparedStep | ErrorStep, value: Any, state: Any, errors: dict[str, str]
) -> None:
    assert isinstance(step, PreparedStep) and step.state is not None
    step_state = evaluate(step.state, {"value": value}, f"{step.label}:state")
    if isinstance(step_state, PermFail):
        errors[step.label] = f"{step_state.message} at {step_state.location}"
    elif is_map(step_state):
        state.update(step_state)
    else:
        errors[step.label] = f"Invalid state type ({type(step_state)})"


async def _reconcile_step(
    context: Context,
    workflow_key: str,
    step: PreparedStep | ErrorStep,
    trigger: Any,
    dependencies: list[asyncio.Task[StepResult]],
) -> StepResult:
    location = f"{workflow_key}.spec.steps.{step.label}"
    if isinstance(step, ErrorStep):
        return StepResult(step.outcome)
    scope: dict[str, Any] = {"parent": trigger}
    if dependencies:
        await asyncio.wait(dependencies)
        ready = new_map()
        for label, dependency in zip(step.dependencies, dependencies, strict=True):
            outcome = dependency.result().outcome
            if not isinstance(outcome, Ok):
                return StepResult(_waiting(label, outcome, location))
            ready[cel_string(label)] = outcome.value
        scope = {"steps": ready, "parent": trigger}
    inputs = empty_map()
    if step.inputs is not None:
        inputs = evaluate(step.inputs, scope, f"{location}.inputs")
        if isinstance(inputs, PermFail):
            return StepResult(inputs)
    if step.skip_if is not None:
        should_skip = evaluate(step.skip_if, scope, f"{location}.skipIf")
        if isinstance(should_skip, PermFail):
            return StepResult(should_skip)
        if not is_bool(should_skip):
            message = (
                f"`skipIf` must evaluate to a bool, received '{should_skip}' a {type(should_skip)}"
            )
            return StepResult(PermFail(message, f"{location}.skipIf"))
        if should_skip:
            return StepResult(Skip("skipped by workflow"))
    if step.for_each is not None:
        return await _for_each(context, workflow_key, step, location, scope, inputs)
    return await _run_logic(context, workflow_key, step.logic, location, inputs, scope)


def _waiting(label: str, outcome: Outcome, location: str) -> DepSkip:
    """The DepSkip of a step whose dependency ``label`` ended in ``outcome`` (not Ok)."""
    assert not isinstance(outcome, Ok)
    detail = f"{outcome.message} at {outcome.location}"
    match outcome:
        case DepSkip():
            message = f"'{label}' is waiting on dependency ({detail})."
        case Skip():
            message = f"'{label}' was skipped ({detail})."
        case Retry():
            message = f"'{label}' is waiting ({detail})."
        case _:
            message = f"'{label}' is in failure state ({detail})."
    return DepSkip(message, location)


async def _run_logic(
    context: Context,
    workflow_key: str,
    logic: Any,
    location: str,
    inputs: Any,
    scope: dict[str, Any],
) -> StepResult:
    match logic:
        case PreparedWorkflow():
            sub = await _reconcile_workflow(context, workflow_key, inputs, logic)
            if isinstance(sub.outcome, Ok):
                return StepResult(Ok(sub.state), sub.resource_ids)
            return StepResult(sub.outcome, sub.resource_ids)
        case PreparedResourceFunction():
            run = reconcile_resource_function(
                context.program,
                logic,
                context.cluster,
                inputs,
                location,
                context.owner,
                context.plural_of,
            )
            outcome = Ok(run.value) if isinstance(run.outcome, Ok) else run.outcome
            return StepResult(outcome, run.resource_id)
        case PreparedValueFunction():
            value = evaluate_value_function(context.program.env, logic, inputs, location)
            return StepResult(value if isinstance(value, Outcome) else Ok(value))
        case PreparedSwitch():
            return await _switch(context, workflow_key, logic, location, inputs, scope)
    raise TypeError(f"not step logic: {logic!r}")


async def _switch(
    context: Context,
    workflow_key: str,
    switch: PreparedSwitch,
    location: str,
    inputs: Any,
    scope: dict[str, Any],
) -> StepResult:
    location = f"{location}.refSwitch"
    value = evaluate(switch.switch_on, {"inputs": inputs, **scope}, f"{location}.switchOn")
    if isinstance(value, PermFail):
        return StepResult(value)
    if not is_switch_value(value):
        message = (
            f"`switchOn` must evaluate to a string or int value, received '{value}' a {type(value)}"
        )
        return StepResult(PermFail(message, f"{location}.switchOn"))
    logic = switch.pick(value)
    if logic is None:
        message = (
            "`refSwitch` must match one case or a default must be provided, "
            f"failed to match '{value}' a {type(value)}. "
            "Use a `skipIf` guard if this is expected."
        )
        return StepResult(PermFail(message, f"{location}.<match-case>"))
    return await _run_logic(context, workflow_key, logic, f"{location}['{value}']", inputs, scope)


async def _for_each(
    context: Context,
    workflow_key: str,
    step: PreparedStep,
    location: str,
    scope: dict[str, Any],
    inputs: Any,
) -> StepResult:
    assert step.for_each is not None
    items = evaluate(step.for_each.item_in, scope, f"{step.label}.forEach.itemIn")
    if isinstance(items, PermFail):
        return StepResult(items)
    if not is_list(items):
        message = f"Step `{location}.forEach.itemIn` must be a list-type, received {type(items)}."
        return StepResult(PermFail(message, location))
    if not items:
        return StepResult(Ok(new_list()))
    key = cel_string(step.for_each.input_key)
    tasks: list[asyncio.Task[StepResult]] = []
    try:
        async with asyncio.TaskGroup() as group:
            for index, item in enumerate(items):
                iterated = copy_value(inputs)
                iterated[key] = item
                logic = _run_logic(
                    context, workflow_key, step.logic, f"{location}[{index}]", iterated, scope
                )
                tasks.append(group.create_task(logic, name=f"{step.label}-{index}"))
    except Exception:  # each item's failure is read below
        pass
    await asyncio.wait(tasks)
    results: list[StepResult] = []
    for task in tasks:
        name = task.get_name()
        if task.cancelled():  # still waiting when another item crashed
            message = f"Timeout running step ({name}), will retry."
            results.append(StepResult(Retry(TIMEOUT_RETRY_DELAY, message, workflow_key)))
        elif (crash := _crash_of(task)) is not None:
            message = f"Error ({crash.message}) running Step ({name}), will retry."
            results.append(StepResult(Retry(UNKNOWN_ERROR_RETRY_DELAY, message, workflow_key)))
        else:
            results.append(task.result())
    resource_ids = [result.resource_ids for result in results]
    errors = [result.outcome for result in results if is_error(result.outcome)]
    if errors:
        return StepResult(combine(errors), resource_ids)
    values = new_list(_item_value(result.outcome) for result in results)
    return StepResult(Ok(values), resource_ids)


def _item_value(outcome: Outcome) -> Any:
    """A forEach item's entry in the step's value: its value, or a skip as Koreo prints it."""
    match outcome:
        case Ok(value=value):
            return value
        case DepSkip(message=message):
            return cel_string(
                f"Dependency Skip (message={message})" if message else "Dependency Violation Skip"
            )
        case Skip(message=message):
            return cel_string(f"Skip (message={message})" if message else "User Skip")
    raise TypeError(f"not a forEach item outcome: {outcome!r}")


def _combined(outcomes: Any) -> Outcome:
    """The workflow's outcome: its steps' outcomes combined (an all-Ok result holds nothing)."""
    combined = combine(list(outcomes))
    return Ok(None) if isinstance(combined, Ok) else combined


def _relocated(outcome: Outcome, location: str) -> Outcome:
    match outcome:
        case Retry():
            return Retry(outcome.delay, outcome.message, location)
        case PermFail():
            return PermFail(outcome.message, location)
        case Skip():
            return Skip(outcome.message, location)
        case DepSkip():
            return DepSkip(outcome.message, location)
    return outcome


def _plain(outcome: Outcome) -> Outcome:
    return Ok(to_plain(outcome.value), outcome.location) if isinstance(outcome, Ok) else outcome


def condition_for(
    condition_type: str, thing: str, outcome: Outcome, workflow_key: str
) -> dict[str, Any]:
    """The status condition Koreo reports for ``thing`` given its ``outcome``.

    Koreo's conditions always have status "True"; the reason carries the meaning.
    """
    location: str | None = workflow_key
    match outcome:
        case DepSkip(message=message):
            reason = "DepSkip"
            text = f"{thing} awaiting dependencies to be ready."
            if message:
                text = f"{thing} awaiting dependencies to be ready ({message})"
            location = outcome.location
        case Skip(message=message):
            reason = "Skip"
            text = f"Skipping {thing}: {message}" if message else f"{thing} management is disabled."
            location = outcome.location
        case Retry(message=message):
            reason = "Wait"
            text = (
                f"Awaiting {thing} to be ready ({message})."
                if message
                else (f"Awaiting {thing} to be ready.")
            )
            location = outcome.location
        case PermFail(message=message):
            reason = "Failure"
            text = f"Unrecoverable error reconciling {thing}. ({message})."
            location = outcome.location
        case _:
            reason = "Ready"
            text = f"{thing} ready."
    return {
        "type": condition_type,
        "reason": reason,
        "message": text,
        "status": "True",
        "location": location,
    }


__all__ = [
    "Context",
    "StepRecord",
    "StepResult",
    "WorkflowResult",
    "condition_for",
    "reconcile_workflow",
]
