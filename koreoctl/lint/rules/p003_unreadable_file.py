"""P003 unreadable-file: A file cannot be read.

The file exists but reading it failed (permissions, a broken link).

Failing::

    # a file koreoctl may not read (chmod 000)

Passing::

    # a readable file

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule("P003", "unreadable-file", Severity.ERROR, "A file cannot be read.", "load")
