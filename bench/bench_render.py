"""Benchmark ``koreoctl render``: a 50-step Workflow with a ``forEach`` over 100 items.

Prints figures; asserts nothing (speed goals are read from these numbers, never tested).
Usage::

    python bench/bench_render.py [--steps 50] [--items 100] [--repeats 5]

The generated project (in a temporary folder) has a trigger CRD, a config ValueFunction step,
``--steps - 2`` ValueFunction steps chained one after another, and one ResourceFunction step
with ``forEach`` over ``--items`` items, each creating a ConfigMap. Koreo allows at most 20
steps in one Workflow, so the chained steps sit in sub-workflows of up to 19 steps each (the
sub-workflow steps themselves are not counted). Rendering reconciles it to
steady state: pass 1 creates every ConfigMap, pass 2 finds them as wanted (Ok), pass 3 is
the quiet pass. Goal: the whole render (not the project load) <= 2 s. Figures are medians
of ``--repeats`` runs, with min and max (the machine is noisy); per-pass times come from
render's ``progress`` callback.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: benches.bench.koreoctl.dev
spec:
  group: bench.koreoctl.dev
  scope: Namespaced
  names: {kind: Bench, plural: benches, singular: bench}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
            status: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""

FUNCTIONS = """\
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata: {name: config}
spec:
  return:
    name: =inputs.parent.metadata.name
    items: =inputs.parent.spec.items
---
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata: {name: link}
spec:
  return:
    depth: =inputs.depth + 1
    name: =inputs.name
---
apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata: {name: config-map}
spec:
  apiConfig:
    apiVersion: v1
    kind: ConfigMap
    name: =inputs.name + "-" + string(inputs.item)
    namespace: default
  resource:
    data:
      item: =string(inputs.item)
      depth: =string(inputs.depth)
  return:
    name: =resource.metadata.name
"""


MAX_STEPS = 20  # Koreo's schema allows at most 20 steps per Workflow


def chain(name: str, links: int) -> str:
    """A sub-workflow of ``links`` link steps, each reading the one before it."""
    lines = [
        "apiVersion: koreo.dev/v1beta1",
        "kind: Workflow",
        f"metadata: {{name: {name}}}",
        "spec:",
        "  steps:",
    ]
    previous = None
    for index in range(links):
        label = f"link_{index}"
        depth = f"=steps.{previous}.depth" if previous else "=parent.depth"
        lines += [
            f"    - label: {label}",
            "      ref: {kind: ValueFunction, name: link}",
            f"      inputs: {{depth: '{depth}', name: =parent.name}}",
        ]
        previous = label
    lines.append("      state: {depth: =value.depth}")
    return "\n".join(lines) + "\n"


def workflow(steps: int) -> str:
    """The top Workflow: config, sub-workflow steps holding ``steps - 2`` link steps in all
    (at most 20 steps per Workflow), then the forEach step; ``steps`` steps counted together."""
    links = steps - 2
    chains = max(1, -(-links // (MAX_STEPS - 1)))
    sizes = [links // chains + (1 if index < links % chains else 0) for index in range(chains)]
    documents = [chain(f"chain-{index}", size) for index, size in enumerate(sizes)]
    lines = [
        "apiVersion: koreo.dev/v1beta1",
        "kind: Workflow",
        "metadata: {name: bench}",
        "spec:",
        "  crdRef: {apiGroup: bench.koreoctl.dev, version: v1, kind: Bench}",
        "  steps:",
        "    - label: config",
        "      ref: {kind: ValueFunction, name: config}",
        "      inputs: {parent: =parent}",
    ]
    previous = None
    for index in range(chains):
        label = f"chain_{index}"
        depth = f"=steps.{previous}.depth" if previous else "=0"
        lines += [
            f"    - label: {label}",
            f"      ref: {{kind: Workflow, name: chain-{index}}}",
            f"      inputs: {{depth: '{depth}', name: =steps.config.name}}",
        ]
        previous = label
    lines += [
        "    - label: config_maps",
        "      ref: {kind: ResourceFunction, name: config-map}",
        "      forEach: {itemIn: =steps.config.items, inputKey: item}",
        f"      inputs: {{depth: '=steps.{previous}.depth', name: =steps.config.name}}",
    ]
    documents.append("\n".join(lines) + "\n")
    return "---\n".join(documents)


def generate(root: Path, steps: int) -> None:
    (root / "crds").mkdir(parents=True)
    (root / "in").mkdir()
    (root / "crds" / "bench.yaml").write_text(CRD)
    (root / "in" / "functions.koreo").write_text(FUNCTIONS)
    (root / "in" / "workflow.koreo").write_text(workflow(steps))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from koreoctl import api
    from koreoctl.render import render

    trigger = {
        "apiVersion": "bench.koreoctl.dev/v1",
        "kind": "Bench",
        "metadata": {"name": "bench", "namespace": "default"},
        "spec": {"items": list(range(args.items))},
    }
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "project"
        generate(root, args.steps)
        totals: list[float] = []
        loads: list[float] = []
        per_pass: dict[int, list[float]] = {}
        summary = ""
        for _ in range(args.repeats):
            started = time.perf_counter()
            loaded = api.load([str(root)])
            loads.append(time.perf_counter() - started)
            marks = [time.perf_counter()]

            def tick(_report: object, marks: list[float] = marks) -> None:
                marks.append(time.perf_counter())

            result = render(loaded.program, loaded.crds, trigger, progress=tick)
            totals.append(marks[-1] - marks[0])
            for number, (start, end) in enumerate(itertools.pairwise(marks), 1):
                per_pass.setdefault(number, []).append(end - start)
            summary = (
                f"converged={result.converged} passes={len(result.passes)} "
                f"objects={len(result.objects)} outcome={type(result.outcome).__name__}"
            )
    print(f"render: {args.steps}-step Workflow, forEach over {args.items} items ({summary})")
    print(f"  load project  {_figures(loads)}")
    for number, times in sorted(per_pass.items()):
        print(f"  pass {number:<8} {_figures(times)}")
    print(f"  render total  {_figures(totals)}   goal <= 2 s")


def _figures(times: list[float]) -> str:
    return (
        f"median {statistics.median(times):6.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}, n={len(times)})"
    )


if __name__ == "__main__":
    sys.exit(main())
