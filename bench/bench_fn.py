"""Benchmark ``koreoctl fn do``: ``vet-celexpr`` then ``set-image`` over a unit of 5,000 resources.

Prints figures; asserts nothing (speed goals are read from these numbers, never tested).
Usage::

    python bench/bench_fn.py [--resources 5000] [--repeats 5] [--kinds mixed|deployments]

The unit is written as YAML text with comments, the way a rendered unit looks. ``mixed``
(the default) repeats an application's three resources: a Deployment (one container with
ports, env and resources; 32 lines), a Service (15 lines) and a ConfigMap (9 lines);
``deployments`` makes every resource a Deployment. The sequence is::

    vet-celexpr "has(r.metadata.labels) && 'app' in r.metadata.labels" \
      -- set-image app registry.example.dev/app:2.0

Timed: ``api.fn_do`` in-process (read the file, parse every document, run both functions,
write the changed unit's text), and the whole command as a subprocess (``python -m
koreoctl``, interpreter start-up included). Goal: <= 3 s. Figures are medians of
``--repeats`` runs, with min and max (the machine is noisy).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEPLOYMENT = """\
# the {name} application
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: bench
  labels:
    app: {name}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
        - name: app
          image: registry.example.dev/app:1.{minor}  # pinned by release
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
          resources:
            limits:
              cpu: 500m
              memory: 256Mi
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: bench
  labels:
    app: {name}
spec:
  selector:
    app: {name}
  ports:
    - name: http
      port: 80
      targetPort: 8080
"""
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-config
  namespace: bench
  labels:
    app: {name}
data:
  mode: production
"""
EXPRESSION = "has(r.metadata.labels) && 'app' in r.metadata.labels"
IMAGE = "registry.example.dev/app:2.0"


def unit_text(count: int, kinds: str) -> str:
    templates = (DEPLOYMENT,) if kinds == "deployments" else (DEPLOYMENT, SERVICE, CONFIGMAP)
    documents = []
    for number in range(count):
        template = templates[number % len(templates)]
        name = f"web-{number // len(templates):04d}"
        documents.append(template.format(name=name, minor=number % 7))
    return "---\n".join(documents)


def argv() -> list[str]:
    return ["vet-celexpr", EXPRESSION, "--", "set-image", "app", IMAGE]


def time_in_process(path: Path, repeats: int) -> tuple[list[float], int, int]:
    from koreoctl import api

    times = []
    changes = failed = 0
    for _ in range(repeats):
        started = time.perf_counter()
        run = api.fn_do(str(path), argv())
        times.append(time.perf_counter() - started)
        changes = len(run.report.changes)
        failed = sum(len(e.validation.failed) for e in run.report.validations if e.validation)
    return times, changes, failed


def time_command(path: Path, repeats: int) -> list[float]:
    times = []
    command = [sys.executable, "-m", "koreoctl", "fn", "do", str(path), *argv()]
    for _ in range(repeats):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
        if done.returncode not in (0, 1):
            sys.exit(f"koreoctl failed ({done.returncode}): {done.stderr.decode()[-400:]}")
    return times


def figure(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--kinds", choices=("mixed", "deployments"), default="mixed")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "unit.yaml"
        text = unit_text(options.resources, options.kinds)
        path.write_text(text)
        lines = text.count("\n")
        print(f"unit: {options.resources} resources ({options.kinds}), {lines} lines")
        times, changes, failed = time_in_process(path, options.repeats)
        print(f"in-process api.fn_do: {figure(times)}; {changes} changes, {failed} failures")
        print(f"command (python -m koreoctl fn do): {figure(time_command(path, options.repeats))}")
        print("goal: <= 3 s")


if __name__ == "__main__":
    main()
