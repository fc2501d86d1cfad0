"""ValueFunction: validate and reshape data with preconditions, locals and a return value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from koreoctl.diagnostics import Diagnostic
from koreoctl.model.common import Header, Refusal, Value, optional_value


@dataclass(frozen=True)
class ValueFunction:
    """``spec.preconditions`` (a list of conditions), ``spec.locals`` and ``spec.return``.

    Each is None when absent or empty: Koreo treats an empty tree as not given.
    """

    header: Header
    preconditions: Value | None
    locals: Value | None
    return_value: Value | None


def build(
    header: Header, spec: dict[str, Any]
) -> tuple[ValueFunction, list[Diagnostic], Refusal | None]:
    """The record for a schema-valid ValueFunction spec."""
    at = header.spec()
    return (
        ValueFunction(
            header=header,
            preconditions=optional_value(spec, "preconditions", at),
            locals=optional_value(spec, "locals", at),
            return_value=optional_value(spec, "return", at),
        ),
        [],
        None,
    )
