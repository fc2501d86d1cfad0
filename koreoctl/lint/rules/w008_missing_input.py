"""W008 missing-input: a step or overlayRef does not pass an input the function needs.

The function reads ``inputs.x`` outside any ``has()`` guard, so without it the expression
fails. An overlayRef must pass every input its ValueFunction reads, guarded or not: Koreo
refuses it otherwise ("expected the following inputs"). A step's ``forEach.inputKey``
counts as passed. Reported at the referenced name.

Failing::

    - label: deployment
      ref: {kind: ResourceFunction, name: deployment.v1}   # reads inputs.image
      inputs:
        name: =parent.metadata.name

Passing::

    - label: deployment
      ref: {kind: ResourceFunction, name: deployment.v1}
      inputs:
        name: =parent.metadata.name
        image: =parent.spec.image
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.facts import span_of
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.project import ProjectContext

RULE = Rule(
    "W008", "missing-input", Severity.ERROR, "An input the function needs is not passed.", "project"
)


def check(context: ProjectContext) -> Iterator[Diagnostic]:
    for file, reference in context.references:
        if reference.role not in ("step", "overlay") or reference.inputs is None:
            continue
        contract = context.contracts.get((reference.kind, reference.name))
        if contract is None:
            continue
        needed = list(contract.required)
        if reference.role == "overlay":  # Koreo checks every input read, has() or not
            needed = sorted({*contract.required, *contract.optional})
        missing = [name for name in needed if name not in reference.inputs]
        if missing:
            names = ", ".join(f"`{name}`" for name in missing)
            what = "overlayRef " if reference.role == "overlay" else ""
            message = (
                f"{what}{reference.kind} {reference.name!r} reads inputs {names}, "
                "which are not passed"
            )
            yield Diagnostic(RULE.code, message, span_of(file, reference.at), RULE.severity)
