"""Plain data → YAML text that every Kubernetes tool reads back the same (ruamel, dumping only).

``dump_yaml_documents`` writes a multi-document stream for ``koreoctl render``: block style,
mapping keys sorted, two-space indents with sequences indented under their key, lines never
folded, multi-line strings as literal blocks, and the same bytes for the same data on every
run. A string is left unquoted only when YAML 1.1 (PyYAML, as koreoctl reads; go-yaml v2, as
kubectl reads) and YAML 1.2 all read it back as that string, so ``"yes"``, ``"y"``, ``"0777"``,
``"1e5"`` and ``"2024-01-01"`` are quoted.

Reading YAML (with positions) is ``source.py``'s job; this module only writes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import SafeRepresenter
from ruamel.yaml.resolver import VersionedResolver

from koreoctl.project.source import PyYamlResolver

_STR_TAG = "tag:yaml.org,2002:str"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_GO_YAML_V2_BOOLEANS = frozenset({"y", "Y", "n", "N"})  # booleans to go-yaml v2, not PyYAML


class CautiousResolver(PyYamlResolver):
    """Resolves a plain scalar to the first non-string type any common reader gives it, so
    the emitter quotes every string some reader would take for something else."""

    def __init__(self, version: Any = None, loader: Any = None, loadumper: Any = None) -> None:
        super().__init__(version, loader, loadumper)
        self._yaml12 = VersionedResolver(version=(1, 2))

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        tag = super().resolve(kind, value, implicit)
        if kind is not ScalarNode or not implicit[0] or tag != _STR_TAG:
            return tag
        if value in _GO_YAML_V2_BOOLEANS:
            return _BOOL_TAG
        return self._yaml12.resolve(kind, value, implicit)


def float_text(data: float) -> str:
    """A float as every YAML version reads it back as the same float (``1.0e+20``: YAML 1.1
    needs the dot; ``.nan``, ``.inf``, ``-.inf``)."""
    if data != data:
        return ".nan"
    if data in (float("inf"), float("-inf")):
        return ".inf" if data > 0 else "-.inf"
    text = repr(data).lower()
    if "." not in text and "e" in text:
        text = text.replace("e", ".0e", 1)
    return text


class _Representer(SafeRepresenter):
    """The safe representer, with multi-line strings as literal blocks, floats as every YAML
    version reads them, and keys kept in the order given (sorted first, by a total order)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sort_base_mapping_type_on_output = False

    def represent_str(self, data: str) -> Any:
        style = "|" if "\n" in data else None
        return self.represent_scalar(_STR_TAG, data, style=style)

    def represent_float(self, data: float) -> Any:
        return self.represent_scalar("tag:yaml.org,2002:float", float_text(data))


_Representer.add_representer(str, _Representer.represent_str)
_Representer.add_representer(float, _Representer.represent_float)


def dump_yaml_documents(documents: Iterable[tuple[Any, str | None]]) -> str:
    """``(data, comment)`` pairs as one YAML stream: each document after a ``---`` line
    (but the first), its comment (folded onto one line) above it as ``# comment``."""
    parts = []
    for data, comment in documents:
        head = f"# {' '.join(comment.split())}\n" if comment else ""
        parts.append(head + _dump(data))
    return "---\n".join(parts)


def _dump(data: Any) -> str:
    yaml = YAML(typ="safe", pure=True)  # the pure emitter honours the resolver and representer
    yaml.Representer = _Representer
    yaml.Resolver = CautiousResolver
    yaml.default_flow_style = False
    yaml.width = 1 << 30  # never fold a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(_sorted(data), stream)
    return stream.getvalue()


def _sorted(data: Any) -> Any:
    """``data`` with every mapping's keys sorted: strings first, then other keys as text."""
    if isinstance(data, dict):
        keys = sorted(data, key=lambda key: (not isinstance(key, str), str(key)))
        return {key: _sorted(data[key]) for key in keys}
    if isinstance(data, list | tuple):
        return [_sorted(item) for item in data]
    return data
