"""K007 duplicate-definition: the same (kind, namespace, name) is defined more than once.

Applying both to a cluster keeps only the last one; which one wins depends on the order
files are applied in. Reported at each later definition.

Failing::

    # functions.koreo
    kind: ValueFunction
    metadata: {name: config.v1, namespace: platform}
    # config.koreo
    kind: ValueFunction
    metadata: {name: config.v1, namespace: platform}

Passing::

    # one definition of config.v1 in platform
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
    "K007",
    "duplicate-definition",
    Severity.WARNING,
    "A resource is defined more than once.",
    "project",
)


def check(context: ProjectContext) -> Iterator[Diagnostic]:
    first: dict[tuple[str, str, str], tuple[str, int]] = {}
    for file, definition in context.definitions:
        key = (definition.kind, definition.namespace, definition.name)
        if key not in first:
            first[key] = (file, definition.at[0])
            continue
        where = f"{first[key][0]}:{first[key][1]}"
        message = (
            f"{definition.kind}:{definition.namespace}:{definition.name} is defined again "
            f"(first at {where}); the later definition is used"
        )
        yield Diagnostic(RULE.code, message, span_of(file, definition.at), RULE.severity)
