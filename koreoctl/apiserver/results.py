"""The API server's answers to writes, and the status messages it gives when it refuses one.

A write is ``Accepted`` (what is now stored, and the server's warnings) or ``Rejected``
(HTTP status code, reason and message, worded as a Kubernetes API server words them:
``deployments.apps "web" not found``, ``queues.example.dev "q" already exists``,
``Queue.example.dev "q" is invalid: spec.size: Required value``). Every write, accepted or
not, is recorded as a ``Write``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from koreoctl.apiserver.fielderrors import FieldError, aggregate, go_quote
from koreoctl.apiserver.refs import ObjectRef

Verb = Literal["create", "patch", "delete"]


@dataclass(frozen=True)
class Accepted:
    """The write succeeded: a copy of what is now stored (None after a delete), and warnings."""

    object: dict[str, Any] | None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejected:
    """The write was refused: HTTP status code, reason and the server's message."""

    code: int
    reason: str
    message: str


WriteResult = Accepted | Rejected


@dataclass(frozen=True)
class Write:
    """One write as the server saw it: the verb, the object, the body sent and the answer."""

    verb: Verb
    ref: ObjectRef
    body: dict[str, Any] | None
    result: WriteResult


def not_found(resource: str, name: str) -> Rejected:
    return Rejected(404, "NotFound", f"{resource} {go_quote(name)} not found")


def already_exists(resource: str, name: str) -> Rejected:
    return Rejected(409, "AlreadyExists", f"{resource} {go_quote(name)} already exists")


def invalid_object(kind: str, name: str, problems: Iterable[FieldError | str]) -> Rejected:
    """422 Invalid, naming the kind as ``Kind.group`` and listing every field error."""
    return Rejected(422, "Invalid", f"{kind} {go_quote(name)} is invalid: {aggregate(problems)}")


def bad_request(message: str) -> Rejected:
    return Rejected(400, "BadRequest", message)


def not_served(resource: str, version: str) -> Rejected:
    """What the server answers for a version of a CRD it does not serve."""
    message = (
        "the server could not find the requested resource "
        f"(version {go_quote(version)} of {resource} is not served)"
    )
    return Rejected(404, "NotFound", message)
