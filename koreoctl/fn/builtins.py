"""The built-in functions of ``koreoctl fn``: readonly, mutating and validating."""

from __future__ import annotations

from functools import cache

from koreoctl.fn.executor import FunctionTable

__all__ = ["function_table"]


@cache
def function_table() -> FunctionTable:
    """Every built-in function, by name (the modules are imported on first use)."""
    from koreoctl.fn.mutating import FUNCTIONS as MUTATING
    from koreoctl.fn.readonly import FUNCTIONS as READONLY
    from koreoctl.fn.validating import FUNCTIONS as VALIDATING

    return FunctionTable((*READONLY, *MUTATING, *VALIDATING))
