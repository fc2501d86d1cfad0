"""The simulated Kubernetes API server koreoctl runs Koreo programs against.

* ``ApiServer``: the object store (get/create/patch/delete/seed/fork), validating writes of
  CRD kinds as a real server does; ``PatchStrategy`` chooses how patches apply;
* ``load_crds`` / ``CrdCatalog`` / ``Crd`` / ``CrdVersion``: the project's
  CustomResourceDefinitions, with diagnostics A001-A005 for those a server would refuse;
* ``Validator`` / ``Review``: one CRD version's compiled schema and what it makes of an object;
* ``ObjectRef``: object identity; ``Accepted`` / ``Rejected`` / ``Write``: write results.

Built-in kinds (a ConfigMap, a Deployment) have no CRD: the server stores them as they are
and names their resources by the plurals in ``koreoctl.model.builtin_kinds``.

Module map: crd (CRDs) → openapi (schema rules, JSON Schema) → validation (review), built on
pruning (prune, default), checker (jsonschema keywords, messages), formats and fielderrors
(the server's wording); store (the server) uses patch, results, refs and jsonvalues.
"""

from koreoctl.apiserver.crd import Crd, CrdCatalog, CrdVersion, load_crds
from koreoctl.apiserver.patch import PatchStrategy, merge_patch
from koreoctl.apiserver.refs import ObjectRef
from koreoctl.apiserver.results import Accepted, Rejected, Write, WriteResult
from koreoctl.apiserver.store import SYSTEM_FIELDS, ApiServer, strip_system_fields
from koreoctl.apiserver.validation import Review, Validator

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
    "Review",
    "Validator",
    "Write",
    "WriteResult",
    "load_crds",
    "merge_patch",
    "strip_system_fields",
]
