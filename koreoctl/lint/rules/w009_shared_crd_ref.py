"""W009 shared-crd-ref: several Workflows are triggered by the same kind (``crdRef``).

Each instance would be reconciled by all of them, each writing its own status conditions
and managed resources onto the same object. Versions do not matter: an object of the kind
is served in every version. Reported at each later Workflow's ``crdRef``.

Failing::

    # two Workflows with crdRef {apiGroup: example.dev, version: v1, kind: App}

Passing::

    # one Workflow per trigger kind (compose them with sub-workflow steps)
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
    "W009", "shared-crd-ref", Severity.WARNING, "Several Workflows share one crdRef.", "project"
)


def check(context: ProjectContext) -> Iterator[Diagnostic]:
    first: dict[tuple[str, str], str] = {}
    for file, workflow in context.workflows:
        if workflow.crd_ref is None:
            continue
        group, _, kind = [*workflow.crd_ref.split("/"), "", ""][:3]  # group/version/kind
        key = (group, kind)  # an object of the kind is seen in every version
        if key in first:
            message = (
                f"Workflow {workflow.name!r} is triggered by {kind}.{group}, like Workflow "
                f"{first[key]!r}"
            )
            yield Diagnostic(RULE.code, message, span_of(file, workflow.at), RULE.severity)
        else:
            first[key] = workflow.name
