"""K001 unsupported-api-version: A Koreo kind with an apiVersion other than koreo.dev/v1beta1.

The Koreo controller only reads koreo.dev/v1beta1, and koreoctl reads its own WorkflowTest
only as koreoctl.dev/v1alpha1.

Failing::

    apiVersion: koreo.dev/v1alpha8
    kind: ValueFunction

Passing::

    apiVersion: koreo.dev/v1beta1
    kind: ValueFunction

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule(
    "K001",
    "unsupported-api-version",
    Severity.ERROR,
    "A Koreo kind with an apiVersion other than koreo.dev/v1beta1.",
    "load",
)
