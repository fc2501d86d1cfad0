"""Built-in Kubernetes kinds: the apiVersion, kind, plural and scope of each.

The table is Kubernetes' own API discovery data for the kinds Koreo's Kubernetes client
(kr8s) ships classes for. Two layers read it: the program, whose client classes start from
these (for them, whether a resource is namespaced comes from this table, not from the
ResourceFunction's ``apiConfig``; see ``koreoctl.program.kinds``), and the simulated API
server, which names their resources by these plurals.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuiltinKind:
    """A built-in kind: its apiVersion, kind, plural and scope."""

    api_version: str
    kind: str
    plural: str
    namespaced: bool

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def version(self) -> str:
        return self.api_version.rpartition("/")[2]


def _kinds(api_version: str, namespaced: bool, *names: tuple[str, str]) -> list[BuiltinKind]:
    return [BuiltinKind(api_version, kind, plural, namespaced) for kind, plural in names]


BUILTIN_KINDS: tuple[BuiltinKind, ...] = tuple(
    _kinds(
        "apiextensions.k8s.io/v1", False, ("CustomResourceDefinition", "customresourcedefinitions")
    )
    + _kinds(
        "apps/v1",
        True,
        ("ControllerRevision", "controllerrevisions"),
        ("DaemonSet", "daemonsets"),
        ("Deployment", "deployments"),
        ("ReplicaSet", "replicasets"),
        ("StatefulSet", "statefulsets"),
    )
    + _kinds("autoscaling/v2", True, ("HorizontalPodAutoscaler", "horizontalpodautoscalers"))
    + _kinds("batch/v1", True, ("CronJob", "cronjobs"), ("Job", "jobs"))
    + _kinds("meta.k8s.io/v1", False, ("Table", "tables"))
    + _kinds("networking.k8s.io/v1", False, ("IPAddress", "ipaddresses"))
    + _kinds("networking.k8s.io/v1", True, ("Ingress", "ingresses"))
    + _kinds("networking.k8s.io/v1", False, ("IngressClass", "ingressclasses"))
    + _kinds("networking.k8s.io/v1", True, ("NetworkPolicy", "networkpolicies"))
    + _kinds("networking.k8s.io/v1", False, ("ServiceCIDR", "servicecidrs"))
    + _kinds("policy/v1", True, ("PodDisruptionBudget", "poddisruptionbudgets"))
    + _kinds(
        "rbac.authorization.k8s.io/v1",
        False,
        ("ClusterRole", "clusterroles"),
        ("ClusterRoleBinding", "clusterrolebindings"),
    )
    + _kinds(
        "rbac.authorization.k8s.io/v1", True, ("Role", "roles"), ("RoleBinding", "rolebindings")
    )
    + _kinds(
        "v1",
        True,
        ("Binding", "bindings"),
        ("ConfigMap", "configmaps"),
        ("Endpoints", "endpoints"),
        ("Event", "events"),
        ("LimitRange", "limitranges"),
        ("PersistentVolumeClaim", "persistentvolumeclaims"),
        ("Pod", "pods"),
        ("PodTemplate", "podtemplates"),
        ("ReplicationController", "replicationcontrollers"),
        ("ResourceQuota", "resourcequotas"),
        ("Secret", "secrets"),
        ("Service", "services"),
        ("ServiceAccount", "serviceaccounts"),
    )
    + _kinds(
        "v1",
        False,
        ("ComponentStatus", "componentstatuses"),
        ("Namespace", "namespaces"),
        ("Node", "nodes"),
        ("PersistentVolume", "persistentvolumes"),
    )
)


def find_builtin(api_version: str, kind: str) -> BuiltinKind | None:
    """The built-in kind the client would use for (apiVersion, kind), matched as kr8s does.

    The kind matches case-insensitively, by singular or plural name. An apiVersion without a
    group (``v1``) matches that version in any group; when several kinds match, the last in
    the table wins.
    """
    group, _, version = api_version.rpartition("/")
    wanted = kind.lower()
    found = None
    for builtin in BUILTIN_KINDS:
        if wanted not in (builtin.kind.lower(), builtin.plural):
            continue
        if ("/" not in api_version or builtin.group == group) and builtin.version == version:
            found = builtin
    return found
