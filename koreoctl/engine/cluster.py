"""The one seam between the engine and Kubernetes: what a ResourceFunction needs from a cluster.

The engine reads and writes resources only through a ``Cluster``. koreoctl's simulated API
server satisfies it; a FunctionTest wraps one to give Koreo's test-runner view.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from koreoctl.apiserver import ObjectRef, WriteResult


class Cluster(Protocol):
    """Get, create, patch and delete single objects."""

    def get(self, ref: ObjectRef) -> dict[str, Any] | None:
        """The object (a copy), or None when it does not exist."""
        ...

    def create(self, obj: Mapping[str, Any]) -> WriteResult:
        """Create ``obj``."""
        ...

    def patch(self, ref: ObjectRef, patch: Mapping[str, Any]) -> WriteResult:
        """Patch the object at ``ref``."""
        ...

    def delete(self, ref: ObjectRef) -> WriteResult:
        """Delete the object at ``ref``."""
        ...
