"""W007 unused-input: a step or overlayRef passes an input the function never reads.

The function's input contract is derived from its expressions (every ``inputs.x`` read);
an input outside it is dead weight or a misspelt name. Not checked for functions that use
``inputs`` as a whole, or that are not in the project. An input of a ``refSwitch`` step is
used when any of its cases (or its ``switchOn``) reads it.

Failing::

    - label: config
      ref: {kind: ValueFunction, name: config.v1}   # reads inputs.name only
      inputs:
        name: =parent.metadata.name
        nmae: =parent.metadata.name

Passing::

    - label: config
      ref: {kind: ValueFunction, name: config.v1}
      inputs:
        name: =parent.metadata.name
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.facts import Position, Reference, span_of
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.project import ProjectContext

RULE = Rule(
    "W007",
    "unused-input",
    Severity.WARNING,
    "An input is passed that the function never reads.",
    "project",
)


def check(context: ProjectContext) -> Iterator[Diagnostic]:
    # One input may be passed to several functions (the cases of a refSwitch, which its
    # switchOn may read too): it is unused only when none of them reads it.
    passed: dict[tuple[str, Position], list[tuple[str, Reference]]] = defaultdict(list)
    for file, reference in context.references:
        for key, at in (reference.inputs or {}).items():
            passed[(file, at)].append((key, reference))
    for (file, at), users in passed.items():
        key = users[0][0]
        readers = [_reads(context, reference, key) for _, reference in users]
        if all(read is False for read in readers):
            names = " or ".join(sorted({f"{r.kind} {r.name!r}" for _, r in users}))
            message = f"input {key!r} is never read by {names}"
            yield Diagnostic(RULE.code, message, span_of(file, at), RULE.severity)


def _reads(context: ProjectContext, reference: Reference, key: str) -> bool | None:
    """Whether the referenced function reads input ``key`` (None when it cannot be told)."""
    if reference.role == "switch":
        return True  # the refSwitch's switchOn reads it
    contract = context.contracts.get((reference.kind, reference.name))
    if contract is None or contract.whole:
        return None
    return key in contract.required or key in contract.optional
