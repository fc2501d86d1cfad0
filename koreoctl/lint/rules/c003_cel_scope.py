"""C003 cel-scope: an expression uses a variable that is not in scope where it is written.

Koreo binds different variables in different places: ``inputs`` everywhere in a function,
``locals`` after the locals are computed, ``resource`` only once the resource is known (not
in a ResourceFunction's ``resource`` or ``apiConfig``), ``parent`` and ``steps`` in a
Workflow step's inputs (``inputs`` too in a ``refSwitch.switchOn``), ``value`` only in a
step's ``state``; a FunctionTest case's ``overlayResource`` has ``resource`` and the test's
inputs by their own names. Anything else fails when the expression runs. Macro variables
(``x`` in ``list.map(x, ...)``) are in scope inside the macro; CEL's own names (``int``,
``string``, ``size``, ...) everywhere.

Failing::

    kind: ResourceFunction
    spec:
      resource:
        spec:
          replicas: =resource.spec.replicas + 1

Passing::

    kind: ResourceFunction
    spec:
      resource:
        spec:
          replicas: =inputs.replicas
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext

RULE = Rule(
    "C003",
    "cel-scope",
    Severity.ERROR,
    "An expression uses a variable that is not in scope there.",
    "file",
)


def check(context: FileContext) -> Iterator[Diagnostic]:
    for expression in context.expressions:
        if expression.site.field.endswith(".state"):
            continue  # C007: a step's state has its own, softer rule
        seen: set[str] = set()
        for name, offset in expression.roots:
            site = expression.site
            if name in site.scope or name in site.overlay_only or name in seen:
                continue
            seen.add(name)
            allowed = ", ".join(f"`{n}`" for n in sorted(site.scope))
            message = f"`{name}` is not defined in `{site.field}` (in scope: {allowed})"
            if not expression.prefix:  # not an `=` expression: a string Koreo writes unquoted
                message += f"; the string {expression.program.text!r} reads as a number"
            yield Diagnostic(RULE.code, message, expression.span(offset), RULE.severity)
