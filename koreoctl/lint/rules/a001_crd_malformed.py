"""A001 crd-malformed: A CustomResourceDefinition the API server would not accept.

It lacks spec.group, spec.names.kind/plural or spec.versions, or a version has no name or
schema; its kind is then not validated.

Failing::

    kind: CustomResourceDefinition
    spec:
      names: {kind: Thing}

Passing::

    kind: CustomResourceDefinition
    spec:
      group: example.dev
      names: {kind: Thing, plural: things}
      versions: [...]

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule(
    "A001",
    "crd-malformed",
    Severity.ERROR,
    "A CustomResourceDefinition the API server would not accept.",
    "load",
)
