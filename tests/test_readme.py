"""The README's promises: two set-up commands, and CI runs the second one."""

from __future__ import annotations

import re
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def setup_commands() -> list[str]:
    text = (REPOSITORY / "README.md").read_text()
    setup = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", setup, re.S)]


def test_readme_has_exactly_two_setup_commands() -> None:
    install_and_run, run_tests = setup_commands()
    assert "pip install" in install_and_run
    assert "koreoctl test testdata/hello-koreo" in install_and_run
    assert (REPOSITORY / "testdata" / "hello-koreo").is_dir()
    assert "pytest" in run_tests


def test_ci_runs_the_readme_test_command() -> None:
    script = (REPOSITORY / ".ci" / "run").read_text()
    assert "grep -m1 'pytest'" in script  # it takes the command from the README
    assert "set -euo pipefail" in script
