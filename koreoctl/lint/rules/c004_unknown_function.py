"""C004 unknown-function: a call of a function or method CEL does not know.

Koreo's CEL has the standard functions and macros (``size``, ``has``, ``int``, ``string``,
``startsWith``, ``matches``, ``map``, ``filter``, ...) and Koreo's helpers (``to_ref``,
``self_ref``, ``overlay``, ``split``, ``to_json``, ...). Anything else fails when the
expression runs.

Failing::

    return:
      name: =upper(inputs.name)

Passing::

    return:
      name: =lower(inputs.name)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext

RULE = Rule(
    "C004", "unknown-function", Severity.ERROR, "A call of a function CEL does not know.", "file"
)


def check(context: FileContext) -> Iterator[Diagnostic]:
    from koreoctl.cel.analysis import Call, known_functions

    known = known_functions()
    for expression in context.expressions:
        for use in expression.uses:
            if isinstance(use, Call) and use.name not in known:
                what = "method" if use.method else "function"
                message = f"unknown {what} `{use.name}` in `{expression.program.text}`"
                yield Diagnostic(RULE.code, message, expression.span(use.offset), RULE.severity)
