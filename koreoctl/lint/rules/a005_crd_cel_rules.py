"""A005 crd-cel-rules: A CRD uses x-kubernetes-validations.

koreoctl does not evaluate these CEL rules; a real API server will.

Failing::

    x-kubernetes-validations: [{rule: 'self.size > 0'}]

Passing::

    # (informational)

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule("A005", "crd-cel-rules", Severity.INFO, "A CRD uses x-kubernetes-validations.", "load")
