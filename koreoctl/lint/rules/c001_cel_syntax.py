"""C001 cel-syntax: A CEL syntax error.

Reported at the character where parsing failed, mapped from the expression onto the file.

Failing::

    return:
      value: =inputs.x +

Passing::

    return:
      value: =inputs.x + 1

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule("C001", "cel-syntax", Severity.ERROR, "A CEL syntax error.", "load")
