"""The HTML test report in a real headless browser (Debian's chromium): no console errors or
blocked loads, the expected structure in the DOM, and a screenshot.

Skipped when /usr/bin/chromium is missing on a developer machine; failed under CI (CI set),
where .ci/run installs it. Set KOREOCTL_HTML_SCREENSHOT=FILE to keep the screenshot.

How chromium reports problems, found by trying pages that have them: with
``--enable-logging=stderr --v=0`` every console message is a stderr line
``[...:INFO:CONSOLE:<line>] "<message>", source: <url> (<line>)`` (older releases print
``CONSOLE(<line>)``): an uncaught script error, ``console.error`` and each load the
Content-Security-Policy blocks ("... violates the following Content Security Policy
directive ..."). Everything else on stderr is chromium's own noise (D-Bus, GPU).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from tests.cli.clitools import REPOSITORY

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
_CONSOLE = re.compile(r"CONSOLE[(:]|Refused to |Content Security Policy")

BROKEN_LABEL = "Settings carry the name <and> the standard labels & more"


@pytest.fixture(scope="module")
def chromium() -> Path:
    if CHROMIUM.is_file():
        return CHROMIUM
    message = f"{CHROMIUM} not found (Debian package chromium: apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must have it (.ci/run installs it)")
    pytest.skip(f"{message}; CI is unset")


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report `koreoctl test --html` writes for a real run over copies of two testdata
    projects, one expectation broken (so one case fails, its two variants are skipped, and
    differences show)."""
    from koreoctl import api
    from koreoctl.cli.app import run

    root = tmp_path_factory.mktemp("projects")
    paths = []
    for name in ("hello-workload", "hello-koreo"):
        shutil.copytree(REPOSITORY / "testdata" / name, root / name)
        paths.append(str(root / name))
    _break_expectation(root / "hello-workload" / "in" / "workload-config.koreo")
    report = api.test(paths)
    assert (report.summary.failed, report.summary.skipped) == (1, 2)
    page = root / "report.html"
    assert run(["test", *paths, "--html", str(page), "--quiet"]) == 1  # one case fails
    return page


def _break_expectation(file: Path) -> None:
    """Expect 3 replicas where the function returns 2, and give the case a label to escape."""
    text = file.read_text()
    broken = text.replace(
        "        replicas: 2\n        port: 8080", "        replicas: 3\n        port: 8080", 1
    )
    broken = broken.replace(
        "label: Settings carry the name and the standard labels", f"label: {BROKEN_LABEL}", 1
    )
    assert broken.count("replicas: 3") == 1 and BROKEN_LABEL in broken
    file.write_text(broken)


def browse(chromium: Path, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Chromium on ``page`` with a fresh profile, console messages logged to stderr."""
    profile = page.parent / f"profile-{page.stem}-{len(list(page.parent.glob('profile-*')))}"
    command = [
        str(chromium),
        *FLAGS,
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def console_problems(stderr: str) -> list[str]:
    """The console lines (script errors, console output, blocked loads) in ``stderr``."""
    return [line for line in stderr.splitlines() if _CONSOLE.search(line)]


@pytest.fixture(scope="module")
def dumped(chromium: Path, report_file: Path) -> subprocess.CompletedProcess[str]:
    return browse(chromium, report_file, "--dump-dom")


def test_the_report_loads_without_console_errors(
    dumped: subprocess.CompletedProcess[str],
) -> None:
    assert "</html>" in dumped.stdout  # it did load
    assert console_problems(dumped.stderr) == []


@pytest.mark.parametrize(
    ("injected", "csp", "expected"),
    [
        pytest.param(
            '<img src="http://example.com/x.png" alt="">',
            True,
            "Loading the image 'http://example.com/x.png' violates the following Content "
            "Security Policy directive",
            id="remote-image-under-the-csp",
        ),
        pytest.param(
            "<script>undefinedFunction();</script>",
            True,
            "Executing inline script violates the following Content Security Policy directive",
            id="script-under-the-csp",
        ),
        pytest.param(
            "<script>undefinedFunction();</script>",
            False,
            "Uncaught ReferenceError: undefinedFunction is not defined",
            id="script-error",
        ),
    ],
)
def test_console_errors_would_be_detected(
    chromium: Path, report_file: Path, injected: str, csp: bool, expected: str
) -> None:
    """The check above can fail: the same page with something the browser complains about."""
    page = report_file.read_text()
    if not csp:
        page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    bad = report_file.with_name(f"bad-{len(list(report_file.parent.glob('bad-*')))}.html")
    bad.write_text(page.replace("</body>", f"{injected}\n</body>"), encoding="utf-8")
    problems = console_problems(browse(chromium, bad, "--dump-dom").stderr)
    assert len(problems) == 1
    assert expected in problems[0]


def test_the_dom_has_the_reports_structure(dumped: subprocess.CompletedProcess[str]) -> None:
    dom = dumped.stdout
    names = re.findall(r'<span class="name">([^<]*)</span>', dom)
    assert names == [  # project by project (each loads alone), FunctionTests first in each
        "workload-config-test",
        "workload-deployment-test",
        "workload-service-test",
        "hello-workload-test",
        "hello-workload-slow-rollout-test",
        "hello-workload-unpinned-image-test",
        "bucket-config-test",
        "bucket-test",
    ]
    # FAIL: the verdict, the failing test and its failing case
    assert dom.count('<span class="badge fail">FAIL</span>') == 3
    assert dom.count('<span class="badge skip">SKIP</span>') == 2
    assert dom.count('<span class="badge pass">PASS</span>') == 7 + 23
    assert "1. Settings carry the name &lt;and&gt; the standard labels &amp; more" in dom
    assert "<and>" not in dom  # escaped text, not an element
    assert "<b>replicas</b>: expected '`3`' but found '`2`'" in dom
    assert re.search(r'<figure id="workflow-hello-workload">.*?<svg ', dom, re.DOTALL)
    assert dom.count("<svg ") == 1  # three WorkflowTests, one Workflow
    assert dom.count('<a href="#workflow-hello-workload">') == 3


def test_screenshot(chromium: Path, report_file: Path) -> None:
    png = report_file.with_name("report.png")
    browse(chromium, report_file, f"--screenshot={png}", "--window-size=1280,2000")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1280, 2000)  # IHDR width, height
    keep = os.environ.get("KOREOCTL_HTML_SCREENSHOT")
    if keep:
        shutil.copyfile(png, keep)
