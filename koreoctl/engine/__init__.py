"""The Koreo engine: running functions against a cluster, with the reference engine's semantics."""

from koreoctl.engine.cluster import Cluster
from koreoctl.engine.compare import compare, exact_match
from koreoctl.engine.resource_function import Owner, run_resource_function
from koreoctl.engine.value_function import evaluate_value_function, run_value_function

__all__ = [
    "Cluster",
    "Owner",
    "compare",
    "evaluate_value_function",
    "exact_match",
    "run_resource_function",
    "run_value_function",
]
