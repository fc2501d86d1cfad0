"""The simulated Kubernetes API server: an in-memory object store with real validation.

It implements what Koreo's engine needs from a cluster (get, create, patch, delete) and
answers as a real server does: creating an existing object is ``409 AlreadyExists``,
patching or deleting a missing one ``404 NotFound``. A write of a kind one of the project's
CRDs defines is pruned, defaulted and validated like on a real server (see validation.py):
``422 Invalid`` with every violation (a missing ``metadata.name`` and the CRD's scope on
``metadata.namespace`` among them), ``404`` for a version the CRD does not serve. Kinds
without a CRD are stored as they are, even without a name (as Koreo's test runner does).

Unknown fields are not refused (a real server drops them): each write's ``Accepted.warnings``
names them (``unknown field "spec.foo"``), and they are removed from the stored object only
with ``prune_unknown=True`` (which also drops null values of non-nullable fields, as the
server does). Schema defaults are stored only with ``apply_defaults=True``. Either way the
object is validated as the server would see it, pruned and defaulted.

The server owns ``metadata.uid``, ``resourceVersion``, ``generation`` and
``creationTimestamp`` and sets them deterministically, never from the wall clock:

* ``uid``: a UUID5 of the n-th creation and the object's ref;
* ``resourceVersion``: a per-server counter, bumped by every write that changes something
  (a patch that changes nothing keeps it, as on a real server);
* ``generation``: 1 on create, +1 when anything outside ``metadata`` and ``status`` changes;
* ``creationTimestamp``: the server's ``clock`` string.

Client-sent values of these fields are ignored, and ``managedFields`` is not kept. The server
does not model finalizers, the status subresource, conversion between versions (the
apiVersion is part of an object's identity) or ``x-kubernetes-validations`` rules.

It is a plain value: make one per test or render, ``fork`` it to try something without
changing it. Objects go in and out as deep copies.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from koreoctl.apiserver.crd import Crd, CrdCatalog
from koreoctl.apiserver.fielderrors import FieldError, forbidden, required
from koreoctl.apiserver.jsonvalues import copy_json, same_json
from koreoctl.apiserver.patch import PatchStrategy, apply_patch
from koreoctl.apiserver.refs import ObjectRef
from koreoctl.apiserver.results import (
    Accepted,
    Rejected,
    Verb,
    Write,
    WriteResult,
    already_exists,
    bad_request,
    invalid_object,
    not_found,
    not_served,
)
from koreoctl.model.builtin_kinds import find_builtin

SYSTEM_FIELDS = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields")
UID_NAMESPACE = uuid.UUID("6f1c8d4e-2b0a-4f57-9a63-6b6f72656f63")


def strip_system_fields(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` without the metadata fields the server owns.

    ``metadata`` itself is kept, even when that leaves it empty.
    """
    stripped: dict[str, Any] = copy_json(obj)
    metadata = stripped.get("metadata")
    if isinstance(metadata, dict):
        for name in SYSTEM_FIELDS:
            metadata.pop(name, None)
    return stripped


@dataclass(frozen=True)
class _Admission:
    """What the server makes of a write: the object to store and its warnings, or why not."""

    obj: dict[str, Any]
    warnings: tuple[str, ...] = ()
    problems: tuple[FieldError, ...] = ()
    refusal: Rejected | None = None


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
        self._resource_version = 0
        self._created = 0

    # --- reading -------------------------------------------------------------------------

    def get(self, ref: ObjectRef) -> dict[str, Any] | None:
        """A copy of the object at ``ref``, or None."""
        stored = self._objects.get(ref)
        return copy_json(stored) if stored is not None else None

    def objects(self) -> tuple[dict[str, Any], ...]:
        """Copies of every object, sorted by (apiVersion, kind, namespace, name)."""
        return tuple(copy_json(self._objects[ref]) for ref in sorted(self._objects))

    def writes(self) -> tuple[Write, ...]:
        """Every write so far, accepted or rejected, in order (copies)."""
        return tuple(_copy_write(write) for write in self._writes)

    # --- writing -------------------------------------------------------------------------

    def create(self, obj: Mapping[str, Any]) -> WriteResult:
        """Create ``obj``."""
        body: dict[str, Any] = copy_json(obj)
        ref = _ref_of(body)
        if isinstance(ref, Rejected):
            return ref
        if ref in self._objects:
            return self._record("create", ref, body, already_exists(self._resource(ref), ref.name))
        admission = self._admit(ref, body)
        refusal = self._refusal(ref, admission)
        if refusal is not None:
            return self._record("create", ref, body, refusal)
        stored = self._stamp_new(ref, admission.obj)
        return self._record("create", ref, body, Accepted(copy_json(stored), admission.warnings))

    def patch(self, ref: ObjectRef, patch: Mapping[str, Any]) -> WriteResult:
        """Patch the object at ``ref`` with this server's patch strategy."""
        body: dict[str, Any] = copy_json(patch)
        current = self._objects.get(ref)
        if current is None:
            return self._record("patch", ref, body, not_found(self._resource(ref), ref.name))
        patched = _with_identity(apply_patch(self.patch_strategy, current, body), ref)
        if isinstance(patched, Rejected):
            return self._record("patch", ref, body, patched)
        admission = self._admit(ref, patched)
        refusal = self._refusal(ref, admission)
        if refusal is not None:
            return self._record("patch", ref, body, refusal)
        stored = self._stamp_update(ref, current, admission.obj)
        return self._record("patch", ref, body, Accepted(copy_json(stored), admission.warnings))

    def delete(self, ref: ObjectRef) -> WriteResult:
        """Delete the object at ``ref``."""
        if ref not in self._objects:
            return self._record("delete", ref, None, not_found(self._resource(ref), ref.name))
        del self._objects[ref]
        self._resource_version += 1
        return self._record("delete", ref, None, Accepted(None))

    def seed(self, obj: Mapping[str, Any]) -> tuple[str, ...]:
        """Place an object that already exists: no write is recorded and nothing is refused.

        The server-owned metadata it carries is kept and what it lacks is filled in. What a
        write of it would have been refused for comes back as warnings.
        """
        body: dict[str, Any] = copy_json(obj)
        ref = _ref_of(body)
        if isinstance(ref, Rejected) or not ref.name:
            return ("cannot place an object without apiVersion, kind and metadata.name",)
        admission = self._admit(ref, body)
        self._objects[ref] = self._stamp_seed(ref, admission.obj)
        if admission.refusal is not None:
            return (f"the existing {ref} is not valid: {admission.refusal.message}",)
        return tuple(
            f"the existing {ref} is not valid: {problem}" for problem in admission.problems
        )

    def fork(self) -> ApiServer:
        """An independent copy: same CRDs, options, objects, writes and counters."""
        twin = ApiServer(
            self.crds,
            patch_strategy=self.patch_strategy,
            apply_defaults=self.apply_defaults,
            prune_unknown=self.prune_unknown,
            clock=self.clock,
        )
        twin._objects = {ref: copy_json(obj) for ref, obj in self._objects.items()}
        twin._writes = list(self._writes)  # never mutated in place; handed out as copies
        twin._resource_version = self._resource_version
        twin._created = self._created
        return twin

    # --- admission -----------------------------------------------------------------------

    def _admit(self, ref: ObjectRef, obj: dict[str, Any]) -> _Admission:
        """Prune, default and validate a CRD kind's object; other kinds pass as they are."""
        crd = self.crds.lookup(ref.api_version, ref.kind)
        if crd is None:
            return _Admission(obj)
        version = crd.version(ref.version)
        if version is None:
            return _Admission(obj, refusal=not_served(crd.resource, ref.version))
        validator = self.crds.validator(crd, version)
        review = validator.review(obj)
        problems = tuple(
            sorted([*_name_problems(ref), *_scope_problems(crd, ref), *review.problems])
        )
        warnings = tuple(f'unknown field "{path}"' for path in review.unknown_fields)
        if self.prune_unknown and self.apply_defaults:
            kept = review.admitted
        elif self.prune_unknown:
            kept = validator.prune(obj)
        elif self.apply_defaults:
            kept = validator.apply_defaults(obj)
        else:
            kept = obj
        return _Admission(kept, warnings, problems)

    def _refusal(self, ref: ObjectRef, admission: _Admission) -> Rejected | None:
        if admission.refusal is not None or not admission.problems:
            return admission.refusal
        return self._invalid(ref, admission.problems)

    def _invalid(self, ref: ObjectRef, problems: tuple[FieldError, ...]) -> Rejected:
        crd = self.crds.lookup(ref.api_version, ref.kind)
        kind = crd.qualified_kind if crd else ".".join(filter(None, (ref.kind, ref.group)))
        return invalid_object(kind, ref.name, problems)

    def _resource(self, ref: ObjectRef) -> str:
        """``plural.group`` as the server names a resource (core group: just the plural)."""
        crd = self.crds.lookup(ref.api_version, ref.kind)
        if crd is not None:
            return crd.resource
        builtin = find_builtin(ref.api_version, ref.kind)
        plural = builtin.plural if builtin and builtin.kind == ref.kind else f"{ref.kind.lower()}s"
        return f"{plural}.{ref.group}" if ref.group else plural

    def _record(
        self, verb: Verb, ref: ObjectRef, body: dict[str, Any] | None, result: WriteResult
    ) -> WriteResult:
        self._writes.append(Write(verb, ref, copy_json(body), _copy_result(result)))
        return result

    # --- server-owned metadata -----------------------------------------------------------

    def _stamp_new(self, ref: ObjectRef, obj: dict[str, Any]) -> dict[str, Any]:
        self._created += 1
        self._resource_version += 1
        metadata = _owned_metadata(obj)
        metadata["uid"] = str(uuid.uuid5(UID_NAMESPACE, f"{self._created}/{ref}"))
        metadata["resourceVersion"] = str(self._resource_version)
        metadata["generation"] = 1
        metadata["creationTimestamp"] = self.clock
        self._objects[ref] = {**obj, "metadata": metadata}
        return self._objects[ref]

    def _stamp_update(
        self, ref: ObjectRef, current: dict[str, Any], obj: dict[str, Any]
    ) -> dict[str, Any]:
        old = current["metadata"]
        metadata = _owned_metadata(obj)
        for name in ("uid", "creationTimestamp", "resourceVersion"):
            metadata[name] = old[name]
        changed = not same_json(_content(current), _content(obj))
        metadata["generation"] = _generation(old) + (1 if changed else 0)
        updated = {**obj, "metadata": metadata}
        if same_json(updated, current):
            return current
        self._resource_version += 1
        metadata["resourceVersion"] = str(self._resource_version)
        self._objects[ref] = updated
        return updated

    def _stamp_seed(self, ref: ObjectRef, obj: dict[str, Any]) -> dict[str, Any]:
        metadata = dict(obj["metadata"])
        if "uid" not in metadata:
            self._created += 1
            metadata["uid"] = str(uuid.uuid5(UID_NAMESPACE, f"{self._created}/{ref}"))
        if "resourceVersion" not in metadata:
            self._resource_version += 1
            metadata["resourceVersion"] = str(self._resource_version)
        metadata.setdefault("generation", 1)
        metadata.setdefault("creationTimestamp", self.clock)
        return {**obj, "metadata": metadata}


def _ref_of(body: Mapping[str, Any]) -> ObjectRef | Rejected:
    """The ref a body names (name "" when it has none), or why the server cannot read it."""
    api_version, kind = body.get("apiVersion"), body.get("kind")
    if not isinstance(api_version, str) or not api_version:
        return bad_request("Object 'apiVersion' is missing")
    if not isinstance(kind, str) or not kind:
        return bad_request("Object 'Kind' is missing")
    metadata = body.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    name, namespace = metadata.get("name"), metadata.get("namespace")
    name = name if isinstance(name, str) else ""
    return ObjectRef(api_version, kind, str(namespace) if namespace else None, name)


def _with_identity(obj: dict[str, Any], ref: ObjectRef) -> dict[str, Any] | Rejected:
    """A patched object keeps the identity it is patched at; a patch may not change it."""
    metadata = obj.get("metadata")
    metadata = dict(metadata) if isinstance(metadata, Mapping) else {}
    name, namespace = metadata.get("name", ref.name), metadata.get("namespace") or None
    if name != ref.name:
        return bad_request(
            f"the name of the object ({name}) does not match the name on the URL ({ref.name})"
        )
    if "namespace" in metadata and namespace != ref.namespace:
        return bad_request(
            "the namespace of the provided object does not match the namespace sent on the request"
        )
    kept = (obj.get("apiVersion", ref.api_version), obj.get("kind", ref.kind))
    if kept != (ref.api_version, ref.kind):
        return bad_request(f"a patch cannot change the apiVersion or kind of {ref}")
    metadata["name"] = ref.name
    if ref.namespace:
        metadata["namespace"] = ref.namespace
    return {**obj, "apiVersion": ref.api_version, "kind": ref.kind, "metadata": metadata}


def _name_problems(ref: ObjectRef) -> list[FieldError]:
    if not ref.name:
        return [required("metadata.name", "name or generateName is required")]
    return []


def _scope_problems(crd: Crd, ref: ObjectRef) -> list[FieldError]:
    if crd.namespaced and not ref.namespace:
        return [required("metadata.namespace")]
    if not crd.namespaced and ref.namespace:
        return [forbidden("metadata.namespace", "not allowed on this type")]
    return []


def _owned_metadata(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The object's metadata without what the server owns (to be set by the server)."""
    metadata = obj.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    return {key: value for key, value in metadata.items() if key not in SYSTEM_FIELDS}


def _generation(metadata: Mapping[str, Any]) -> int:
    """The stored generation (a seeded object may carry any value; 1 if it is no number)."""
    value = metadata.get("generation")
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


def _content(obj: Mapping[str, Any]) -> dict[str, Any]:
    """What a change to bumps ``generation``: everything but metadata and status."""
    return {key: value for key, value in obj.items() if key not in ("metadata", "status")}


def _copy_result(result: WriteResult) -> WriteResult:
    if isinstance(result, Accepted):
        return Accepted(copy_json(result.object), result.warnings)
    return result


def _copy_write(write: Write) -> Write:
    return Write(write.verb, write.ref, copy_json(write.body), _copy_result(write.result))
