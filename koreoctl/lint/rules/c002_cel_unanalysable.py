"""C002 cel-unanalysable: an expression shape Koreo's input analysis cannot handle.

Koreo derives each function's inputs from the member accesses in its expressions and fails
to load a function whose expressions it cannot analyse: a member access or index on a list
or map literal, on a call result or on a parenthesised expression, an index that is a
negation. The function then never becomes ready ("not found or not ready").

Failing::

    return:
      first: =[1, 2].map(x, x * 2)[0]

Passing::

    locals:
      doubled: =[1, 2].map(x, x * 2)
    return:
      first: =locals.doubled[0]

A Workflow with such an expression in a step never loads either.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext

RULE = Rule(
    "C002",
    "cel-unanalysable",
    Severity.ERROR,
    "Koreo cannot analyse this expression, so it never loads the function.",
    "file",
)


_FUNCTION = ("function", "move the access into `locals`")


def check(context: FileContext) -> Iterator[Diagnostic]:
    from koreoctl.cel import Unanalysable

    for expression in context.expressions:
        if expression.site.owner.startswith(("FunctionTest:", "WorkflowTest:")):
            continue  # Koreo analyses the inputs of functions and workflows only
        reason = expression.program.reads
        if isinstance(reason, Unanalysable):
            workflow = expression.site.step is not None
            what, fix = ("Workflow", "compute it in a function") if workflow else _FUNCTION
            message = (
                f"Koreo cannot analyse `{expression.program.text}` ({reason}), so it never "
                f"loads this {what}; {fix}"
            )
            yield Diagnostic(RULE.code, message, expression.span(), RULE.severity)
