"""K002 unknown-kind: An unknown kind in koreo.dev/v1beta1 that looks like a Koreo kind.

Most likely a typo; the document is not loaded. Every kind in koreoctl.dev (koreoctl's own
API group) is reported, since koreoctl defines them all; so is a WorkflowTest given Koreo's
apiVersion.

Failing::

    apiVersion: koreo.dev/v1beta1
    kind: ValueFuntion

Passing::

    apiVersion: koreo.dev/v1beta1
    kind: ValueFunction

Failing::

    apiVersion: koreo.dev/v1beta1
    kind: WorkflowTest          # koreoctl's kind: koreoctl.dev/v1alpha1

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule(
    "K002",
    "unknown-kind",
    Severity.ERROR,
    "An unknown kind in koreo.dev/v1beta1 that looks like a Koreo kind.",
    "load",
)
