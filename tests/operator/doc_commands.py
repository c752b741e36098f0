"""The shell commands documented in docs/grpcurl.md, parsed and run.

Tested commands are the ```sh fenced blocks that start with `buf` or `grpcurl`;
each is run without a shell (split like a POSIX shell would), with the tool's
path from the project and the documented address replaced by a test server's.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from operator_clients import run_bounded

DOC_ADDRESS = "127.0.0.1:50051"
TOOLS = ("buf", "grpcurl")
COMMAND_SECONDS = 30
# A server-streaming RPC that follows live events never ends by itself: it is
# stopped after this long and judged on what it printed.
FOLLOW_SECONDS = 3
_SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
_RPC_PATH = re.compile(r"^(?:http://[^/]+/)?([\w.]+/\w+)$")


@dataclass(frozen=True)
class DocCommand:
    text: str
    argv: tuple[str, ...]

    @property
    def tool(self) -> str:
        return self.argv[0]

    @property
    def rpc(self) -> str | None:
        """"package.Service/Method" for an RPC call, None for list/describe."""
        for arg in self.argv[1:]:
            match = _RPC_PATH.match(arg)
            if match:
                return match.group(1)
        return None


@dataclass(frozen=True)
class DocRun:
    command: DocCommand
    returncode: int | None  # None: stopped after FOLLOW_SECONDS
    stdout: str
    stderr: str

    def describe(self) -> str:
        return (f"{self.command.text}\nexit {self.returncode}\nstdout:\n{self.stdout}\n"
                f"stderr:\n{self.stderr}")


def doc_commands(markdown: str) -> list[DocCommand]:
    commands = []
    for block in _SH_BLOCK.findall(markdown):
        text = block.strip()
        argv = tuple(shlex.split(text.replace("\\\n", " ")))
        if argv and argv[0] in TOOLS:
            commands.append(DocCommand(text, argv))
    return commands


def read_doc_commands(path: Path) -> list[DocCommand]:
    return doc_commands(path.read_text())


def run_doc_command(command: DocCommand, binary: Path, address: str,
                    follows: bool) -> DocRun:
    """Runs one command against `address`; `follows`: stop it after FOLLOW_SECONDS."""
    argv = [str(binary)] + [arg.replace(DOC_ADDRESS, address) for arg in command.argv[1:]]
    result = run_bounded(argv, FOLLOW_SECONDS if follows else COMMAND_SECONDS)
    return DocRun(command, result.returncode, result.stdout, result.stderr)
