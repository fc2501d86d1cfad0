"""K004 missing-name: A Koreo resource without metadata.name.

It cannot be referenced or loaded.

Failing::

    kind: ValueFunction
    metadata: {}

Passing::

    kind: ValueFunction
    metadata: {name: my-function.v1}

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule(
    "K004", "missing-name", Severity.ERROR, "A Koreo resource without metadata.name.", "load"
)
