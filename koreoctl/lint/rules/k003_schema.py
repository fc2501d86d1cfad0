"""K003 schema: The resource violates its kind's schema.

Wrong types, missing required fields, `oneOf` rules (such as both `resource` and
`resourceTemplateRef`), limits; reported at the offending field.

Failing::

    kind: ResourceFunction
    spec:
      apiConfig: {apiVersion: v1, kind: ConfigMap, name: x, namespace: y}
      resource: {}
      resourceTemplateRef: {name: t}

Passing::

    kind: ResourceFunction
    spec:
      apiConfig: {apiVersion: v1, kind: ConfigMap, name: x, namespace: y}
      resource: {}

Found while loading the project, so ``koreoctl test`` reports it too.
"""

from __future__ import annotations

from koreoctl.diagnostics import Severity
from koreoctl.lint.rule import Rule

RULE = Rule("K003", "schema", Severity.ERROR, "The resource violates its kind's schema.", "load")
