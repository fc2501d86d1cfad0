"""Koreo's client classes: the apiVersion, kind and scope a ResourceFunction's resource gets.

Koreo's Kubernetes client (kr8s) keeps one class per resource type, and Koreo picks a
function's class when it prepares the function: an existing class that matches the
``apiConfig``'s apiVersion and kind (a built-in kind's, or one an earlier function made), else
a new one made from this ``apiConfig``. So a built-in kind keeps its own scope whatever the
``apiConfig`` says, and the first function to name any other apiVersion/kind fixes its scope
(``namespaced``) and its spelling of the kind for every function prepared after it, even if
that first function then fails to load. ``ResourceApis`` replays this in load order, matching
as kr8s does: the kind case-insensitively, by singular or plural name; an apiVersion without
a group matches that version in any group; when several classes match, the last made wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from koreoctl.model.builtin_kinds import BUILTIN_KINDS, BuiltinKind
from koreoctl.model.resource_function import ApiConfig


@dataclass(frozen=True)
class ResourceApi:
    """A client class: the apiVersion and kind Koreo writes, and whether it is namespaced.

    ``plural`` is None when the ``apiConfig`` gave none (Koreo looks it up at run time).
    """

    api_version: str
    kind: str
    plural: str | None
    namespaced: bool

    def matches(self, kind: str, group: str | None, version: str) -> bool:
        """Whether kr8s would pick this class for a lower-cased ``kind`` in group/version."""
        if kind not in (self.kind.lower(), self.plural):
            return False
        own_group, _, own_version = self.api_version.rpartition("/")
        return (group is None or own_group == group) and own_version == version


@dataclass(frozen=True)
class KindError:
    """Why the client cannot look a kind up; Koreo's loader crashes on it."""

    message: str


class ResourceApis:
    """The client's classes: the built-in kinds', then each one a function made, in order."""

    def __init__(self, builtins: Iterable[BuiltinKind] = BUILTIN_KINDS) -> None:
        self._classes = [
            ResourceApi(kind.api_version, kind.kind, kind.plural, kind.namespaced)
            for kind in builtins
        ]

    def resolve(self, config: ApiConfig) -> ResourceApi | KindError:
        """The class Koreo gives a function with ``config``, made (and kept) if none matches."""
        found = self._find(config.api_version, config.kind)
        if found is not None:
            return found
        made = _new_class(config)
        self._classes.append(made)
        return made

    def _find(self, api_version: str, kind: str) -> ResourceApi | KindError | None:
        query = _query(api_version, kind)
        if isinstance(query, KindError):
            return query
        found = None
        for resource_api in self._classes:
            if resource_api.api_version.count("/") > 1:  # kr8s unpacks it into two names
                shown = resource_api.api_version
                return KindError(f"an earlier function's apiVersion {shown!r} has two '/'")
            if resource_api.matches(*query):
                found = resource_api
        return found


def _query(api_version: str, kind: str) -> tuple[str, str | None, str] | KindError:
    """(kind, group, version) as kr8s reads a lookup; a kind may carry its group or version."""
    group: str | None = None
    version = api_version
    if "/" in kind:
        kind, version = kind.split("/", 1)
    if "." in kind:
        kind, group = kind.split(".", 1)
    if "/" in version:
        if group:
            return KindError("Cannot specify group in both kind and version")
        group, version = version.split("/", 1)
    return kind.lower(), group, version


def _new_class(config: ApiConfig) -> ResourceApi:
    """The class kr8s makes: a dotted kind's suffix becomes its apiVersion."""
    kind, api_version = config.kind, config.api_version
    if "." in kind:
        kind, api_version = kind.split(".", 1)
    plural = config.plural.lower() if config.plural else None
    return ResourceApi(api_version, kind, plural, config.namespaced)
