"""Koreo outcomes as values: Ok, Skip, DepSkip, Retry and PermFail, and how they combine.

Each Koreo function evaluation ends in exactly one outcome. They are plain frozen values;
branch on them with ``match``. ``combine`` folds several outcomes the way the reference engine
does (koreo-core ``result.py``): PermFail > Retry > Ok > Skip > DepSkip, with messages of equal
rank joined by ", " and the longest Retry delay kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeGuard


@dataclass(frozen=True)
class Ok:
    """Success; ``value`` is what the function returned (JSON-like data or None)."""

    value: Any = None
    location: str | None = None


@dataclass(frozen=True)
class Skip:
    """Intentionally not run (a precondition said so). Not an error."""

    message: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class DepSkip:
    """Not run because something it depends on was skipped or failed. Not an error."""

    message: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class Retry:
    """Not done yet: run again after ``delay`` seconds."""

    delay: int = 60
    message: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class PermFail:
    """Failed in a way retrying will not fix; a person has to change something."""

    message: str | None = None
    location: str | None = None


Outcome: TypeAlias = Ok | Skip | DepSkip | Retry | PermFail
NonOk: TypeAlias = Skip | DepSkip | Retry | PermFail
ErrorOutcome: TypeAlias = Retry | PermFail

_RANK: dict[type, int] = {DepSkip: 0, Skip: 1, Ok: 2, Retry: 3, PermFail: 4}


def is_error(outcome: object) -> TypeGuard[ErrorOutcome]:
    """Retry or PermFail."""
    return isinstance(outcome, Retry | PermFail)


def is_skip(outcome: object) -> TypeGuard[Skip | DepSkip]:
    """Skip or DepSkip."""
    return isinstance(outcome, Skip | DepSkip)


def type_name(outcome: Outcome) -> str:
    """``"Ok"``, ``"Skip"``, ``"DepSkip"``, ``"Retry"`` or ``"PermFail"``."""
    return type(outcome).__name__


def describe(outcome: Outcome) -> str:
    """A one-line human description, e.g. ``Retry(30s): Creating Foo:ns:x.``."""
    match outcome:
        case Ok():
            return "Ok"
        case Retry(delay=delay, message=message):
            return f"Retry({delay}s): {message}" if message else f"Retry({delay}s)"
        case _:
            name = type_name(outcome)
            return f"{name}: {outcome.message}" if outcome.message else name


def _join(*parts: str | None) -> str:
    return ", ".join(part for part in parts if part)


def _combine_pair(acc: Outcome, other: Outcome) -> Outcome:
    acc_rank, other_rank = _RANK[type(acc)], _RANK[type(other)]
    if acc_rank != other_rank:
        return acc if acc_rank > other_rank else other
    match acc, other:
        case Ok(), Ok():
            values = acc.value if isinstance(acc.value, _Collected) else _Collected((acc.value,))
            return Ok(_Collected((*values, other.value)), _join(acc.location, other.location))
        case Retry(), Retry():
            return Retry(
                delay=max(acc.delay, other.delay),
                message=_join(acc.message, other.message),
                location=_join(acc.location, other.location),
            )
        case PermFail(), PermFail():
            return PermFail(_join(acc.message, other.message), _join(acc.location, other.location))
    return other  # Skip/Skip and DepSkip/DepSkip: the later one wins


class _Collected(tuple[Any, ...]):
    """Ok values gathered by ``combine`` (distinct from a tuple an Ok happened to hold)."""


def combine(outcomes: Iterable[Outcome]) -> Outcome:
    """Fold outcomes by precedence; an all-Ok fold gives ``Ok([values...])``.

    An empty input gives ``Skip()``, as in the reference engine.
    """
    items = list(outcomes)
    if not items:
        return Skip()
    acc: Outcome = DepSkip()
    for item in items:
        acc = _combine_pair(acc, item)
    if isinstance(acc, Ok):
        values = acc.value if isinstance(acc.value, _Collected) else (acc.value,)
        return Ok(list(values), acc.location)
    return acc
