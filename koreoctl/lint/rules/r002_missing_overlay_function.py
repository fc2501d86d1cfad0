"""R002 missing-overlay-function: an ``overlayRef`` names a ValueFunction that is not defined.

Koreo keeps retrying the ResourceFunction ("ValueFunction:x not ready"). Reported at the name.

Failing::

    overlays:
      - overlayRef: {kind: ValueFunction, name: labels.v2}   # not defined

Passing::

    overlays:
      - overlayRef: {kind: ValueFunction, name: labels.v1}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.project import ProjectContext

RULE = Rule(
    "R002",
    "missing-overlay-function",
    Severity.ERROR,
    "An overlayRef names a ValueFunction that is not defined.",
    "project",
)


def check(context: ProjectContext) -> Iterator[Diagnostic]:
    for span, reference, hint in context.unresolved("overlay"):
        message = f"overlayRef ValueFunction {reference.name!r} is not defined{hint}"
        yield Diagnostic(RULE.code, message, span, RULE.severity)
