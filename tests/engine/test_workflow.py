"""The Workflow engine (``koreoctl.engine.workflow``) and Workflow preparation
(``koreoctl.program.workflows``) where the conformance renders do not reach.

Expected values come from koreo-core 0.1.17's source, not from koreoctl: the condition
wording from ``workflow/reconcile.py`` ``_condition_helper``, skip encodings from
``result.py`` (``Skip.__str__``, ``DepSkip.__str__``), the not-ready location from
``reconcile_workflow`` (``f"{workflow_key}:{location}"``), run order and cancellation from
how asyncio schedules the tasks ``_reconcile_steps`` creates. Sub-workflow cycles are
koreoctl's own answer (a controller never settles on one), as its docstring says.
"""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from typing import Any

import pytest

from koreoctl.api import load
from koreoctl.cel import EngineCrash
from koreoctl.engine import workflow as engine
from koreoctl.engine.workflow import condition_for
from koreoctl.outcome import DepSkip, Ok, Outcome, PermFail, Retry, Skip
from koreoctl.program import PreparedStep, PreparedWorkflow
from koreoctl.render import RenderResult, render

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: features.features.koreoctl.dev
spec:
  group: features.koreoctl.dev
  names: {kind: Feature, plural: features, singular: feature}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
            status: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""

ECHO = """\
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: echo
spec:
  return:
    said: =inputs.text
"""


def trigger(spec: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "features.koreoctl.dev/v1",
        "kind": "Feature",
        "metadata": {"name": "demo", "namespace": "features", "uid": "u-1"},
        "spec": spec or {},
    }


def workflow_doc(name: str, steps: str) -> str:
    return (
        "apiVersion: koreo.dev/v1beta1\nkind: Workflow\n"
        f"metadata:\n  name: {name}\nspec:\n  steps:\n" + textwrap.indent(steps, "    ")
    )


def step(label: str, text: str = "x", extra: str = "") -> str:
    body = f"- label: {label}\n  ref: {{kind: ValueFunction, name: echo}}\n"
    body += f"  inputs:\n    text: {text}\n"
    return body + textwrap.indent(extra, "  ")


def render_project(
    tmp_path: Path, *documents: str, workflow: str, spec: dict[str, Any] | None = None
) -> RenderResult:
    (tmp_path / "crds").mkdir(exist_ok=True)
    (tmp_path / "crds" / "feature.yaml").write_text(CRD)
    (tmp_path / "in").mkdir(exist_ok=True)
    (tmp_path / "in" / "program.koreo").write_text("\n---\n".join(documents))
    loaded = load([str(tmp_path)])
    return render(loaded.program, loaded.crds, trigger(spec), workflow=workflow, max_passes=2)


def first_pass_steps(result: RenderResult) -> dict[str, Outcome]:
    return {record.label: record.outcome for record in result.passes[0].steps}


def prepared(tmp_path: Path, *documents: str, name: str) -> PreparedWorkflow:
    (tmp_path / "in").mkdir(exist_ok=True)
    (tmp_path / "in" / "program.koreo").write_text("\n---\n".join(documents))
    found = load([str(tmp_path)]).program.workflows.find(name)
    assert isinstance(found, PreparedWorkflow)
    return found


# --- condition wording (_condition_helper) -----------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "reason", "message", "location"),
    [
        (Ok({"a": 1}), "Ready", "Thing ready.", "wf"),
        (Skip("not now", "here"), "Skip", "Skipping Thing: not now", "here"),
        (Skip(), "Skip", "Thing management is disabled.", None),
        (Skip(""), "Skip", "Thing management is disabled.", None),
        (
            DepSkip("'a' was skipped", "there"),
            "DepSkip",
            "Thing awaiting dependencies to be ready ('a' was skipped)",
            "there",
        ),
        (DepSkip(), "DepSkip", "Thing awaiting dependencies to be ready.", None),
        (Retry(5, "later", "where"), "Wait", "Awaiting Thing to be ready (later).", "where"),
        (Retry(5), "Wait", "Awaiting Thing to be ready.", None),
        (
            PermFail("broken", "at"),
            "Failure",
            "Unrecoverable error reconciling Thing. (broken).",
            "at",
        ),
        (PermFail(), "Failure", "Unrecoverable error reconciling Thing. (None).", None),
    ],
)
def test_condition_wording_for_each_outcome(
    outcome: Outcome, reason: str, message: str, location: str | None
) -> None:
    assert condition_for("MyType", "Thing", outcome, "wf") == {
        "type": "MyType",
        "reason": reason,
        "message": message,
        "status": "True",
        "location": location,
    }


# --- not-ready Workflows ------------------------------------------------------------------


def test_a_not_ready_workflow_is_located_under_its_name_even_without_a_location(
    tmp_path: Path,
) -> None:
    steps = step("same") + step("same")
    result = render_project(tmp_path, ECHO, workflow_doc("dup", steps), workflow="dup")
    assert result.outcome == PermFail(
        "Duplicate step-label (same) can not prepare Workflow.", "dup:None"
    )
    assert result.passes[0].steps == ()  # nothing runs
    status = result.trigger["status"]
    assert [c["location"] for c in status["conditions"]] == ["dup:None"]
    assert status["koreo"]["locations"] == "dup:None"


def test_a_step_reading_a_later_step_is_located_at_the_step(tmp_path: Path) -> None:
    steps = step("early", "=steps.late.said") + step("late")
    result = render_project(tmp_path, ECHO, workflow_doc("wf", steps), workflow="wf")
    assert result.outcome == PermFail(
        "Step 'early', must come after late.", "wf:spec.steps['early']"
    )


def test_must_come_after_names_the_later_steps_sorted(tmp_path: Path) -> None:
    # Koreo joins a set (the order varies with the hash seed); koreoctl sorts.
    steps = step("early", "=steps.zed.said + steps.abe.said") + step("zed") + step("abe")
    found = prepared(tmp_path, ECHO, workflow_doc("wf", steps), name="wf")
    assert found.steps_ready == PermFail(
        "Step 'early', must come after abe, zed.", "spec.steps['early']"
    )


def test_dependencies_are_kept_in_step_order(tmp_path: Path) -> None:
    steps = (
        step("cee")
        + step("abe")
        + step("both", "=steps.abe.said", "skipIf: =steps.cee.said == 'no'\n")
    )
    found = prepared(tmp_path, ECHO, workflow_doc("wf", steps), name="wf")
    last = found.steps[-1]
    assert isinstance(last, PreparedStep)
    assert last.dependencies == ("cee", "abe")


# --- sub-workflow cycles (koreoctl's own answer) ------------------------------------------


def test_a_cycle_of_sub_workflows_is_a_permfail_naming_it(tmp_path: Path) -> None:
    calls_b = "- label: call_b\n  ref: {kind: Workflow, name: b}\n"
    calls_a = "- label: call_a\n  ref: {kind: Workflow, name: a}\n"
    documents = (workflow_doc("a", calls_b), workflow_doc("b", calls_a))
    result = render_project(tmp_path, *documents, workflow="a")
    # a is ready (b exists); b's step cannot be prepared, so b, run by a, is not ready: its
    # failure is located under the Workflow running it, as any not-ready sub-workflow's.
    cycle = PermFail("Workflow cycle (a -> b -> a) can not prepare Workflow.", "a:None")
    assert first_pass_steps(result) == {"call_b": cycle}
    assert result.outcome == cycle
    direct = render_project(tmp_path, *documents, workflow="b")
    assert direct.outcome == PermFail(
        "Workflow cycle (a -> b -> a) can not prepare Workflow.", "b:None"
    )


def test_a_workflow_running_itself_is_a_cycle(tmp_path: Path) -> None:
    selfish = workflow_doc("s", "- label: again\n  ref: {kind: Workflow, name: s}\n")
    result = render_project(tmp_path, selfish, workflow="s")
    assert result.outcome == PermFail("Workflow cycle (s -> s) can not prepare Workflow.", "s:None")


# --- forEach ------------------------------------------------------------------------------


def test_for_each_items_that_skip_are_encoded_as_koreo_prints_them(tmp_path: Path) -> None:
    skipper = """\
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: skipper
spec:
  preconditions:
    - assert: =inputs.item != "skip"
      skip: {message: skipped it}
    - assert: =inputs.item != "skip-quietly"
      skip: {message: ""}
    - assert: =inputs.item != "depskip"
      depSkip: {message: waits}
    - assert: =inputs.item != "depskip-quietly"
      depSkip: {message: ""}
  return:
    item: =inputs.item
"""
    steps = """\
- label: items
  ref: {kind: ValueFunction, name: skipper}
  forEach:
    itemIn: '=["ok", "skip", "skip-quietly", "depskip", "depskip-quietly"]'
    inputKey: item
  state:
    items: =value
"""
    result = render_project(tmp_path, skipper, workflow_doc("wf", steps), workflow="wf")
    assert result.outcome == Ok(None)
    assert result.trigger["status"]["state"]["items"] == [
        {"item": "ok"},
        "Skip (message=skipped it)",
        "User Skip",
        "Dependency Skip (message=waits)",
        "Dependency Violation Skip",
    ]


# --- evaluation order within a step -------------------------------------------------------


def test_inputs_are_evaluated_before_skip_if(tmp_path: Path) -> None:
    steps = step("guarded", "=parent.spec.missing", "skipIf: =true\n")
    result = render_project(tmp_path, ECHO, workflow_doc("wf", steps), workflow="wf")
    outcome = first_pass_steps(result)["guarded"]
    assert isinstance(outcome, PermFail)  # not Skip: skipIf is never evaluated
    assert str(outcome.message).startswith(
        "Error evaluating `wf.spec.steps.guarded.inputs` (at parent.spec.missing)"
    )
    assert outcome.location == "parent.spec.missing"


def test_a_later_duplicate_switch_case_replaces_the_earlier(tmp_path: Path) -> None:
    other = ECHO.replace("name: echo", "name: other").replace("=inputs.text", "other")
    steps = """\
- label: switch
  refSwitch:
    switchOn: =parent.spec.pick
    cases:
      - {case: a, kind: ValueFunction, name: echo}
      - {case: a, kind: ValueFunction, name: other}
  inputs: {text: first}
  state:
    said: =value.said
"""
    documents = (ECHO, other, workflow_doc("wf", steps))
    result = render_project(tmp_path, *documents, workflow="wf", spec={"pick": "a"})
    assert result.trigger["status"]["state"] == {"said": "other"}  # Koreo's dict: last wins


# --- run order and crashes (asyncio, as Koreo) ---------------------------------------------


def test_steps_run_in_koreo_order_not_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []
    real = engine.evaluate_value_function

    def recording(env: Any, function: Any, inputs: Any, location: str) -> Any:
        ran.append(location.rsplit(".", 1)[-1])
        return real(env, function, inputs, location)

    monkeypatch.setattr(engine, "evaluate_value_function", recording)
    steps = (
        step("first")
        + step("reads_first", "=steps.first.said")
        + step("free")
        + step("reads_both", "=steps.reads_first.said + steps.free.said")
    )
    result = render_project(tmp_path, ECHO, workflow_doc("wf", steps), workflow="wf")
    assert result.outcome == Ok(None)
    # Every task starts at once; those reading no step finish in their first turn, the
    # others once what they wait for is done.
    assert ran[:4] == ["first", "free", "reads_first", "reads_both"]


def test_a_crash_cancels_the_steps_still_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = engine.evaluate_value_function

    def crashing(env: Any, function: Any, inputs: Any, location: str) -> Any:
        if location.endswith(".boom"):
            raise EngineCrash("IndexError", "list index out of range", "test")
        return real(env, function, inputs, location)

    monkeypatch.setattr(engine, "evaluate_value_function", crashing)
    steps = (
        step("before")
        + step("reads_before", "=steps.before.said")
        + step("boom")
        + step("after")
        + step("reads_boom", "=steps.boom.said")
    )
    result = render_project(tmp_path, ECHO, workflow_doc("wf", steps), workflow="wf")
    # In the first turn `before`, `boom` (raising) and `after` run to the end; the two steps
    # reading others are waiting (`reads_before` for its turn to resume) when the task
    # group, told of the crash, cancels them: one written before the crash too.
    assert first_pass_steps(result) == {
        "before": Ok({"said": "x"}),
        "reads_before": Retry(30, "Timeout running step (reads_before), will retry.", "wf"),
        "boom": Retry(
            60, "Unknown error (list index out of range) running Step (boom), will retry.", "wf"
        ),
        "after": Ok({"said": "x"}),
        "reads_boom": Retry(30, "Timeout running step (reads_boom), will retry.", "wf"),
    }


def test_a_koreoctl_bug_in_a_step_is_raised_not_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(env: Any, function: Any, inputs: Any, location: str) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(engine, "evaluate_value_function", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        render_project(tmp_path, ECHO, workflow_doc("wf", step("only")), workflow="wf")


def test_a_render_can_run_inside_an_event_loop(tmp_path: Path) -> None:
    async def inside() -> RenderResult:
        return render_project(tmp_path, ECHO, workflow_doc("wf", step("only")), workflow="wf")

    result = asyncio.run(inside())
    assert result.outcome == Ok(None)
