"""Preparing FunctionTests: each case's ``overlayResource`` compiled, as Koreo prepares them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from koreoctl.cel import CelEnv, Template
from koreoctl.model.common import Header
from koreoctl.model.function_test import FunctionTest
from koreoctl.outcome import PermFail
from koreoctl.program.compiling import CompileFailure, compile_value
from koreoctl.program.functions import Unloadable


@dataclass(frozen=True)
class PreparedFunctionTest:
    """A FunctionTest with its cases' resource overlays compiled (by case index)."""

    __test__ = False  # not a pytest class

    model: FunctionTest
    overlays: Mapping[int, Template]

    @property
    def header(self) -> Header:
        return self.model.header


def prepare_function_test(env: CelEnv, test: FunctionTest) -> PreparedFunctionTest | Unloadable:
    """Compile every ``overlayResource``; the first that does not parse fails the test."""
    overlays: dict[int, Template] = {}
    for case in test.test_cases:
        if case.overlay_resource is None:
            continue
        where = f'spec.testCases[{case.index}: "{case.label}"].overlayResource'
        compiled = compile_value(env, case.overlay_resource, where, overlay=True)
        if isinstance(compiled, CompileFailure):
            # Koreo's parse failure has no location, so its test reports ":None".
            failure = PermFail(compiled.message, f"FunctionTest:{test.header.name}:None")
            return Unloadable(test.header, failure, compiled.diagnostics)
        overlays[case.index] = compiled
    return PreparedFunctionTest(test, MappingProxyType(overlays))
