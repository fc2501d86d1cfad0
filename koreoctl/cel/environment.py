"""The CEL environment: celpy configured with Koreo's helper functions, and a compile cache.

One ``CelEnv`` serves one loaded program. It parses each distinct CEL text once and keeps the
result (a runner, or the parse error), so the same expression written in many places is
compiled once and evaluated many times. It is a value, never a global: two programs in one
process never share a cache.

Evaluation goes through celpy's own interpreter (the one the reference engine uses). The
runner subclass below only reuses the environment's base activation (the names of Koreo's
helper functions and the well-known protobuf types) instead of rebuilding it on every
evaluation; variables are still bound in a fresh nested activation each time.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import celpy
import lark
from celpy.celparser import CELParseError, CELParser, tree_dump
from celpy.evaluation import CELEvalError, Evaluator

from koreoctl.cel.functions import ANNOTATIONS, FUNCTIONS
from koreoctl.cel.uses import Unanalysable, member_paths

# celpy logs every evaluation step at INFO/DEBUG; formatting those records costs more than
# evaluating. Its loggers are named after its classes.
for _name in (
    "Environment",
    "NameContainer",
    "Evaluator",
    "evaluation",
    "celtypes",
    "Runner",
    "InterpretedRunner",
):
    logging.getLogger(_name).setLevel(logging.WARNING)


def _cache_folder() -> Path | None:
    """Where koreoctl keeps caches: ``$KOREOCTL_CACHE_DIR``, else the user's cache folder."""
    configured = os.environ.get("KOREOCTL_CACHE_DIR")
    base = Path(configured) if configured else None
    if base is None:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".cache") / "koreoctl"
    try:
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return base if os.access(base, os.W_OK) else None


def _install_cel_parser() -> None:
    """Give celpy its CEL parser, built from lark's on-disk cache when there is one.

    celpy builds its LALR parser from its grammar on first use, which takes about 0.4 s in
    every process. This builds exactly the same parser (celpy's grammar file and options)
    with lark's cache enabled, keyed by grammar, options, lark and Python version, so later
    processes load it in milliseconds. celpy keeps the parser in ``CELParser.CEL_PARSER``.
    """
    if CELParser.CEL_PARSER is not None:
        return
    grammar = (Path(celpy.celparser.__file__).parent / "cel.lark").read_text(encoding="utf-8")
    folder = _cache_folder()
    CELParser.CEL_PARSER = lark.Lark(
        grammar,
        parser="lalr",
        start="expr",
        debug=True,
        g_regex_flags=re.M,
        lexer_callbacks={"IDENT": CELParser.ambiguous_literals},
        propagate_positions=True,
        cache=str(folder / "cel-parser.lark") if folder else False,
    )


class _ReusingRunner(celpy.InterpretedRunner):
    """celpy's interpreter, built once per expression instead of once per evaluation.

    ``evaluate`` is celpy's own; ``Program.run`` reuses ``evaluator`` (celpy's Evaluator for
    this expression), giving it the evaluation's activation, which is built from ``base`` (the
    environment's names: Koreo's functions and the protobuf types) once per ``Bindings``.
    """

    def __init__(self, environment: Any, ast: Any, functions: Any = None) -> None:
        super().__init__(environment, ast, functions)
        self.base = environment.activation()
        self._evaluator: Any = None

    @property
    def evaluator(self) -> Any:
        """celpy's Evaluator for this expression, made when first evaluated."""
        if self._evaluator is None:
            self._evaluator = Evaluator(
                ast=self.ast, activation=self.base, functions=self.functions
            )
        return self._evaluator

    def new_activation(self, context: Any) -> Any:
        return self.base.nested_activation(vars=context)


class _Environment(celpy.Environment):
    """celpy's Environment, building its base activation (the declared names) only once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._base: Any = None

    def activation(self) -> Any:
        if self._base is None:
            self._base = super().activation()
        return self._base


@dataclass(frozen=True)
class ParseError:
    """Why celpy could not parse a CEL text: its message, 1-based line and column, and what
    the parser met there, in words (``unexpected end of expression``, ``unexpected '*'``)."""

    text: str
    message: str
    line: int
    column: int
    reason: str = "syntax error"


_NAME = re.compile(r"^\.?[_a-zA-Z][_a-zA-Z0-9]*(?:\.[_a-zA-Z][_a-zA-Z0-9]*)*$")


class Bindings:
    """The variables of one evaluation, made into a celpy activation once, when first needed.

    Every expression of a tree is evaluated with the same bindings, so they share one
    activation. celpy refuses variable names that are not (dotted) identifiers; Koreo
    evaluates a whole tree in one celpy call, so such a name fails even a tree without
    expressions: ``invalid_names`` says so up front.
    """

    def __init__(self, variables: dict[str, Any]) -> None:
        self.variables = variables
        self._activation: Any = None

    @property
    def invalid_names(self) -> bool:
        return any(not _NAME.match(name) for name in self.variables)

    def activation(self, base: Any) -> Any:
        if self._activation is None:
            self._activation = base.nested_activation(vars=self.variables)
        return self._activation


@dataclass(frozen=True)
class Program:
    """A parsed CEL text, ready to evaluate (its interpreter is made once and reused)."""

    text: str
    ast: Any
    runner: Any

    @cached_property
    def reads(self) -> frozenset[str] | Unanalysable:
        """The member paths the expression reads, or why Koreo cannot tell (computed once)."""
        try:
            return member_paths([self.ast])
        except Unanalysable as reason:
            return reason

    def run(self, bindings: Bindings | dict[str, Any]) -> Any:
        """Evaluate; an evaluation error is returned as a ``celpy.CELEvalError`` value.

        Python exceptions other than CEL errors (a bug in a helper, a value celpy cannot
        handle) propagate to the caller, which reports them as an unknown failure, as the
        reference engine does.
        """
        if isinstance(bindings, dict):
            bindings = Bindings(bindings)
        evaluator = self.runner.evaluator
        evaluator.base_activation = evaluator.activation = bindings.activation(self.runner.base)
        evaluator.level = 0
        try:
            return evaluator.evaluate()
        except CELEvalError as error:
            return error


class CelEnv:
    """celpy with Koreo's functions, plus a per-program cache of parsed texts."""

    def __init__(self) -> None:
        _install_cel_parser()
        self._env = _Environment(annotations=dict(ANNOTATIONS), runner_class=_ReusingRunner)
        self._functions = dict(FUNCTIONS)
        self._cache: dict[str, Program | ParseError] = {}

    def compile(self, text: str) -> Program | ParseError:
        """Parse ``text`` (cached by text)."""
        cached = self._cache.get(text)
        if cached is None:
            cached = self._compile_uncached(text)
            self._cache[text] = cached
        return cached

    def _compile_uncached(self, text: str) -> Program | ParseError:
        try:
            ast = self._env.compile(text)
        except CELParseError as error:
            return ParseError(
                text, str(error), error.line or 0, error.column or 0, _reason(error.__context__)
            )
        runner = self._env.program(ast, functions=self._functions)
        return Program(text, ast, runner)


def _reason(cause: BaseException | None) -> str:
    """The parser's complaint (celpy keeps lark's exception as the error's context)."""
    token = getattr(cause, "token", None)
    if token is not None and str(token):
        return f"unexpected {str(token)!r}"
    if token is not None:
        return "unexpected end of expression"
    char = getattr(cause, "char", None)
    return f"unexpected character {char!r}" if char else "syntax error"


def is_eval_error(value: Any) -> bool:
    """True for a CEL evaluation error value."""
    return isinstance(value, CELEvalError)


def eval_error_detail(error: Any) -> tuple[str, str]:
    """(the CEL source of the failing sub-expression, celpy's error arguments) of an error,
    the arguments rendered as Python 3.13, which Koreo requires, renders them."""
    tree = tree_dump(error.tree) if error is not None and error.tree else ""
    return tree, f"{tuple(map(_as_on_python_313, error.args))}"


class _Shown:
    """Stands for a value in a rendered message: ``repr`` gives ``text``."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


# A bad regex in `matches` carries the exception's class; Python 3.13 renamed `re.error`
# to `re.PatternError` (keeping `re.error` as an alias), so the class shows by its new name.
_PATTERN_ERROR = _Shown("<class 're.PatternError'>")


def _as_on_python_313(arg: Any) -> Any:
    return _PATTERN_ERROR if arg is re.error else arg
