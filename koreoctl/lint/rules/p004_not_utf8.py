"""P004 not-utf8: A file is not UTF-8 text.

Kubernetes reads YAML as UTF-8; the position of the first byte that is not is given.

Failing::

    name: caf\\xe9   # saved as Latin-1

Passing::

    name: café     # saved as UTF-8

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule("P004", "not-utf8", Severity.ERROR, "A file is not UTF-8 text.", "load")
