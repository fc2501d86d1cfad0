"""Koreo's CEL: compiling and evaluating ``=`` expressions with celpy (the only celpy user).

Public surface, used by the program and engine layers:

* ``CelEnv`` - celpy with Koreo's helper functions and a per-program compile cache;
* ``compile_template`` / ``Template`` - a YAML value tree compiled leaf by leaf;
* ``evaluate``, ``evaluate_overlay``, ``evaluate_conditions`` - the three ways Koreo
  evaluates a tree, returning values or ``PermFail`` (or raising ``EngineCrash`` where
  Koreo's own code raises);
* ``member_paths`` / ``Unanalysable`` - the variables an expression reads;
* ``to_cel`` / ``to_plain`` - plain data ↔ CEL values; ``deep_overlay`` - the ``overlay``
  helper's merge;
* ``structure_text`` / ``overlay_text`` - a tree (an overlay) as Koreo writes it as one CEL
  text (for reference messages).
"""

from koreoctl.cel.convert import (
    cel_string,
    copy_value,
    empty_map,
    is_bool,
    is_list,
    is_map,
    is_switch_value,
    new_list,
    new_map,
    to_cel,
    to_plain,
)
from koreoctl.cel.encoding import is_expression, overlay_text, structure_text
from koreoctl.cel.environment import CelEnv, ParseError, Program
from koreoctl.cel.functions import deep_overlay
from koreoctl.cel.template import (
    EngineCrash,
    LeafError,
    Template,
    compile_template,
    evaluate,
    evaluate_conditions,
    evaluate_overlay,
)
from koreoctl.cel.uses import Unanalysable, member_paths

__all__ = [
    "CelEnv",
    "EngineCrash",
    "LeafError",
    "ParseError",
    "Program",
    "Template",
    "Unanalysable",
    "cel_string",
    "compile_template",
    "copy_value",
    "deep_overlay",
    "empty_map",
    "evaluate",
    "evaluate_conditions",
    "evaluate_overlay",
    "is_bool",
    "is_expression",
    "is_list",
    "is_map",
    "is_switch_value",
    "member_paths",
    "new_list",
    "new_map",
    "overlay_text",
    "structure_text",
    "to_cel",
    "to_plain",
]
