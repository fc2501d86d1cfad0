"""K002 unknown-kind: An unknown kind in koreo.dev/v1beta1 that looks like a Koreo kind.

Most likely a typo; the document is not loaded.

Failing::

    apiVersion: koreo.dev/v1beta1
    kind: ValueFuntion

Passing::

    apiVersion: koreo.dev/v1beta1
    kind: ValueFunction

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
