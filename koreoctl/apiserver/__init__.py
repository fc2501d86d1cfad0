"""The simulated Kubernetes API server koreoctl runs Koreo programs against.

* ``ApiServer`` - the object store: get/create/patch/delete with CRD validation;
* ``load_crds`` / ``CrdCatalog`` / ``Crd`` - the project's CustomResourceDefinitions;
* ``ObjectRef`` - object identity; ``Accepted`` / ``Rejected`` - write results;
* ``builtins`` - built-in Kubernetes kinds (scope and plural).
"""

from koreoctl.apiserver.crd import Crd, CrdCatalog, CrdVersion, load_crds
from koreoctl.apiserver.refs import ObjectRef
from koreoctl.apiserver.store import (
    SYSTEM_FIELDS,
    Accepted,
    ApiServer,
    PatchStrategy,
    Rejected,
    Write,
    WriteResult,
    merge_patch,
    strip_system_fields,
)

__all__ = [
    "SYSTEM_FIELDS",
    "Accepted",
    "ApiServer",
    "Crd",
    "CrdCatalog",
    "CrdVersion",
    "ObjectRef",
    "PatchStrategy",
    "Rejected",
    "Write",
    "WriteResult",
    "load_crds",
    "merge_patch",
    "strip_system_fields",
]
