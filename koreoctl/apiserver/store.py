"""The simulated Kubernetes API server: an in-memory object store with real validation.

It implements what Koreo's engine needs from a cluster - get, create, patch, delete - and
answers like a real server: creating an existing object is ``409 AlreadyExists``, patching or
deleting a missing one ``404 NotFound``, and a write of a kind defined by one of the project's
CRDs is validated against that CRD's schema (``422 Invalid`` with every violation). Kinds
without a CRD are accepted as they are.

The server owns ``metadata.uid``, ``resourceVersion``, ``generation`` and
``creationTimestamp`` and sets them deterministically (no clock, no randomness), so the same
writes always produce the same objects. It is a plain value: make one per test, ``fork`` it
to try something without changing it. Every accepted or rejected write is recorded.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from koreoctl.apiserver.builtins import find_builtin
from koreoctl.apiserver.crd import Crd, CrdCatalog
from koreoctl.apiserver.refs import ObjectRef
from koreoctl.jsondata import copy_data

SYSTEM_FIELDS = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields")
_UID_NAMESPACE = uuid.UUID("6f1c8d4e-2b0a-4f57-9a63-6b6f72656f63")


class PatchStrategy(enum.Enum):
    """How a patch is applied to the stored object."""

    MERGE = "merge"  # JSON merge patch (RFC 7386): maps merge, null deletes, the rest replaces
    REPLACE_TOP_LEVEL = "top-level"  # each top-level key of the patch replaces the stored one


@dataclass(frozen=True)
class Accepted:
    """The write succeeded: what is now stored (None after a delete), and server warnings."""

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
    """One write as the server saw it."""

    verb: Literal["create", "patch", "delete"]
    ref: ObjectRef
    body: dict[str, Any] | None
    result: WriteResult


def strip_system_fields(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` without the metadata the server owns (an emptied metadata is kept)."""
    stripped = copy_data(dict(obj))
    metadata = stripped.get("metadata")
    if isinstance(metadata, dict):
        for name in SYSTEM_FIELDS:
            metadata.pop(name, None)
    return stripped


@dataclass
class _Counters:
    resource_version: int = 0
    created: int = 0


class ApiServer:
    """An in-memory Kubernetes API server for one test or render."""

    def __init__(
        self,
        crds: CrdCatalog,
        *,
        patch_strategy: PatchStrategy = PatchStrategy.MERGE,
        apply_defaults: bool = False,
        prune_unknown: bool = False,
        clock: str = "1970-01-01T00:00:00Z",
    ) -> None:
        self.crds = crds
        self.patch_strategy = patch_strategy
        self.apply_defaults = apply_defaults
        self.prune_unknown = prune_unknown
        self.clock = clock
        self._objects: dict[ObjectRef, dict[str, Any]] = {}
        self._writes: list[Write] = []
        self._counters = _Counters()

    # --- reading -------------------------------------------------------------------------

    def get(self, ref: ObjectRef) -> dict[str, Any] | None:
        """A copy of the object at ``ref``, or None."""
        stored = self._objects.get(ref)
        return copy_data(stored) if stored is not None else None

    def objects(self) -> tuple[dict[str, Any], ...]:
        """Copies of every object, sorted by (apiVersion, kind, namespace, name)."""
        ordered = sorted(self._objects, key=lambda ref: (*_sort_key(ref),))
        return tuple(copy_data(self._objects[ref]) for ref in ordered)

    def writes(self) -> tuple[Write, ...]:
        return tuple(self._writes)

    # --- writing -------------------------------------------------------------------------

    def create(self, obj: Mapping[str, Any]) -> WriteResult:
        """Create ``obj``."""
        body = copy_data(dict(obj))
        ref = _ref_or_none(body)
        if ref is None:
            return self._record(
                "create",
                None,
                body,
                _bad_request("object needs apiVersion, kind and metadata.name"),
            )
        if ref in self._objects:
            message = f'{_resource_name(self.crds, ref)} "{ref.name}" already exists'
            return self._record("create", ref, body, Rejected(409, "AlreadyExists", message))
        return self._record("create", ref, body, self._store(ref, body, previous=None))

    def patch(self, ref: ObjectRef, patch: Mapping[str, Any]) -> WriteResult:
        """Patch the object at ``ref`` with this server's patch strategy."""
        body = copy_data(dict(patch))
        current = self._objects.get(ref)
        if current is None:
            return self._record("patch", ref, body, self._not_found(ref))
        merged = self._merge(current, body)
        return self._record("patch", ref, body, self._store(ref, merged, previous=current))

    def delete(self, ref: ObjectRef) -> WriteResult:
        """Delete the object at ``ref``."""
        if ref not in self._objects:
            return self._record("delete", ref, None, self._not_found(ref))
        del self._objects[ref]
        self._counters.resource_version += 1
        return self._record("delete", ref, None, Accepted(None))

    def seed(self, obj: Mapping[str, Any]) -> tuple[str, ...]:
        """Place an object that already exists (not a write; never refused).

        Returns the problems validation finds in it, as warnings.
        """
        body = copy_data(dict(obj))
        ref = ObjectRef.of(body)
        crd = self.crds.lookup(ref.api_version, ref.kind)
        problems = tuple(self._violations(crd, ref, body)) if crd else ()
        self._objects[ref] = self._with_system_fields(body, previous=None)
        return tuple(f"the existing {ref} is not valid: {problem}" for problem in problems)

    def fork(self) -> ApiServer:
        """An independent copy: same CRDs, objects and counters; later writes do not mix."""
        twin = ApiServer(
            self.crds,
            patch_strategy=self.patch_strategy,
            apply_defaults=self.apply_defaults,
            prune_unknown=self.prune_unknown,
            clock=self.clock,
        )
        twin._objects = copy_data(self._objects)
        twin._writes = list(self._writes)
        twin._counters = _Counters(self._counters.resource_version, self._counters.created)
        return twin

    # --- internals -----------------------------------------------------------------------

    def _record(
        self, verb: Any, ref: ObjectRef | None, body: dict[str, Any] | None, result: WriteResult
    ) -> WriteResult:
        if ref is not None:
            self._writes.append(Write(verb, ref, body, result))
        return result

    def _not_found(self, ref: ObjectRef) -> Rejected:
        return Rejected(404, "NotFound", f'{_resource_name(self.crds, ref)} "{ref.name}" not found')

    def _merge(self, current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
        if self.patch_strategy is PatchStrategy.REPLACE_TOP_LEVEL:
            return {**copy_data(current), **patch}
        merged: dict[str, Any] = merge_patch(current, patch)
        return merged

    def _store(
        self, ref: ObjectRef, body: dict[str, Any], previous: dict[str, Any] | None
    ) -> WriteResult:
        crd = self.crds.lookup(ref.api_version, ref.kind)
        if crd is not None:
            refusal = self._admit(crd, ref, body)
            if refusal is not None:
                return refusal
            body, warnings = self._finish(crd, ref, body)
        else:
            warnings = ()
        stored = self._with_system_fields(body, previous)
        self._objects[ref] = stored
        return Accepted(copy_data(stored), warnings)

    def _admit(self, crd: Crd, ref: ObjectRef, body: dict[str, Any]) -> Rejected | None:
        if crd.version(ref.version) is None:
            message = (
                f"the server could not find the requested resource ({crd.resource} {ref.version})"
            )
            return Rejected(404, "NotFound", message)
        if crd.namespaced and not ref.namespace:
            return _invalid(crd, ref, ["metadata.namespace: Required value"])
        if not crd.namespaced and ref.namespace:
            message = f"{crd.kind} is cluster-scoped; metadata.namespace must not be set"
            return Rejected(400, "BadRequest", message)
        violations = self._violations(crd, ref, body)
        return _invalid(crd, ref, violations) if violations else None

    def _violations(self, crd: Crd, ref: ObjectRef, body: dict[str, Any]) -> list[str]:
        version = crd.version(ref.version)
        if version is None:
            return []
        return self.crds.validator(crd, version).violations(body)

    def _finish(
        self, crd: Crd, ref: ObjectRef, body: dict[str, Any]
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        version = crd.version(ref.version)
        assert version is not None
        validator = self.crds.validator(crd, version)
        warnings = tuple(f'unknown field "{path}"' for path in validator.unknown_fields(body))
        if self.prune_unknown:
            body = validator.prune(body)
        if self.apply_defaults:
            body = validator.apply_defaults(body)
        return body, warnings

    def _with_system_fields(
        self, body: dict[str, Any], previous: dict[str, Any] | None
    ) -> dict[str, Any]:
        self._counters.resource_version += 1
        metadata = dict(body.get("metadata") or {})
        old = (previous or {}).get("metadata") or {}
        if previous is None:
            self._counters.created += 1
            key = f"{self._counters.created}/{ObjectRef.of(body)}"
            metadata["uid"] = str(uuid.uuid5(_UID_NAMESPACE, key))
            metadata["creationTimestamp"] = self.clock
            metadata["generation"] = 1
        else:
            metadata["uid"] = old.get("uid")
            metadata["creationTimestamp"] = old.get("creationTimestamp", self.clock)
            changed = _content(previous) != _content(body)
            metadata["generation"] = int(old.get("generation") or 1) + (1 if changed else 0)
        metadata["resourceVersion"] = str(self._counters.resource_version)
        return {**body, "metadata": metadata}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: maps merge recursively, ``null`` deletes, the rest replaces."""
    if not isinstance(patch, dict):
        return copy_data(patch)
    result = copy_data(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _content(obj: Mapping[str, Any]) -> dict[str, Any]:
    """What a change to bumps ``generation``: everything but metadata and status."""
    return {key: value for key, value in obj.items() if key not in ("metadata", "status")}


def _ref_or_none(body: Mapping[str, Any]) -> ObjectRef | None:
    try:
        return ObjectRef.of(body)
    except ValueError:
        return None


def _bad_request(message: str) -> Rejected:
    return Rejected(400, "BadRequest", message)


def _invalid(crd: Crd, ref: ObjectRef, violations: list[str]) -> Rejected:
    detail = violations[0] if len(violations) == 1 else f"[{', '.join(violations)}]"
    message = f'{crd.kind}.{crd.group} "{ref.name}" is invalid: {detail}'
    return Rejected(422, "Invalid", message)


def _resource_name(crds: CrdCatalog, ref: ObjectRef) -> str:
    crd = crds.lookup(ref.api_version, ref.kind)
    if crd is not None:
        return crd.resource
    builtin = find_builtin(ref.api_version, ref.kind)
    plural = builtin.plural if builtin else f"{ref.kind.lower()}s"
    return f"{plural}.{ref.group}" if ref.group else plural


def _sort_key(ref: ObjectRef) -> tuple[str, str, str, str]:
    return (ref.api_version, ref.kind, ref.namespace or "", ref.name)


__all__ = [
    "SYSTEM_FIELDS",
    "Accepted",
    "ApiServer",
    "PatchStrategy",
    "Rejected",
    "Write",
    "WriteResult",
    "merge_patch",
    "strip_system_fields",
]
