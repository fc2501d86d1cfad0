"""What a lint rule is: a stable code, a name, a default severity and its documentation.

Each rule lives in its own module under ``koreoctl.lint.rules`` with a ``RULE`` and, for
rules koreoctl checks itself, a ``check`` function. The module docstring is the user
documentation (what is wrong, why it matters, a failing and a passing example); ``koreoctl
lint --list-rules`` and ``docs/lint-rules.md`` are made from it.

Some rules are found while loading (YAML, schema and CEL syntax problems); their modules
document them and their ``check`` is the loader itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from koreoctl.diagnostics import Severity

Scope = Literal["load", "file", "project"]


@dataclass(frozen=True)
class Rule:
    """A lint rule's identity: ``code`` (stable), ``name`` (kebab-case), default severity."""

    code: str
    name: str
    severity: Severity
    summary: str
    scope: Scope
