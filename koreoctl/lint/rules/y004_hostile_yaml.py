"""Y004 hostile-yaml: YAML nested too deep, or expanding to too many nodes.

Alias bombs and absurd nesting are refused in bounded time and memory instead of being expanded.

Failing::

    a: &a [x, x]
    b: &b [*a, *a]
    # ... nine more levels

Passing::

    a: [x, x]

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule(
    "Y004",
    "hostile-yaml",
    Severity.ERROR,
    "YAML nested too deep, or expanding to too many nodes.",
    "load",
)
