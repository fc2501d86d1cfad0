"""The exported JSON Schemas in a real YAML language server, set up as docs/editors.md says.

The server (yaml-language-server, pinned in .ci/editor; .ci/run installs it) is driven over
LSP on stdio, the way VS Code's and Neovim's clients drive it: a workspace folder, the
`yaml.schemas` setting of docs/editors.md with its workspace-relative path, then each file
opened; its diagnostics are what the editor would underline. Skipped when the server is not
installed and CI is unset; failed under CI.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

import pytest

from koreoctl.model.schema.export import export
from tests.cli.clitools import REPOSITORY

SERVER = REPOSITORY / ".ci" / "editor" / "node_modules" / ".bin" / "yaml-language-server"
# docs/editors.md's VS Code and Neovim settings
SCHEMAS = {"./.koreoctl/schemas/koreo.schema.json": ["*.koreo", "*.k", "*.k.yaml"]}

BROKEN = """\
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: broken
spec:
  preconditions:
    - assert: =true
  return: 5
"""


@pytest.fixture(scope="module")
def server() -> str:
    found = str(SERVER) if SERVER.is_file() else shutil.which("yaml-language-server")
    if found and shutil.which("node"):
        return found
    message = f"yaml-language-server not found ({SERVER}: npm ci --prefix .ci/editor)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must have it (.ci/run installs it)")
    pytest.skip(f"{message}; CI is unset")


class LanguageServer:
    """yaml-language-server on stdio: JSON-RPC messages with Content-Length headers."""

    def __init__(self, command: str, workspace: Path) -> None:
        self.process = subprocess.Popen(
            [command, "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        self.settings = {"validate": True, "schemas": SCHEMAS, "schemaStore": {"enable": False}}
        root = workspace.as_uri()
        self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root,
                "workspaceFolders": [{"uri": root, "name": workspace.name}],
                "capabilities": {"workspace": {"configuration": True}},
            },
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": {"yaml": self.settings}})

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = None
            while (line := stream.readline().decode()) not in ("\r\n", ""):
                name, _, value = line.partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                return
            self.messages.put(json.loads(stream.read(length)))

    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self._send({"id": 1, "method": method, "params": params})
        return self.wait(lambda message: message.get("id") == 1)

    def wait(self, wanted: Any, timeout: float = 60) -> dict[str, Any]:
        """The next message ``wanted`` accepts, answering the server's questions meanwhile."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.messages.get(timeout=0.5)
            except queue.Empty:
                continue
            if message.get("method") == "workspace/configuration":  # the client's settings
                items = message["params"]["items"]
                self._send({"id": message["id"], "result": [self.settings for _ in items]})
            elif wanted(message):
                return message
        pytest.fail("yaml-language-server did not answer in time")

    def diagnostics(self, path: Path) -> list[tuple[int, str]]:
        """(line, message) of what the server reports for ``path``, once opened."""
        uri = path.as_uri()
        document = {"uri": uri, "languageId": "yaml", "version": 1, "text": path.read_text()}
        self.notify("textDocument/didOpen", {"textDocument": document})
        found = self.wait(
            lambda message: (
                message.get("method") == "textDocument/publishDiagnostics"
                and message["params"]["uri"] == uri
            )
        )
        return [
            (d["range"]["start"]["line"] + 1, d["message"]) for d in found["params"]["diagnostics"]
        ]

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with the schemas exported where docs/editors.md puts them."""
    root = tmp_path_factory.mktemp("workspace")
    shutil.copytree(REPOSITORY / "testdata" / "hello-workload", root / "hello-workload")
    export(root / ".koreoctl" / "schemas")
    (root / "broken.koreo").write_text(BROKEN)
    return root


@pytest.fixture(scope="module")
def language_server(server: str, workspace: Path) -> Any:
    started = LanguageServer(server, workspace)
    yield started
    started.close()


def test_the_example_files_are_clean(language_server: LanguageServer, workspace: Path) -> None:
    files = sorted((workspace / "hello-workload" / "in").glob("*.koreo"))
    assert len(files) == 5
    for file in files:
        assert language_server.diagnostics(file) == [], file.name


def test_what_the_loader_refuses_is_underlined(
    language_server: LanguageServer, workspace: Path
) -> None:
    """The two K003 errors `koreoctl lint` reports for this file, at the same lines: a
    precondition with no outcome (line 7) and a `return` that is not an object (line 8)."""
    found = language_server.diagnostics(workspace / "broken.koreo")
    assert [line for line, _ in found] == [7, 8]
    assert "ok" in found[0][1]  # 'Missing property "ok".': the first outcome it could have
    assert "Incorrect type" in found[1][1]
