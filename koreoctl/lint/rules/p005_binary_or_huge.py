"""P005 binary-or-huge: A binary (NUL bytes) or very large (> 16 MiB) file.

Such a file is not a Koreo program; it is reported and not parsed.

Failing::

    # a PNG image named icon.yaml

Passing::

    # only YAML in in/ and crds/

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule(
    "P005",
    "binary-or-huge",
    Severity.ERROR,
    "A binary (NUL bytes) or very large (> 16 MiB) file.",
    "load",
)
