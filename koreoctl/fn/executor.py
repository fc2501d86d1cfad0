"""Running a sequence of function invocations over one unit (ConfigHub's executor model).

``prepare_sequence`` binds and prepares every invocation before anything runs, so an unknown
function, a bad argument, an invalid path or CEL expression is a usage error (exit 2) with the
unit untouched. ``run_sequence`` then runs them in order over the unit and combines their
outputs by kind: attribute values and resources are appended, each validating function gives
one ``ValidationEntry`` (never merged, so no failed attribute is lost), and each mutating
function's changes are recorded with its position in the sequence.

* The first ``filters`` validating functions are filters: a failing filter stops the
  sequence quietly (the run still passes).
* ``stop_on_error`` stops at the first failing validation or function error.
* A ``FunctionError`` (a function that cannot run on this input) is recorded, not raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from koreoctl.errors import UsageError
from koreoctl.fn.model import (
    AttributeValue,
    Change,
    Context,
    FnFunction,
    FunctionError,
    ResourceEntry,
    Unit,
    Validation,
)
from koreoctl.fn.signature import ArgumentError, Registry, split_invocations
from koreoctl.progress import advance

__all__ = [
    "FunctionTable",
    "Invocation",
    "Report",
    "Stop",
    "ValidationEntry",
    "prepare_sequence",
    "run_sequence",
]

REPORT_FORMAT = 1


class FunctionTable:
    """The functions by name, with the registry's errors and help for unknown names."""

    def __init__(self, functions: Sequence[FnFunction]) -> None:
        self.registry = Registry(f.signature for f in functions)
        self._functions = {f.name: f for f in functions}

    def get(self, name: str) -> FnFunction:
        self.registry.get(name)  # raises ArgumentError with a suggestion
        return self._functions[name]

    def names(self) -> tuple[str, ...]:
        return self.registry.names()


@dataclass(frozen=True)
class Invocation:
    """One prepared step: its position, function, bound arguments and prepared value."""

    index: int
    function: FnFunction
    args: Mapping[str, Any]
    prepared: Any = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.function.name

    @property
    def kind(self) -> str:
        return self.function.signature.kind

    def head(self) -> dict[str, Any]:
        return {"function": self.name, "index": self.index}

    def to_dict(self) -> dict[str, Any]:
        return {**self.head(), "kind": self.kind, "args": _plain_args(self.args)}


def _plain_args(args: Mapping[str, Any]) -> dict[str, Any]:
    plain: dict[str, Any] = {}
    for name, value in args.items():
        if isinstance(value, tuple):
            plain[name] = [getattr(v, "text", v) for v in value]
        else:
            plain[name] = getattr(value, "text", value)
    return plain


def prepare_sequence(table: FunctionTable, argv: Sequence[str]) -> tuple[Invocation, ...]:
    """``FUNCTION ARGS... [-- FUNCTION ARGS...]`` bound and prepared (raises ``UsageError``)."""
    invocations = []
    for index, (name, arguments) in enumerate(split_invocations(argv)):
        function = table.get(name)
        try:
            args = function.signature.bind(arguments)
            prepared = function.prepare(args)
        except UsageError as problem:
            message = str(problem)
            if message.startswith(f"{name}: "):
                raise
            raise type(problem)(f"{name}: {message}") from None
        invocations.append(Invocation(index, function, args, prepared))
    return tuple(invocations)


@dataclass(frozen=True)
class ValidationEntry:
    """The result of one validating invocation (``validation`` None when it errored)."""

    invocation: Invocation
    validation: Validation | None
    filter: bool = False
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.validation is not None and self.validation.passed and self.error is None

    def to_dict(self) -> dict[str, Any]:
        found = self.validation or Validation(False)
        failed = sorted(found.failed, key=AttributeValue.sort_key)
        return {
            **self.invocation.head(),
            "args": _plain_args(self.invocation.args),
            "passed": self.passed,
            "filter": self.filter,
            "details": list(found.details),
            "issues": [issue.to_dict() for issue in found.issues],
            "failedAttributes": [value.to_dict() for value in failed],
            "error": self.error,
        }


@dataclass(frozen=True)
class Stop:
    """Why the sequence stopped before its end."""

    invocation: Invocation
    reason: Literal["filter", "failure", "error"]

    def to_dict(self) -> dict[str, Any]:
        return {**self.invocation.head(), "reason": self.reason}


@dataclass(frozen=True)
class FunctionFailure:
    """A function that could not run (a ``FunctionError``)."""

    invocation: Invocation
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.invocation.head(), "message": self.message}


@dataclass(frozen=True)
class Report:
    """Everything a sequence produced."""

    unit: Unit
    invocations: tuple[Invocation, ...]
    changes: tuple[tuple[Invocation, Change], ...] = ()
    values: tuple[tuple[Invocation, AttributeValue], ...] = ()
    resources: tuple[tuple[Invocation, ResourceEntry], ...] = ()
    validations: tuple[ValidationEntry, ...] = ()
    errors: tuple[FunctionFailure, ...] = ()
    stopped: Stop | None = None

    @property
    def passed(self) -> bool:
        """Every validation that is not a filter passed."""
        return all(entry.passed for entry in self.validations if not entry.filter)

    @property
    def unit_changed(self) -> bool:
        return bool(self.changes)

    @property
    def mutating(self) -> bool:
        return any(i.function.signature.mutating for i in self.invocations)

    @property
    def exit_code(self) -> int:
        """0 all passed, 1 a validation failed, 2 a function could not run."""
        if self.errors:
            return 2
        return 0 if self.passed else 1

    def plain_changes(self) -> tuple[Change, ...]:
        return tuple(change for _, change in self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "passed": self.passed,
            "stopped": None if self.stopped is None else self.stopped.to_dict(),
            "invocations": [i.to_dict() for i in self.invocations],
            "changes": [{**i.head(), **c.to_dict()} for i, c in self.changes],
            "values": [{**i.head(), **v.to_dict()} for i, v in self.values],
            "resources": [{**i.head(), **r.to_dict()} for i, r in self.resources],
            "validation": [entry.to_dict() for entry in self.validations],
            "errors": [error.to_dict() for error in self.errors],
            "unitChanged": self.unit_changed,
        }


def run_sequence(
    unit: Unit,
    invocations: Sequence[Invocation],
    context: Context,
    *,
    filters: int = 0,
    stop_on_error: bool = False,
) -> Report:
    """Run the prepared invocations in order over ``unit``."""
    if filters < 0:
        raise ArgumentError("--filters must be 0 or more")
    changes: list[tuple[Invocation, Change]] = []
    values: list[tuple[Invocation, AttributeValue]] = []
    resources: list[tuple[Invocation, ResourceEntry]] = []
    validations: list[ValidationEntry] = []
    errors: list[FunctionFailure] = []
    stopped: Stop | None = None
    validators_seen = 0
    for number, invocation in enumerate(invocations):
        advance(f"running {invocation.function.signature.name}", number, len(invocations))
        signature = invocation.function.signature
        is_filter = signature.validating and validators_seen < filters
        if signature.validating:
            validators_seen += 1
        try:
            output = invocation.function.run(unit, invocation.prepared, context)
        except FunctionError as error:
            message = str(error)
            errors.append(FunctionFailure(invocation, message))
            if signature.validating:
                validations.append(ValidationEntry(invocation, None, is_filter, message))
            if stop_on_error:
                stopped = Stop(invocation, "error")
                break
            continue
        unit = output.unit
        changes.extend((invocation, change) for change in output.changes)
        values.extend((invocation, value) for value in output.values)
        resources.extend((invocation, entry) for entry in output.resources)
        if signature.validating:
            entry = ValidationEntry(invocation, output.validation or Validation(True), is_filter)
            validations.append(entry)
            if not entry.passed and is_filter:
                stopped = Stop(invocation, "filter")
                break
            if not entry.passed and stop_on_error:
                stopped = Stop(invocation, "failure")
                break
    return Report(
        unit,
        tuple(invocations),
        tuple(changes),
        tuple(values),
        tuple(resources),
        tuple(validations),
        tuple(errors),
        stopped,
    )
