"""Benchmark ``koreoctl diff``: two render payloads of 1,000 Deployments each.

Prints figures; asserts nothing (speed goals are read from these numbers, never tested).
Usage::

    python bench/bench_diff.py [--objects 1000] [--repeats 5]

Each Deployment has two containers (six env entries, two ports each), labels, a
last-applied-configuration annotation, uid / resourceVersion / managedFields and three status
conditions with timestamps. Side B changes 10 % of the objects in one run and 100 % in
another (image, replicas, an env value, one env entry added, a condition's status, and the
noise a real run changes: uid, resourceVersion, timestamps). Timed: ``json.load`` of both
files plus ``diff_payloads``. Goal: <= 1 s. Figures are medians of ``--repeats`` runs, with
min and max (the machine is noisy).
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def deployment(number: int) -> dict[str, Any]:
    name = f"web-{number:04d}"
    containers = [
        {
            "name": container,
            "image": f"registry.example.dev/{container}:1.{number % 7}",
            "env": [{"name": f"VAR_{i}", "value": f"{container}-{i}"} for i in range(6)],
            "ports": [
                {"name": "http", "containerPort": 8080},
                {"name": "metrics", "containerPort": 9090},
            ],
            "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
        }
        for container in ("app", "sidecar")
    ]
    spec = {
        "replicas": 2,
        "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
        "template": {
            "metadata": {"labels": {"app.kubernetes.io/name": name}},
            "spec": {"containers": containers},
        },
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": "bench",
            "uid": f"uid-a-{number}",
            "resourceVersion": "1",
            "labels": {"app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "koreo"},
            "annotations": {"koreo.dev/last-applied-configuration": json.dumps({"spec": spec})},
            "managedFields": [{"manager": "koreo", "operation": "Apply"}],
        },
        "spec": spec,
        "status": {
            "replicas": 2,
            "conditions": [
                {"type": kind, "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}
                for kind in ("Available", "Progressing", "ReplicaFailure")
            ],
        },
    }


def change(obj: dict[str, Any]) -> None:
    obj["metadata"]["uid"] = obj["metadata"]["uid"].replace("-a-", "-b-")
    obj["metadata"]["resourceVersion"] = "2"
    obj["spec"]["replicas"] = 3
    app = obj["spec"]["template"]["spec"]["containers"][0]
    app["image"] = app["image"] + "-rc1"
    app["env"][2]["value"] = "changed"
    app["env"].append({"name": "LOG_LEVEL", "value": "debug"})
    for condition in obj["status"]["conditions"]:
        condition["lastTransitionTime"] = "2026-02-01T00:00:00Z"
    obj["status"]["conditions"][0]["status"] = "False"


def payload(objects: list[dict[str, Any]]) -> dict[str, Any]:
    render = {
        "source": "bench.yaml:1",
        "workflow": "bench",
        "triggerRef": {"apiVersion": "bench.dev/v1", "kind": "Bench", "namespace": "bench"},
        "converged": True,
        "outcome": {"type": "Ok", "message": None, "delay": None},
        "unstable": [],
        "warnings": [],
        "passes": [],
        "objects": objects,
        "managers": {},
    }
    return {"renders": [render], "diagnostics": []}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from koreoctl.snapshots.diff import Side, diff_payloads

    before = [deployment(n) for n in range(args.objects)]
    with tempfile.TemporaryDirectory() as work:
        a_file = Path(work) / "a.json"
        a_file.write_text(json.dumps(payload(before)))
        print(f"diff: two renders of {args.objects} Deployments ({a_file.stat().st_size:,} B each)")
        for percent in (10, 100):
            after = copy.deepcopy(before)
            for obj in after[:: 100 // percent]:
                change(obj)
            b_file = Path(work) / f"b{percent}.json"
            b_file.write_text(json.dumps(payload(after)))
            times: list[float] = []
            summary = ""
            for _ in range(args.repeats):
                started = time.perf_counter()
                with a_file.open() as a_in, b_file.open() as b_in:
                    a_data, b_data = json.load(a_in), json.load(b_in)
                report = diff_payloads("render", Side("a", "A"), a_data, Side("b", "B"), b_data)
                times.append(time.perf_counter() - started)
                fields = sum(len(obj.fields) for obj in report.objects)
                summary = f"{len(report.objects)} changed, {fields} fields, {report.unchanged} same"
            print(f"  {percent:3d} % changed  {_figures(times)}   goal <= 1 s   ({summary})")


def _figures(times: list[float]) -> str:
    return (
        f"median {statistics.median(times):6.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}, n={len(times)})"
    )


if __name__ == "__main__":
    sys.exit(main())
