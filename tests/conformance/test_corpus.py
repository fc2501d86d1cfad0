"""Conformance: koreoctl agrees with the reference Koreo engine on the shared corpus.

For every folder of the corpus (real programs: koreo-core's examples and the koreo.dev
documentation's), ``koreoctl test FOLDER --format json`` must give, for every case, the
reference engine's verdict, outcome type, Retry delay and message (messages that depend on
the reference's hash order are checked up to the field they name).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conformance.harness import (
    compare,
    corpus_root,
    folders_with_expectations,
    require,
    run_json,
)

CORPUS = corpus_root()
FOLDERS = folders_with_expectations(CORPUS)


def test_corpus_is_present() -> None:
    require(CORPUS, "the conformance corpus")
    assert FOLDERS, f"no folder with an expected.json under {CORPUS}"


@pytest.mark.parametrize("folder", FOLDERS, ids=[folder.name for folder in FOLDERS])
def test_folder_agrees_with_reference(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = json.loads((folder / "expected.json").read_text())
    comparison = compare(expected, run_json(folder, capsys))
    problems = [*comparison.disagreements, *comparison.message_mismatches]
    assert not problems, "\n".join(map(str, problems))
