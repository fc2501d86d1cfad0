"""Running a ValueFunction: preconditions, then locals, then the return value."""

from __future__ import annotations

from typing import Any

from koreoctl.cel import (
    CelEnv,
    empty_map,
    evaluate,
    evaluate_conditions,
    evaluate_overlay,
    is_map,
    to_plain,
)
from koreoctl.outcome import Ok, Outcome, PermFail
from koreoctl.program import PreparedValueFunction


def run_value_function(
    env: CelEnv,
    function: PreparedValueFunction,
    inputs: Any,
    location: str,
    base: Any = None,
) -> Outcome:
    """Evaluate ``function`` on ``inputs`` (CEL values); Ok holds the plain return value.

    ``base`` (a CEL map) is what the return value is overlaid onto: the resource being built
    when the function is an overlay, the current resource in a FunctionTest.
    """
    value = evaluate_value_function(env, function, inputs, location, base)
    if isinstance(value, Outcome):
        return value
    return Ok(to_plain(value))


def evaluate_value_function(
    env: CelEnv,
    function: PreparedValueFunction,
    inputs: Any,
    location: str,
    base: Any = None,
) -> Any:
    """As ``run_value_function``, but the result stays a CEL value (or is a non-Ok outcome)."""
    scope: dict[str, Any] = {"inputs": inputs}
    if base:
        scope["resource"] = base  # Koreo binds `resource` only when the base is not empty
    if function.preconditions is not None:
        stop = evaluate_conditions(
            env, function.preconditions, scope, f"{location}:spec.preconditions"
        )
        if stop is not None:
            return stop
    if function.return_value is None:
        return None
    local_values = _locals(function, scope, location)
    if isinstance(local_values, PermFail):
        return local_values
    scope["locals"] = local_values
    return evaluate_overlay(
        function.return_value,
        scope,
        empty_map() if base is None else base,
        f"{location}:spec.return",
    )


def _locals(function: PreparedValueFunction, scope: dict[str, Any], location: str) -> Any:
    if function.locals is None:
        return empty_map()
    value = evaluate(function.locals, scope, f"{location}:spec.locals")
    if isinstance(value, PermFail) or is_map(value):
        return value
    return PermFail(f"Invalid `locals` expression type ({type(value)})", f"{location}:spec.locals")
