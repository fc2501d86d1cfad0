"""A synthetic Koreo project for benchmarks: N Functions, N/2 FunctionTests, N/20 Workflows.

    python bench/generate_project.py OUT [--functions 1000]

The project is in the Choreo layout (``crds/``, ``in/``): a CRD for the Workflows' trigger
and for half of the managed kinds, one file per Function (with its FunctionTest for every
other Function) and one per Workflow. Everything is valid, deterministic for a given size,
and shaped like real programs: preconditions, locals, overlays, templates, compare
directives and steps wired through ``steps.<label>``.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

NAMESPACE = "bench"


def crd(kind: str, plural: str) -> str:
    return f"""\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {plural}.bench.koreoctl.dev
spec:
  group: bench.koreoctl.dev
  scope: Namespaced
  names: {{kind: {kind}, plural: {plural}}}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {{type: integer, minimum: 0}}
                name: {{type: string}}
                labels: {{type: object, additionalProperties: {{type: string}}}}
                tags: {{type: array, items: {{type: string}}}}
            status:
              type: object
              x-kubernetes-preserve-unknown-fields: true
"""


def value_function(index: int) -> str:
    return f"""\
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: config-{index}.v1
  namespace: {NAMESPACE}
spec:
  preconditions:
    - assert: =inputs.size >= 0
      permFail:
        message: =string(inputs.size) + " is not a size"
    - assert: =has(inputs.name)
      skip:
        message: no name
  locals:
    base: =inputs.name + "-{index}"
  return:
    name: =locals.base
    size: =inputs.size * {index % 7 + 1}
    labels:
      app: =inputs.name
      index: i{index}
"""


def resource_function(index: int) -> str:
    kind = "Widget" if index % 2 else "Gadget"
    return f"""\
apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata:
  name: resource-{index}.v1
  namespace: {NAMESPACE}
spec:
  preconditions:
    - assert: =inputs.config.size > 0
      depSkip:
        message: waiting for a size
  locals:
    labels: =inputs.config.labels
  apiConfig:
    apiVersion: bench.koreoctl.dev/v1
    kind: {kind}
    name: =inputs.config.name
    namespace: {NAMESPACE}
  resource:
    spec:
      x-koreo-compare-as-set: [tags]
      name: =inputs.config.name
      size: =inputs.config.size
      labels: =locals.labels
      tags: [a, b]
  overlays:
    - skipIf: =inputs.config.size > 100
      overlay:
        spec:
          tags: [a, b, big]
  postconditions:
    - assert: =has(resource.status.ready)
      retry:
        message: waiting for {kind} {index}
        delay: 10
  return:
    ref: =self_ref(resource)
"""


def value_test(index: int) -> str:
    return f"""\
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: config-{index}-test
  namespace: {NAMESPACE}
spec:
  functionRef: {{kind: ValueFunction, name: config-{index}.v1}}
  inputs: {{name: app, size: 2}}
  testCases:
    - expectReturn:
        name: app-{index}
        size: {2 * (index % 7 + 1)}
        labels: {{app: app, index: i{index}}}
    - variant: true
      inputOverrides: {{size: -1}}
      expectOutcome:
        permFail: {{message: not a size}}
"""


def resource_test(index: int) -> str:
    kind = "Widget" if index % 2 else "Gadget"
    return f"""\
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: resource-{index}-test
  namespace: {NAMESPACE}
spec:
  functionRef: {{kind: ResourceFunction, name: resource-{index}.v1}}
  inputs:
    config: {{name: thing-{index}, size: 3, labels: {{app: x}}}}
  testCases:
    - expectOutcome:
        retry: {{message: "Creating {kind}:{NAMESPACE}:thing-{index}.", delay: 30}}
    - expectOutcome:
        retry: {{message: waiting for {kind}, delay: 10}}
"""


def workflow(index: int, functions: int) -> str:
    steps = []
    for step in range(10):
        number = (index * 10 + step) % (functions // 2)
        steps.append(f"""\
    - label: config_{step}
      ref: {{kind: ValueFunction, name: config-{number}.v1}}
      inputs:
        name: =parent.metadata.name
        size: =parent.spec.size
    - label: resource_{step}
      ref: {{kind: ResourceFunction, name: resource-{number}.v1}}
      inputs:
        config: =steps.config_{step}
      condition: {{type: Resource{step}, name: Resource {step}}}""")
    body = "\n".join(steps)
    return f"""\
apiVersion: koreo.dev/v1beta1
kind: Workflow
metadata:
  name: platform-{index}.v1
  namespace: {NAMESPACE}
spec:
  crdRef: {{apiGroup: bench.koreoctl.dev, version: v1, kind: Platform{index}}}
  steps:
{body}
"""


def generate(out: Path, functions: int) -> None:
    """Write the project to ``out`` (replacing what is there)."""
    if out.exists():
        shutil.rmtree(out)
    (out / "crds").mkdir(parents=True)
    (out / "in" / "functions").mkdir(parents=True)
    (out / "in" / "workflows").mkdir(parents=True)
    (out / "crds" / "widgets.yaml").write_text(crd("Widget", "widgets"))
    (out / "crds" / "gadgets.yaml").write_text(crd("Gadget", "gadgets"))
    half = functions // 2
    for index in range(half):
        text = value_function(index)
        if index % 2 == 0:
            text += "---\n" + value_test(index)
        (out / "in" / "functions" / f"config-{index}.koreo").write_text(text)
        text = resource_function(index)
        if index % 2 == 0:
            text += "---\n" + resource_test(index)
        (out / "in" / "functions" / f"resource-{index}.koreo").write_text(text)
    for index in range(max(functions // 20, 1)):
        (out / "in" / "workflows" / f"platform-{index}.koreo").write_text(
            workflow(index, functions)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--functions", type=int, default=1000)
    args = parser.parse_args()
    generate(args.out, args.functions)


if __name__ == "__main__":
    main()
