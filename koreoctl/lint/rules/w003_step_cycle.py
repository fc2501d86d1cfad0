"""W003 step-cycle: steps that read each other's results, directly or through others.

No order of such steps works; Koreo refuses the Workflow. Reported once per step on the
cycle, at the read that closes it.

Failing::

    steps:
      - label: a
        ref: {kind: ValueFunction, name: a.v1}
        inputs: {b: =steps.b}
      - label: b
        ref: {kind: ValueFunction, name: b.v1}
        inputs: {a: =steps.a}

Passing::

    steps:
      - label: a
        ref: {kind: ValueFunction, name: a.v1}
      - label: b
        ref: {kind: ValueFunction, name: b.v1}
        inputs: {a: =steps.a}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext

RULE = Rule(
    "W003", "step-cycle", Severity.ERROR, "Steps read each other's results in a cycle.", "file"
)


def check(context: FileContext) -> Iterator[Diagnostic]:
    from koreoctl.lint.rules._workflows import workflow_steps
    from koreoctl.lint.rules.w002_step_order import cyclic, step_reads

    for steps in workflow_steps(context):
        reads = step_reads(context, steps)
        in_cycles = cyclic(reads)
        reported: set[str] = set()
        for read in reads:
            if (read.reader, read.label) in in_cycles and read.reader not in reported:
                reported.add(read.reader)
                message = (
                    f"step {read.reader!r} reads `steps.{read.label}`, and {read.label!r} "
                    f"depends on {read.reader!r} (a cycle): no order can run them"
                )
                yield Diagnostic(RULE.code, message, read.span, RULE.severity)
