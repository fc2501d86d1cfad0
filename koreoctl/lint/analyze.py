"""Linting one file: load it, run every file rule on it, and collect its facts.

This is the expensive, cacheable half of ``koreoctl lint`` (YAML, schemas, CEL parsing);
it depends on nothing outside the file, so its result is keyed by the file's content.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from koreoctl.cel import CelEnv, Program, compile_template
from koreoctl.cel.analysis import Read, Use, Variable, uses
from koreoctl.cel.template import Expr, ListNode, MapNode, Node
from koreoctl.diagnostics import Diagnostic, Span
from koreoctl.lint.facts import FileFacts, FileReport
from koreoctl.lint.sites import KoreoDoc, Site, koreo_docs, sites
from koreoctl.model import Broken, Model, Resource, build_model
from koreoctl.program.compiling import CompileFailure, compile_value
from koreoctl.project.layout import SourceFile
from koreoctl.project.source import SourceDoc, iter_paths, read_file

_SUPPRESS = re.compile(r"#\s*koreoctl:\s*disable(?:=([A-Za-z0-9_, ]+))?")


@dataclass(frozen=True)
class Expression:
    """One ``=`` expression: its site, its path inside the site's value, its program."""

    site: Site
    path: tuple[str | int, ...]
    program: Program
    prefix: int  # the leading "=" signs Koreo strips before parsing

    def span(self, offset: int = 0) -> Span:
        """The file position of character ``offset`` of the CEL text."""
        return self.site.value.at.child(*self.path).point(self.prefix + offset)

    @cached_property
    def uses(self) -> tuple[Use, ...]:
        return uses(self.program.ast)

    @cached_property
    def roots(self) -> tuple[tuple[str, int], ...]:
        """Every free variable the expression uses, and its offset in the CEL text."""
        return tuple(
            (use.name, use.offset) if isinstance(use, Variable) else (use.root, use.root_offset)
            for use in self.uses
            if isinstance(use, Variable | Read)
        )


@dataclass
class FileContext:
    """Everything a file rule may look at: documents, records, compiled expressions."""

    file: str
    docs: tuple[SourceDoc, ...]
    model: Model
    env: CelEnv
    compile_diagnostics: list[Diagnostic] = field(default_factory=list)

    @cached_property
    def resources(self) -> tuple[Resource, ...]:
        return tuple(entry for entry in self.model.entries if not isinstance(entry, Broken))

    @cached_property
    def koreo_docs(self) -> tuple[KoreoDoc, ...]:
        """Every document defining a Koreo resource, valid or not, repeats included."""
        return tuple(koreo_docs(self.docs))

    @cached_property
    def expressions(self) -> tuple[Expression, ...]:
        """Every expression in the file's functions and workflows (compiling them once), read
        from the documents so a resource that fails its schema is still checked."""
        found: list[Expression] = []
        for resource in self.koreo_docs:
            for site in sites(resource):
                found.extend(self._compile(site))
        return tuple(found)

    @property
    def syntax_errors(self) -> list[Diagnostic]:
        """The C001 findings of every expression (compiling them if no rule has yet)."""
        _ = self.expressions
        return self.compile_diagnostics

    def _compile(self, site: Site) -> Iterator[Expression]:
        compiled = compile_value(self.env, site.value, site.field)
        if isinstance(compiled, CompileFailure):
            self.compile_diagnostics.extend(compiled.diagnostics)
            compiled = compile_template(self.env, site.value.data)
        for program, path in _leaves(compiled.root, ()):
            raw = _at_path(site.value.data, path)
            prefix = len(raw) - len(raw.lstrip("=")) if isinstance(raw, str) else 0
            yield Expression(site, path, program, prefix)


def _leaves(node: Node, path: tuple[str | int, ...]) -> Iterator[tuple[Program, Any]]:
    if isinstance(node, Expr):
        yield node.program, node.path
    elif isinstance(node, MapNode):
        for _, _, child in node.items:
            yield from _leaves(child, path)
    elif isinstance(node, ListNode):
        for child in node.items:
            yield from _leaves(child, path)


def _at_path(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part, next((v for k, v in data.items() if f"{k}" == part), None))
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def analyze_file(source: SourceFile, env: CelEnv) -> FileReport:
    """Every file-level diagnostic of ``source`` and its facts for project rules."""
    from koreoctl.lint.extract import extract_facts
    from koreoctl.lint.registry import FILE_RULES
    from koreoctl.lint.rules import k006_koreo_load_rule

    loaded = read_file(source.path, source.display)
    model = build_model(loaded.docs)
    context = FileContext(source.display, loaded.docs, model, env)
    diagnostics = list(loaded.diagnostics)
    diagnostics.extend(d for d in model.diagnostics if not _project_or_superseded(d))
    diagnostics.extend(_crd_diagnostics(model.documents))
    for rule in FILE_RULES:
        diagnostics.extend(rule.check(context))
    diagnostics.extend(k006_koreo_load_rule.check(context))  # the loader leaves these to lint
    diagnostics.extend(context.syntax_errors)
    facts = extract_facts(context)
    text = "\n".join(loaded.lines)
    facts = FileFacts(**{**facts.__dict__, "suppressions": suppressions(text)})
    return FileReport(source.display, tuple(sorted(set(diagnostics))), facts)


_SUPERSEDED = (
    "may have only one of `ref` or `refSwitch`",  # W004 says it better
    "needs exactly one of `ref` or `refSwitch`",
    ".forEach` is missing required field",  # W006
)


def _project_or_superseded(diagnostic: Diagnostic) -> bool:
    """K007 (duplicates) is a project rule; some K003 findings have a clearer workflow rule."""
    if diagnostic.code == "K007":
        return True
    return diagnostic.code == "K003" and any(text in diagnostic.message for text in _SUPERSEDED)


def _crd_diagnostics(documents: tuple[SourceDoc, ...]) -> Iterator[Diagnostic]:
    """The CRD problems of the file (A004, duplicates, is a project rule), each at the field
    its message names rather than at the start of the CRD."""
    from koreoctl.apiserver import load_crds

    by_span = {doc.span: doc for doc in documents}
    _, problems = load_crds((doc.data, doc.span) for doc in documents)
    for diagnostic in problems:
        doc = by_span.get(diagnostic.span) if diagnostic.span else None
        if diagnostic.code == "A004" or doc is None:
            continue
        path = _crd_field(diagnostic, doc)
        yield replace(diagnostic, span=doc.key_span_of(path)) if path else diagnostic


_CRD_FIELD = re.compile(r"(?:(?<=: )|(?<=\[))((?:spec|metadata)(?:\.[\w$-]+|\[[^\]]*\])*)(?=: )")
_FIELD_PART = re.compile(r"\.?([\w$-]+)|\[([^\]]*)\]")


def _crd_field(diagnostic: Diagnostic, doc: SourceDoc) -> tuple[str | int, ...] | None:
    """The YAML path of the field a CRD problem names (for A005, its first CEL rules)."""
    if diagnostic.code == "A005":
        return next(
            (
                path
                for path, _ in iter_paths(doc.data)
                if path[-1:] == ("x-kubernetes-validations",)
            ),
            None,
        )
    match = _CRD_FIELD.search(diagnostic.message)
    if match is None:
        return None
    return tuple(
        name or (int(index) if index.isdigit() else index)
        for name, index in _FIELD_PART.findall(match.group(1))
    )


def suppressions(text: str) -> dict[int, tuple[str, ...]]:
    """Lines carrying ``# koreoctl: disable[=CODE,...]``: their codes ("*" for all)."""
    found: dict[int, tuple[str, ...]] = {}
    if "koreoctl:" not in text:
        return found
    for number, line in enumerate(text.split("\n"), start=1):
        match = _SUPPRESS.search(line)
        if match:
            codes = match.group(1)
            names = (
                tuple(sorted({c.strip() for c in codes.split(",") if c.strip()})) if codes else ()
            )
            found[number] = names or ("*",)
    return found
