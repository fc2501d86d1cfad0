"""Y002 duplicate-key: A mapping key is repeated.

The last value is used (as Kubernetes and Koreo do), the first is silently lost.

Failing::

    spec:
      return: {a: 1}
      return: {b: 2}

Passing::

    spec:
      return: {a: 1, b: 2}

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule("Y002", "duplicate-key", Severity.WARNING, "A mapping key is repeated.", "load")
