"""W002 step-order: a step reads ``steps.x`` where ``x`` is not an earlier step.

A step may only use the results of the steps before it; Koreo refuses the Workflow
otherwise ("Step 'b', must come after c."). This holds for every expression of the step,
``skipIf``, ``forEach.itemIn``, ``refSwitch.switchOn`` and even ``state`` (where ``steps``
is not bound anyway: C007). A label that names no step at all is a typo. (Steps that read
each other are reported as a cycle, W003.)

Failing::

    steps:
      - label: deployment
        ref: {kind: ResourceFunction, name: deployment.v1}
        inputs:
          config: =steps.config
      - label: config
        ref: {kind: ValueFunction, name: config.v1}

Passing::

    steps:
      - label: config
        ref: {kind: ValueFunction, name: config.v1}
      - label: deployment
        ref: {kind: ResourceFunction, name: deployment.v1}
        inputs:
          config: =steps.config
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity, Span
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext
    from koreoctl.lint.rules._workflows import RawStep

RULE = Rule(
    "W002", "step-order", Severity.ERROR, "A step reads a step that is not before it.", "file"
)


@dataclass(frozen=True)
class StepRead:
    """Step ``reader`` (the ``index``-th step) reads ``steps.<label>`` at ``span``."""

    reader: str
    index: int
    label: str
    span: Span


def step_reads(context: FileContext, steps: list[RawStep]) -> list[StepRead]:
    """Every ``steps.<label>`` the labelled steps of one Workflow read, in any of their
    expressions: Koreo orders steps by all of them, ``state`` included."""
    from koreoctl.cel.analysis import Read

    if not steps:
        return []
    doc = steps[0].doc
    labels = {step.index: step.label for step in steps if step.label is not None}
    found = []
    for expression in context.expressions:
        site = expression.site
        if site.doc is not doc or site.step not in labels:
            continue
        for use in expression.uses:
            if isinstance(use, Read) and use.root == "steps":
                span = expression.span(use.offset)
                found.append(StepRead(labels[site.step], site.step, use.member, span))
    return found


def cyclic(reads: list[StepRead]) -> set[tuple[str, str]]:
    """The (reader, label) edges that lie on a cycle of step reads (a step reading itself
    is not a cycle: W002 reports it)."""
    graph: dict[str, set[str]] = {}
    for read in reads:
        if read.reader != read.label:
            graph.setdefault(read.reader, set()).add(read.label)
    return {
        (read.reader, read.label)
        for read in reads
        if read.reader != read.label and _reaches(graph, read.label, read.reader)
    }


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return False


def check(context: FileContext) -> Iterator[Diagnostic]:
    from koreoctl.lint.rules._workflows import workflow_steps

    for steps in workflow_steps(context):
        first: dict[str, int] = {}
        for step in steps:
            if step.label is not None:
                first.setdefault(step.label, step.index)
        reads = step_reads(context, steps)
        in_cycles = cyclic(reads)
        for read in reads:
            message = _problem(read, first, in_cycles)
            if message:
                yield Diagnostic(RULE.code, message, read.span, RULE.severity)


def _problem(read: StepRead, first: dict[str, int], in_cycles: set[tuple[str, str]]) -> str:
    reader, label = read.reader, read.label
    if label not in first:
        return f"step {reader!r} reads `steps.{label}`, but there is no step {label!r}"
    if label == reader and first[label] == read.index:
        return f"step {reader!r} reads its own result `steps.{label}`; Koreo refuses the Workflow"
    if first[label] < read.index or (reader, label) in in_cycles:
        return ""
    return (
        f"step {reader!r} reads `steps.{label}`, which comes after it; "
        f"move {reader!r} after {label!r}"
    )
