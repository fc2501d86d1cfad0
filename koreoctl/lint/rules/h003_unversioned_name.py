"""H003 unversioned-name: a function, template or workflow name without a ``.vN`` suffix.

Koreo's convention is to version logic in its name (``deployment.v1``) and add ``.v2``
beside it when behaviour changes, so running Workflows keep the version they were built for.

Failing::

    metadata:
      name: deployment

Passing::

    metadata:
      name: deployment.v1
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.facts import span_of
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.project import ProjectContext

RULE = Rule(
    "H003", "unversioned-name", Severity.INFO, "A name without a `.vN` version suffix.", "project"
)
_VERSIONED = re.compile(r"\.v\d+$")
_KINDS = ("ValueFunction", "ResourceFunction", "ResourceTemplate", "Workflow")


def check(context: ProjectContext) -> Iterator[Diagnostic]:
    for file, definition in context.definitions:
        if definition.kind in _KINDS and not _VERSIONED.search(definition.name):
            message = f"{definition.kind} name {definition.name!r} has no `.vN` version suffix"
            yield Diagnostic(RULE.code, message, span_of(file, definition.at), RULE.severity)
