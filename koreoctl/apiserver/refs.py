"""Object identity in the simulated API server: (apiVersion, kind, namespace, name)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ObjectRef:
    """Which object: apiVersion, kind, namespace (None when cluster-scoped) and name.

    The apiVersion is part of the identity: the store does not convert between versions.
    """

    api_version: str
    kind: str
    namespace: str | None
    name: str

    @classmethod
    def of(cls, obj: Mapping[str, Any]) -> ObjectRef:
        """The ref of an object; raises ValueError when it lacks apiVersion, kind or name."""
        metadata = obj.get("metadata")
        metadata = metadata if isinstance(metadata, Mapping) else {}
        api_version, kind, name = obj.get("apiVersion"), obj.get("kind"), metadata.get("name")
        if not (isinstance(api_version, str) and isinstance(kind, str) and isinstance(name, str)):
            raise ValueError("an object needs apiVersion, kind and metadata.name")
        namespace = metadata.get("namespace")
        return cls(api_version, kind, str(namespace) if namespace else None, name)

    @property
    def group(self) -> str:
        """The API group ("" for the core group)."""
        return self.api_version.rpartition("/")[0]

    @property
    def version(self) -> str:
        return self.api_version.rpartition("/")[2]

    def sort_key(self) -> tuple[str, str, str, str]:
        """(apiVersion, kind, namespace, name), a cluster-scoped object's namespace as ""."""
        return (self.api_version, self.kind, self.namespace or "", self.name)

    def __lt__(self, other: ObjectRef) -> bool:
        return self.sort_key() < other.sort_key()

    def __str__(self) -> str:
        if self.namespace:
            return f"{self.kind}:{self.namespace}:{self.name}"
        return f"{self.kind}:{self.name}"
