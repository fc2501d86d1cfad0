"""P002 refs-not-loaded: the project's ``refs/`` holds child packages, which are not loaded yet.

A Choreo project may reuse Functions, ResourceTemplates and CRDs from other repositories
through ``refs/``. koreoctl does not resolve them yet, so references into those packages are
reported as missing and their CRDs do not validate anything.

Failing::

    my-project/
      in/workflow.koreo
      refs/shared-functions.yaml

Passing::

    my-project/
      in/workflow.koreo

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule(
    "P002",
    "refs-not-loaded",
    Severity.WARNING,
    "The project's refs/ holds child packages, which are not loaded yet.",
    "load",
)
