"""The graph of a Workflow: nodes, edges and marks on small built programs, and each format's
text (Mermaid, dot, SVG) checked by hand."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET

import pytest

from koreoctl.errors import UsageError
from koreoctl.graph import (
    Edge,
    Graph,
    Node,
    build_graph,
    select_workflow,
    to_dot,
    to_mermaid,
    to_svg,
)
from koreoctl.model import build_model
from koreoctl.program import PreparedWorkflow, Program, link
from koreoctl.project.source import parse_text

FUNCTIONS = """
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata: {name: pick, namespace: ns}
spec:
  return: {value: =inputs.value}
---
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata: {name: other, namespace: ns}
spec:
  return: {value: 1}
---
apiVersion: koreo.dev/v1beta1
kind: ResourceTemplate
metadata: {name: base-config, namespace: ns}
spec:
  template: {apiVersion: v1, kind: ConfigMap}
---
apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata: {name: config-map, namespace: ns}
spec:
  apiConfig: {apiVersion: v1, kind: ConfigMap, name: =inputs.name, namespace: ns}
  resourceTemplateRef: {name: base-config}
  overlays:
    - overlayRef: {kind: ValueFunction, name: other}
"""


def program(workflow_spec: str) -> Program:
    """The functions above and one Workflow ``wf`` in namespace ``ns`` with this spec."""
    workflow = (
        "apiVersion: koreo.dev/v1beta1\nkind: Workflow\nmetadata: {name: wf, namespace: ns}\n"
        "spec:\n" + textwrap.indent(textwrap.dedent(workflow_spec), "  ")
    )
    text = FUNCTIONS + "---\n" + workflow
    return link(build_model(parse_text(text, "wf.koreo").docs))


def graph_of(workflow_spec: str) -> Graph:
    built = program(workflow_spec)
    found = select_workflow(built, "wf", "wf.koreo")
    assert isinstance(found, PreparedWorkflow)
    return build_graph(built, found)


FOR_EACH = """
crdRef: {apiGroup: x.dev, version: v1, kind: Thing}
steps:
  - label: first
    ref: {kind: ValueFunction, name: pick}
    inputs: {value: =parent.spec.items}
  - label: each
    ref: {kind: ResourceFunction, name: config-map}
    forEach: {itemIn: =steps.first.value, inputKey: name}
    skipIf: =steps.first.value.size() == 0
    condition: {type: MapsReady, name: Maps}
"""


def test_for_each_skip_if_and_condition_are_marked_and_read_fields_label_edges() -> None:
    graph = graph_of(FOR_EACH)
    assert graph.name == "ns/wf"
    assert [node.id for node in graph.nodes] == [
        "trigger",
        "step_first",
        "step_each",
        "rf_config_map",
        "t_base_config",
        "vf_other",
        "vf_pick",
    ]  # the trigger, the steps in order, then the rest sorted by id
    assert graph.node("trigger") == Node("trigger", "trigger", "Thing", ("trigger: x.dev/v1",))
    assert graph.node("step_each") == Node(
        "step_each",
        "step",
        "each",
        (
            "forEach name in =steps.first.value",
            "skipIf =steps.first.value.size() == 0",
            "condition MapsReady",
        ),
        ("forEach", "skipIf", "condition"),
    )
    assert graph.node("rf_config_map").lines == ("ResourceFunction: ConfigMap",)
    assert graph.edges == (
        Edge("trigger", "step_first", "data", "inputs"),
        Edge("step_first", "step_each", "data", "skipIf, forEach"),
        Edge("step_first", "vf_pick", "calls"),
        Edge("step_each", "rf_config_map", "calls"),
        Edge("rf_config_map", "t_base_config", "uses", "template"),
        Edge("rf_config_map", "vf_other", "uses", "overlay"),
    )


REF_SWITCH = """
steps:
  - label: choose
    refSwitch:
      switchOn: =inputs.kind
      cases:
        - {case: a, kind: ValueFunction, name: pick}
        - {case: b, kind: ValueFunction, name: other, default: true}
  - label: use
    ref: {kind: ValueFunction, name: pick}
    inputs: {value: =steps.choose.value}
"""


def test_a_ref_switch_calls_each_case_and_no_trigger_is_drawn_without_parent_reads() -> None:
    graph = graph_of(REF_SWITCH)
    assert [node.id for node in graph.nodes] == ["step_choose", "step_use", "vf_other", "vf_pick"]
    assert graph.node("step_choose").lines == ("refSwitch on =inputs.kind",)
    assert graph.node("step_choose").marks == ("refSwitch",)
    assert graph.edges == (
        Edge("step_choose", "step_use", "data", "inputs"),
        Edge("step_choose", "vf_other", "calls", "case b (default)"),
        Edge("step_choose", "vf_pick", "calls", "case a"),
        Edge("step_use", "vf_pick", "calls"),
    )


BROKEN = """
steps:
  - label: early
    ref: {kind: ValueFunction, name: missing-one}
  - label: late
    ref: {kind: ValueFunction, name: pick}
    inputs: {value: =steps.later.value}
"""


def test_a_missing_function_and_a_step_that_cannot_be_prepared_are_marked() -> None:
    graph = graph_of(BROKEN)
    early = graph.node("step_early")
    assert early.marks == ("error",)
    assert early.lines == ("not ready: 'ValueFunction:missing-one' not cached; will retry.",)
    late = graph.node("step_late")
    assert late.lines == ("not ready: Step 'late', must come after later.",)
    assert graph.node("vf_missing_one") == Node(
        "vf_missing_one", "ValueFunction", "missing-one", ("ValueFunction", "missing"), ("missing",)
    )
    assert [edge.kind for edge in graph.edges] == ["calls", "calls"]  # no data edge known


def test_mermaid_text_for_a_ref_switch() -> None:
    assert to_mermaid(graph_of(REF_SWITCH)) == textwrap.dedent(
        """\
        flowchart TD
          %% Workflow ns/wf
          step_choose{{"choose<br/>refSwitch on =inputs.kind"}}
          step_use["use"]
          vf_other("other<br/>ValueFunction")
          vf_pick("pick<br/>ValueFunction")
          step_choose ==>|"inputs"| step_use
          step_choose -->|"case b (default)"| vf_other
          step_choose -->|"case a"| vf_pick
          step_use --> vf_pick
          classDef trigger fill:#eef6ff,stroke:#3b6ea5
          classDef step fill:#fff8e6,stroke:#b07d12
          classDef ValueFunction fill:#eefaf0,stroke:#2e7d32
          classDef ResourceFunction fill:#f3eefc,stroke:#6a3fb5
          classDef Workflow fill:#eef6ff,stroke:#3b6ea5
          classDef template fill:#f5f5f5,stroke:#666
          classDef skipIf stroke-dasharray:5 3
          classDef error fill:#fdecea,stroke:#c62828,color:#c62828
          class step_choose,step_use step
          class vf_other,vf_pick ValueFunction
        """
    )


HOSTILE = Graph(
    'a"b',
    (Node("step_x", "step", 'say "hi" <b>#1</b> & \\n', ("skipIf =x",), ("skipIf",)),),
    (),
)


def test_mermaid_escapes_quotes_angle_brackets_and_hashes() -> None:
    line = to_mermaid(HOSTILE).splitlines()[2]
    assert line == '  step_x["say #quot;hi#quot; #lt;b#gt;#35;1#lt;/b#gt; & \\n<br/>skipIf =x"]'
    assert "class step_x step,skipIf" not in to_mermaid(HOSTILE)
    assert "  class step_x skipIf" in to_mermaid(HOSTILE).splitlines()


def test_dot_escapes_quotes_and_backslashes() -> None:
    lines = to_dot(HOSTILE).splitlines()
    assert lines[0] == 'digraph "a\\"b" {'
    assert lines[4] == (
        '  "step_x" [label="say \\"hi\\" <b>#1</b> & \\\\n\\nskipIf =x", shape=box, '
        'style="dashed,filled", fillcolor="#fff8e6"];'
    )


def test_svg_is_xml_with_the_text_escaped_and_every_node_drawn() -> None:
    svg = to_svg(HOSTILE)
    root = ET.fromstring(svg)  # would raise on an unescaped < or &
    namespace = "{http://www.w3.org/2000/svg}"
    texts = [element.text for element in root.iter(f"{namespace}text")]
    assert texts == ['say "hi" <b>#1</b> & \\n', "skipIf =x"]
    assert root.find(f"{namespace}title") is not None
    assert root.find(f"{namespace}title").text == 'Workflow a"b'  # type: ignore[union-attr]


def test_svg_rows_follow_the_data_edges() -> None:
    root = ET.fromstring(to_svg(graph_of(FOR_EACH)))
    namespace = "{http://www.w3.org/2000/svg}"
    middles: dict[str, float] = {}
    for group in root.iter(f"{namespace}g"):
        title = group.find(f"{namespace}title")
        rect = group.findall(f"{namespace}rect")[-1]  # the frame (a forEach has one behind)
        assert title is not None and rect is not None and title.text is not None
        middles[title.text] = float(rect.get("y", "0")) + float(rect.get("height", "0")) / 2
    # trigger, then first, then each: one row each; a step level with the first thing it calls.
    assert middles["trigger: Thing"] < middles["step: first"] < middles["step: each"]
    assert middles["ValueFunction: pick"] == middles["step: first"]
    assert middles["ResourceFunction: config-map"] == middles["step: each"]
    assert len(middles) == 7  # every node drawn once (no function is shared here)
    frames = {
        group.findtext(f"{namespace}title"): len(group.findall(f"{namespace}rect"))
        for group in root.iter(f"{namespace}g")
    }
    assert frames["step: each"] == 2 and frames["step: first"] == 1  # forEach: a frame behind


def test_select_workflow_by_namespace_and_name_and_unknown_names() -> None:
    built = program(REF_SWITCH)
    assert isinstance(select_workflow(built, "ns/wf", "here"), PreparedWorkflow)
    with pytest.raises(UsageError) as unknown:
        select_workflow(built, "wff", "here")
    assert str(unknown.value) == "no Workflow 'wff' in here (did you mean 'wf'?)"
    with pytest.raises(UsageError) as elsewhere:
        select_workflow(built, "nx/wf", "here")
    assert str(elsewhere.value) == "no Workflow 'nx/wf' in here (did you mean 'ns/wf'?)"
    with pytest.raises(UsageError) as far:
        select_workflow(built, "zzzzzz", "here")
    assert str(far.value) == "no Workflow 'zzzzzz' in here (its Workflows: ns/wf)"
