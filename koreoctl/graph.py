"""Pictures of a Workflow: its steps, the logic each calls and the data between them, drawn
as Mermaid, Graphviz dot or an SVG laid out here (no Graphviz needed).

``build_graph`` turns a prepared Workflow into a ``Graph`` value; ``to_mermaid``, ``to_dot``
and ``to_svg`` turn that value into text. Nodes are the trigger (when a step reads
``parent``), the steps in the order written, then the functions, sub-workflows and
templates they use, sorted by id. Data edges come from the dependencies preparing the
Workflow found (``PreparedStep.dependencies``: the earlier steps a step's expressions read),
each labelled with the fields that read it (``inputs``, ``skipIf``, ``forEach``, ``state``,
``switchOn``). Every output is deterministic: the same files give byte-identical text.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

from koreoctl.errors import UsageError
from koreoctl.model.resource_function import OverlayRef
from koreoctl.model.workflow import LogicRef, Step
from koreoctl.program import (
    ErrorStep,
    PreparedResourceFunction,
    PreparedStep,
    PreparedSwitch,
    PreparedWorkflow,
    Program,
    Unloadable,
)

NodeKind = Literal["trigger", "step", "ValueFunction", "ResourceFunction", "Workflow", "template"]
EdgeKind = Literal["data", "calls", "uses"]
Mark = Literal["forEach", "refSwitch", "skipIf", "condition", "error", "missing", "unloadable"]

FORMATS = ("mermaid", "dot", "svg")
_SHORT = 40  # longest expression shown in a node, in characters


@dataclass(frozen=True)
class Node:
    """One box: ``title`` is its first line, ``lines`` the rest; ``marks`` say how to draw it."""

    id: str
    kind: NodeKind
    title: str
    lines: tuple[str, ...] = ()
    marks: tuple[Mark, ...] = ()

    @property
    def text(self) -> tuple[str, ...]:
        return (self.title, *self.lines)


@dataclass(frozen=True)
class Edge:
    """An arrow: ``data`` (a value read by the target), ``calls`` (a step runs the target) or
    ``uses`` (a ResourceFunction's template or overlay function)."""

    source: str
    target: str
    kind: EdgeKind
    label: str = ""


@dataclass(frozen=True)
class Graph:
    """A Workflow drawn as nodes and edges, in drawing order."""

    name: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, node_id: str) -> Node:
        return next(node for node in self.nodes if node.id == node_id)

    def out(self, node_id: str, kind: EdgeKind) -> tuple[Edge, ...]:
        return tuple(edge for edge in self.edges if edge.source == node_id and edge.kind == kind)


# --- choosing the Workflow ------------------------------------------------------------------


def select_workflow(program: Program, wanted: str, where: str) -> PreparedWorkflow | Unloadable:
    """The Workflow ``wanted`` names (``namespace/name`` or ``name``); UsageError if none or
    several do, naming the closest one or the candidates."""
    namespace, _, name = wanted.rpartition("/")
    items = program.workflows.items()
    found = [
        item
        for header, item in items
        if header.name == name and (not namespace or header.namespace == namespace)
    ]
    qualified = sorted({f"{header.namespace}/{header.name}" for header, _ in items})
    if not found:
        raise UsageError(f"no Workflow {wanted!r} in {where}{_suggestion(wanted, qualified)}")
    spaces = sorted({item.header.namespace for item in found})
    if len(spaces) > 1:
        names = ", ".join(f"{space}/{name}" for space in spaces)
        raise UsageError(f"Workflow {wanted!r} is in several namespaces; name one of {names}")
    return found[-1]  # the last definition loaded wins, as in Koreo


def _suggestion(wanted: str, qualified: Sequence[str]) -> str:
    if not qualified:
        return " (it has no Workflow)"
    names = [] if "/" in wanted else [item.partition("/")[2] for item in qualified]
    candidates = [*qualified, *names]
    close = difflib.get_close_matches(wanted, candidates, n=1, cutoff=0.5)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (its Workflows: {', '.join(qualified)})"


# --- building the graph ---------------------------------------------------------------------


def build_graph(program: Program, workflow: PreparedWorkflow) -> Graph:
    """The graph of ``workflow``: its steps, what they call and read, resolved in ``program``."""
    builder = _Builder(program, workflow.header.namespace)
    pairs = list(zip(workflow.model.steps, workflow.steps, strict=True))
    step_ids = [builder.ids.make("step_" + step.label) for step, _ in pairs]
    steps = [
        _step_node(sid, step, prepared)
        for sid, (step, prepared) in zip(step_ids, pairs, strict=True)
    ]
    for sid, (step, prepared) in zip(step_ids, pairs, strict=True):
        builder.add_calls(sid, step)
        builder.add_reads(sid, prepared, step_ids, [step.label for step, _ in pairs])
    trigger = _trigger_node(workflow) if builder.reads_parent else []
    extras = sorted(builder.nodes.values(), key=lambda node: node.id)
    nodes = (*trigger, *steps, *extras)
    order = {node.id: index for index, node in enumerate(nodes)}
    edges = sorted(set(builder.edges), key=lambda e: (order[e.source], order[e.target], e.kind))
    return Graph(f"{workflow.header.namespace}/{workflow.name}", nodes, tuple(edges))


class _Ids:
    """Mermaid- and dot-safe ids made from names, unique within one graph."""

    def __init__(self) -> None:
        self._taken: set[str] = {"trigger"}

    def make(self, name: str) -> str:
        base = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") or "node"
        made, count = base, 1
        while made in self._taken:
            count += 1
            made = f"{base}_{count}"
        self._taken.add(made)
        return made


class _Builder:
    """Collects the nodes a Workflow's steps reach and the edges between them."""

    def __init__(self, program: Program, namespace: str) -> None:
        self.program = program
        self.namespace = namespace
        self.ids = _Ids()
        self.nodes: dict[tuple[str, str, str], Node] = {}
        self.edges: list[Edge] = []
        self.reads_parent = False

    def add_calls(self, step_id: str, step: Step) -> None:
        if step.ref is not None:
            self.edges.append(Edge(step_id, self.logic(step.ref), "calls"))
            return
        assert step.ref_switch is not None
        for case in step.ref_switch.cases:
            label = f"case {_short(case.case)}" + (" (default)" if case.default else "")
            self.edges.append(Edge(step_id, self.logic(case.ref), "calls", label))

    def add_reads(
        self, step_id: str, prepared: Any, step_ids: Sequence[str], labels: Sequence[str]
    ) -> None:
        if not isinstance(prepared, PreparedStep):
            return
        fields = _read_paths(prepared)
        for dependency in prepared.dependencies:
            source = step_ids[labels.index(dependency)]
            label = _fields_reading(fields, f"steps.{dependency}")
            self.edges.append(Edge(source, step_id, "data", label))
        parent = _fields_reading(fields, "parent")
        if parent:
            self.reads_parent = True
            self.edges.append(Edge("trigger", step_id, "data", parent))

    def logic(self, ref: LogicRef) -> str:
        found: Any
        if ref.kind == "Workflow":
            found = self.program.workflows.find(ref.name, self.namespace)
        else:
            found = self.program.function(ref.kind, ref.name, self.namespace)
        node = self.node(ref.kind, ref.name, found)
        if isinstance(found, PreparedResourceFunction):
            self.add_uses(node.id, found)
        return node.id

    def node(self, kind: str, name: str, found: Any) -> Node:
        namespace = found.header.namespace if found is not None else self.namespace
        key = (kind, namespace, name)
        if key not in self.nodes:
            self.nodes[key] = self.new_node(kind, namespace, name, found)
        return self.nodes[key]

    def new_node(self, kind: str, namespace: str, name: str, found: Any) -> Node:
        shown = name if namespace == self.namespace else f"{namespace}/{name}"
        prefix = {"ValueFunction": "vf_", "ResourceFunction": "rf_", "Workflow": "wf_"}
        node_id = self.ids.make(prefix.get(kind, "t_") + shown)
        lines = [_kind_line(kind, found)]
        marks: tuple[Mark, ...] = ()
        if found is None:
            lines, marks = [*lines, "missing"], ("missing",)
        elif isinstance(found, Unloadable):
            lines, marks = [*lines, "not loadable"], ("unloadable",)
        node_kind: NodeKind = kind if kind in prefix else "template"  # type: ignore[assignment]
        return Node(node_id, node_kind, shown, tuple(lines), marks)

    def add_uses(self, function_id: str, function: PreparedResourceFunction) -> None:
        template = function.model.template_name
        if template is not None:
            self.edges.append(Edge(function_id, self.template(template.data), "uses", "template"))
        for overlay in function.model.overlays:
            if isinstance(overlay, OverlayRef):
                found = self.program.function("ValueFunction", overlay.name, self.namespace)
                target = self.node("ValueFunction", overlay.name, found).id
                self.edges.append(Edge(function_id, target, "uses", "overlay"))

    def template(self, name: Any) -> str:
        if isinstance(name, str) and not name.startswith("="):
            found = self.program.templates.find(name, self.namespace)
            return self.node("ResourceTemplate", name, found).id
        return self.node("ResourceTemplate", _short(name), None).id  # chosen at run time


def _kind_line(kind: str, found: Any) -> str:
    if isinstance(found, PreparedResourceFunction):
        return f"ResourceFunction: {found.model.api_config.kind}"
    return kind


def _step_node(node_id: str, step: Step, prepared: Any) -> Node:
    lines: list[str] = []
    marks: list[Mark] = []
    if step.for_each is not None:
        lines.append(f"forEach {step.for_each.input_key} in {_short(step.for_each.item_in.data)}")
        marks.append("forEach")
    if step.ref_switch is not None:
        lines.append(f"refSwitch on {_short(step.ref_switch.switch_on.data)}")
        marks.append("refSwitch")
    if step.skip_if is not None:
        lines.append(f"skipIf {_short(step.skip_if.data)}")
        marks.append("skipIf")
    if step.condition is not None:
        lines.append(f"condition {step.condition.type}")
        marks.append("condition")
    if isinstance(prepared, ErrorStep):
        lines.append(f"not ready: {_short(prepared.outcome.message, 60)}")
        marks.append("error")
    return Node(node_id, "step", step.label, tuple(lines), tuple(marks))


def _trigger_node(workflow: PreparedWorkflow) -> list[Node]:
    crd = workflow.crd_ref
    if crd is None:
        return [Node("trigger", "trigger", "parent", ("trigger",))]
    return [Node("trigger", "trigger", crd.kind, (f"trigger: {crd.api_group}/{crd.version}",))]


def _read_paths(step: PreparedStep) -> dict[str, frozenset[str]]:
    """The member paths each field of ``step`` reads, by field name."""
    templates = {
        "switchOn": step.logic.switch_on if isinstance(step.logic, PreparedSwitch) else None,
        "skipIf": step.skip_if,
        "forEach": step.for_each.item_in if step.for_each is not None else None,
        "inputs": step.inputs,
        "state": step.state,
    }
    paths: dict[str, frozenset[str]] = {}
    for field, template in templates.items():
        if template is not None:
            found = (program.reads for program in template.programs())
            paths[field] = frozenset().union(*(p for p in found if isinstance(p, frozenset)))
    return paths


def _fields_reading(fields: dict[str, frozenset[str]], root: str) -> str:
    """The fields (comma-separated) with a path at or under ``root``."""
    under = (f"{root}.", f"{root}[")
    reading = [
        field
        for field, paths in fields.items()
        if any(path == root or path.startswith(under) for path in paths)
    ]
    return ", ".join(reading)


def _short(value: Any, limit: int = _SHORT) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Mermaid --------------------------------------------------------------------------------

_MERMAID_SHAPES = {
    "trigger": ('(["', '"])'),
    "step": ('["', '"]'),
    "forEach": ('[["', '"]]'),
    "refSwitch": ('{{"', '"}}'),
    "ValueFunction": ('("', '")'),
    "ResourceFunction": ('("', '")'),
    "Workflow": ('[/"', '"/]'),
    "template": ('[("', '")]'),
}
_MERMAID_ARROWS = {"data": "==>", "calls": "-->", "uses": "-.->"}
_MERMAID_CLASSES = (
    "classDef trigger fill:#eef6ff,stroke:#3b6ea5",
    "classDef step fill:#fff8e6,stroke:#b07d12",
    "classDef ValueFunction fill:#eefaf0,stroke:#2e7d32",
    "classDef ResourceFunction fill:#f3eefc,stroke:#6a3fb5",
    "classDef Workflow fill:#eef6ff,stroke:#3b6ea5",
    "classDef template fill:#f5f5f5,stroke:#666",
    "classDef skipIf stroke-dasharray:5 3",
    "classDef error fill:#fdecea,stroke:#c62828,color:#c62828",
)


def to_mermaid(graph: Graph) -> str:
    """A Mermaid ``flowchart TD``: one line per node, then per edge, then the classes."""
    lines = ["flowchart TD", f"  %% Workflow {graph.name}"]
    lines += [f"  {_mermaid_node(node)}" for node in graph.nodes]
    lines += [f"  {_mermaid_edge(edge)}" for edge in graph.edges]
    lines += [f"  {line}" for line in _MERMAID_CLASSES]
    for name in _class_names(graph):
        members = ",".join(node.id for node in graph.nodes if name in _classes_of(node))
        lines.append(f"  class {members} {name}")
    return "\n".join(lines) + "\n"


def _mermaid_node(node: Node) -> str:
    shape: str = node.kind
    if node.kind == "step":
        shape = "refSwitch" if "refSwitch" in node.marks else shape
        shape = "forEach" if "forEach" in node.marks and shape == "step" else shape
    opening, closing = _MERMAID_SHAPES[shape]
    text = "<br/>".join(_mermaid_text(line) for line in node.text)
    return f"{node.id}{opening}{text}{closing}"


def _mermaid_edge(edge: Edge) -> str:
    arrow = _MERMAID_ARROWS[edge.kind]
    label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
    return f"{edge.source} {arrow}{label} {edge.target}"


def _mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label (its entity codes, ``#name;``)."""
    for plain, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(plain, code)
    return text


def _classes_of(node: Node) -> tuple[str, ...]:
    extra = tuple(mark for mark in node.marks if mark == "skipIf")
    broken = ("error",) if {"error", "missing", "unloadable"} & set(node.marks) else ()
    return (node.kind, *extra, *broken)


def _class_names(graph: Graph) -> list[str]:
    used = {name for node in graph.nodes for name in _classes_of(node)}
    return [line.split()[1] for line in _MERMAID_CLASSES if line.split()[1] in used]


# --- Graphviz dot ---------------------------------------------------------------------------

_DOT_SHAPES = {
    "trigger": 'shape=oval, style=filled, fillcolor="#eef6ff"',
    "step": 'shape=box, style=filled, fillcolor="#fff8e6"',
    "ValueFunction": 'shape=box, style="rounded,filled", fillcolor="#eefaf0"',
    "ResourceFunction": 'shape=box, style="rounded,filled", fillcolor="#f3eefc"',
    "Workflow": 'shape=parallelogram, style=filled, fillcolor="#eef6ff"',
    "template": 'shape=cylinder, style=filled, fillcolor="#f5f5f5"',
}
_DOT_EDGES = {"data": "style=bold", "calls": "style=solid", "uses": "style=dashed"}


def to_dot(graph: Graph) -> str:
    """A Graphviz digraph (``dot -Tsvg``), top to bottom."""
    lines = [
        f"digraph {_dot_string(graph.name)} {{",
        "  rankdir=TB;",
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    lines += [f"  {_dot_node(node)}" for node in graph.nodes]
    lines += [f"  {_dot_edge(edge)}" for edge in graph.edges]
    return "\n".join([*lines, "}"]) + "\n"


def _dot_node(node: Node) -> str:
    attributes = _DOT_SHAPES[node.kind]
    if node.kind == "step":
        if "refSwitch" in node.marks:
            attributes = attributes.replace("shape=box", "shape=hexagon")
        elif "forEach" in node.marks:
            attributes = attributes.replace("shape=box", "shape=box3d")
        if "skipIf" in node.marks:
            attributes = attributes.replace("style=filled", 'style="dashed,filled"')
    if {"error", "missing", "unloadable"} & set(node.marks):
        attributes += ', color="#c62828", fontcolor="#c62828"'
    label = _dot_string("\n".join(node.text))
    return f"{_dot_string(node.id)} [label={label}, {attributes}];"


def _dot_edge(edge: Edge) -> str:
    label = f", label={_dot_string(edge.label)}" if edge.label else ""
    ends = f"{_dot_string(edge.source)} -> {_dot_string(edge.target)}"
    return f"{ends} [{_DOT_EDGES[edge.kind]}{label}];"


def _dot_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


# --- SVG ------------------------------------------------------------------------------------

_CHAR = 7.8  # width of a 12px monospace character, with room for wider fonts
_LINE = 16
_PAD = 8
_GAP = 36
_ROW_GAP = 56
_MARGIN = 20
_FILL = {
    "trigger": "#eef6ff",
    "step": "#fff8e6",
    "ValueFunction": "#eefaf0",
    "ResourceFunction": "#f3eefc",
    "Workflow": "#eef6ff",
    "template": "#f5f5f5",
}


@dataclass(frozen=True)
class _Box:
    node: Node
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def middle(self) -> float:
        return self.y + self.height / 2

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


def to_svg(graph: Graph) -> str:
    """A self-contained SVG: rows of steps by dependency depth (the trigger on top), each step
    followed on its right by what it calls and what those use; data edges between rows.
    A function two steps call is drawn beside each of them."""
    rows = _rows(graph)
    boxes, drawn, width, height = _layout(graph, rows)
    body = [*_svg_edges(graph, boxes, drawn), *(_svg_box(box) for box in drawn)]
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" font-family="monospace" font-size="12">'
    )
    title = f"<title>{escape('Workflow ' + graph.name)}</title>"
    return "\n".join([head, title, *_SVG_DEFS, *body, "</svg>"]) + "\n"


_SVG_DEFS = (
    "<defs>",
    '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
    'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">',
    '<path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker>',
    "</defs>",
    '<rect width="100%" height="100%" fill="#ffffff"/>',
)


def _rows(graph: Graph) -> list[list[str]]:
    """Step ids by depth (1 + the deepest step they read); the trigger alone in row 0."""
    depth: dict[str, int] = {}
    for node in graph.nodes:
        if node.kind == "step":
            sources = [e.source for e in graph.edges if e.target == node.id and e.kind == "data"]
            depth[node.id] = 1 + max((depth.get(s, 0) for s in sources), default=0)
    rows: list[list[str]] = [["trigger"] if any(n.kind == "trigger" for n in graph.nodes) else []]
    for node_id, level in depth.items():
        while len(rows) <= level:
            rows.append([])
        rows[level].append(node_id)
    return [row for row in rows if row]


def _size(node: Node) -> tuple[float, float]:
    longest = max(len(line) for line in node.text)
    return longest * _CHAR + 2 * _PAD, len(node.text) * _LINE + 2 * _PAD - 4


def _layout(
    graph: Graph, rows: list[list[str]]
) -> tuple[dict[str, _Box], list[_Box], float, float]:
    """Boxes in place: ``by_step`` the step boxes (and trigger) by id, and every box drawn."""
    placed: list[list[_Box]] = []
    heights: list[float] = []
    for row in rows:
        boxes: list[_Box] = []
        x = 0.0
        for node_id in row:
            cell = _cell(graph, node_id, x)
            boxes += cell
            x = max(box.right for box in cell) + _GAP
        placed.append(boxes)
        heights.append(max(box.y + box.height for box in boxes))
    width = max(max(box.right for box in row) for row in placed)
    drawn: list[_Box] = []
    y = float(_MARGIN)
    for row_boxes, row_height in zip(placed, heights, strict=True):
        shift = _MARGIN + (width - max(box.right for box in row_boxes)) / 2
        drawn += [_moved(box, shift, y) for box in row_boxes]
        y += row_height + _ROW_GAP
    by_step = {box.node.id: box for box in drawn if box.node.kind in ("step", "trigger")}
    return by_step, drawn, width + 2 * _MARGIN, y - _ROW_GAP + _MARGIN


def _moved(box: _Box, dx: float, dy: float) -> _Box:
    return _Box(box.node, box.x + dx, box.y + dy, box.width, box.height)


def _cell(graph: Graph, node_id: str, x: float) -> list[_Box]:
    """A step's box at ``x`` and, in columns to its right, what it calls and what they use."""
    node = graph.node(node_id)
    width, height = _size(node)
    boxes = [_Box(node, x, 0.0, width, height)]
    column = [node_id]
    while True:
        targets = list(dict.fromkeys(e.target for s in column for e in _calls_or_uses(graph, s)))
        if not targets:
            return _aligned(boxes)
        x = max(box.right for box in boxes) + _GAP
        y = 0.0
        for target in targets:
            target_width, target_height = _size(graph.node(target))
            boxes.append(_Box(graph.node(target), x, y, target_width, target_height))
            y += target_height + _PAD
        column = targets


def _aligned(boxes: list[_Box]) -> list[_Box]:
    """The cell with its step's middle level with the middle of the first thing it calls."""
    if len(boxes) < 2:
        return boxes
    step, first = boxes[0], boxes[1]
    offset = (first.height - step.height) / 2
    if offset >= 0:
        return [_moved(step, 0, offset), *boxes[1:]]
    return [step, *(_moved(box, 0, -offset) for box in boxes[1:])]


def _calls_or_uses(graph: Graph, node_id: str) -> tuple[Edge, ...]:
    return (*graph.out(node_id, "calls"), *graph.out(node_id, "uses"))


def _svg_box(box: _Box) -> str:
    node = box.node
    broken = {"error", "missing", "unloadable"} & set(node.marks)
    stroke = "#c62828" if broken else "#555555"
    radius = 10 if node.kind not in ("step", "template") else 2
    dash = ' stroke-dasharray="5 3"' if "skipIf" in node.marks else ""
    double = "forEach" in node.marks
    shapes = []
    if double:  # a second frame behind: the step runs once per item
        shapes.append(_rect(box.x + 4, box.y + 4, box, radius, stroke, dash))
    shapes.append(_rect(box.x, box.y, box, radius, stroke, dash))
    texts = [
        f'<text x="{box.x + _PAD:g}" y="{box.y + _PAD + 12 + index * _LINE:g}"'
        f"{' font-weight=' + quoteattr('bold') if index == 0 else ''}>{escape(line)}</text>"
        for index, line in enumerate(node.text)
    ]
    title = f"<title>{escape(node.kind + ': ' + node.title)}</title>"
    return f"<g class={quoteattr(node.kind)}>{title}{''.join(shapes)}{''.join(texts)}</g>"


def _rect(x: float, y: float, box: _Box, radius: int, stroke: str, dash: str) -> str:
    fill = "#fdecea" if stroke == "#c62828" else _FILL[box.node.kind]
    return (
        f'<rect x="{x:g}" y="{y:g}" width="{box.width:g}" height="{box.height:g}" '
        f'rx="{radius}" fill="{fill}" stroke="{stroke}"{dash}/>'
    )


def _svg_edges(graph: Graph, steps: dict[str, _Box], drawn: list[_Box]) -> Iterator[str]:
    """Data edges between step boxes, then call and use edges inside each step's cell."""
    for edge in graph.edges:
        if edge.kind == "data":
            yield _data_edge(steps[edge.source], steps[edge.target], edge.label)
    for source, target, edge in _cell_pairs(graph, drawn):
        x1, y1, x2, y2 = source.right, source.middle, target.x, target.middle
        dash = ' stroke-dasharray="4 3"' if edge.kind == "uses" else ""
        yield (
            f'<path d="M{x1:g},{y1:g} C{x1 + 18:g},{y1:g} {x2 - 18:g},{y2:g} {x2:g},{y2:g}" '
            f'fill="none" stroke="#444"{dash} marker-end="url(#arrow)"/>'
            + _label((x1 + x2) / 2, min(y1, y2) + (abs(y2 - y1) / 2) - 3, edge.label)
        )


def _cell_pairs(graph: Graph, drawn: list[_Box]) -> Iterable[tuple[_Box, _Box, Edge]]:
    """(source box, target box, edge) for each call or use, within the cell it was drawn in."""
    cell: list[_Box] = []
    for box in [*drawn, None]:
        if box is None or box.node.kind in ("step", "trigger"):
            yield from _pairs_in(graph, cell)
            cell = [box] if box is not None else []
        else:
            cell.append(box)


def _pairs_in(graph: Graph, cell: list[_Box]) -> Iterable[tuple[_Box, _Box, Edge]]:
    for source in cell:
        for edge in _calls_or_uses(graph, source.node.id):
            target = next(
                (box for box in cell if box.node.id == edge.target and box.x > source.x), None
            )
            if target is not None:
                yield source, target, edge


def _data_edge(source: _Box, target: _Box, label: str) -> str:
    x1, y1 = source.centre, source.y + source.height
    x2, y2 = target.centre, target.y
    if y2 <= y1:  # same row cannot happen (a step reads only earlier rows); keep it drawable
        y2 = target.y + target.height
    bend = (y2 - y1) / 2
    return (
        f'<path d="M{x1:g},{y1:g} C{x1:g},{y1 + bend:g} {x2:g},{y2 - bend:g} {x2:g},{y2:g}" '
        f'fill="none" stroke="#b07d12" stroke-width="2" marker-end="url(#arrow)"/>'
        + _label((x1 + x2) / 2 + 4, (y1 + y2) / 2, label)
    )


def _label(x: float, y: float, text: str) -> str:
    if not text:
        return ""
    width = len(text) * _CHAR * 10 / 12 + 4
    return (
        f'<rect x="{x - 2:g}" y="{y - 9:g}" width="{width:g}" height="12" fill="#ffffff" '
        f'fill-opacity="0.85"/><text x="{x:g}" y="{y:g}" font-size="10" fill="#444">'
        f"{escape(text)}</text>"
    )


__all__ = [
    "FORMATS",
    "Edge",
    "Graph",
    "Node",
    "build_graph",
    "select_workflow",
    "to_dot",
    "to_mermaid",
    "to_svg",
]
