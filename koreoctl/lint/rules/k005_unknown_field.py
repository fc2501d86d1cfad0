"""K005 unknown-field: A field the kind does not define.

Kubernetes drops it when the resource is applied, so it has no effect (often a typo).

Failing::

    spec:
      retrun: {a: 1}

Passing::

    spec:
      return: {a: 1}

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule("K005", "unknown-field", Severity.WARNING, "A field the kind does not define.", "load")
