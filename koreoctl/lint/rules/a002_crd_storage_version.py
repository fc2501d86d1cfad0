"""A002 crd-storage-version: A CRD without exactly one storage version.

The API server requires exactly one.

Failing::

    versions:
      - {name: v1, served: true, storage: false, ...}

Passing::

    versions:
      - {name: v1, served: true, storage: true, ...}

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule(
    "A002",
    "crd-storage-version",
    Severity.ERROR,
    "A CRD without exactly one storage version.",
    "load",
)
