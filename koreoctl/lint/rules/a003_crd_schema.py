"""A003 crd-schema: A CRD version whose openAPIV3Schema is not a valid schema.

Writes of that kind could not be validated.

Failing::

    openAPIV3Schema: {type: object, minProperties: x}

Passing::

    openAPIV3Schema: {type: object, minProperties: 1}

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule(
    "A003",
    "crd-schema",
    Severity.ERROR,
    "A CRD version whose openAPIV3Schema is not a valid schema.",
    "load",
)
