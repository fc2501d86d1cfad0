"""Y001 yaml-syntax: YAML syntax error.

Reported at the parser's position; the documents before it in the file are still checked.

Failing::

    spec:
      return: {a: 1

Passing::

    spec:
      return: {a: 1}

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule("Y001", "yaml-syntax", Severity.ERROR, "YAML syntax error.", "load")
