"""Thin subprocess wrappers around `buf curl` and `grpcurl`.

Both speak gRPC over plain-text HTTP/2 and find the schema through server
reflection. Their JSON differs only in field-name style (buf: lowerCamelCase,
grpcurl 1.8: the proto's snake_case), so grpcurl's is converted to camelCase
and tests assert on one shape. Errors come back as (status code name, message).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

TOOL_SECONDS = 30
RPC_SECONDS = 20


class ToolError(AssertionError):
    """The tool failed in a way the test did not ask for."""


@dataclass(frozen=True)
class RpcError:
    """A non-OK gRPC status as the tool reported it."""
    code: str  # grpc.StatusCode name, e.g. "NOT_FOUND"
    message: str
    exit_code: int


def parse_json_stream(text: str) -> list:
    """Every JSON document in `text`, in order (a streaming RPC prints several)."""
    decoder = json.JSONDecoder()
    documents, position = [], 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return documents
        document, position = decoder.raw_decode(text, position)
        documents.append(document)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_case_keys(value):
    """Proto JSON with snake_case field names -> the lowerCamelCase form."""
    if isinstance(value, dict):
        return {_camel(key): camel_case_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [camel_case_keys(item) for item in value]
    return value


def run_bounded(argv: list[str], seconds: float) -> subprocess.CompletedProcess:
    """Runs argv; after `seconds` kills it and returns returncode None with the
    output so far. Its own process group: node_modules/.bin/buf is a node
    launcher whose child, the real buf, must be stopped with it."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=seconds)
        return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=TOOL_SECONDS)
        return subprocess.CompletedProcess(argv, None, stdout,
                                           stderr + f"\n(killed after {seconds} s)")


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    return run_bounded(argv, TOOL_SECONDS)


def _describe(result: subprocess.CompletedProcess) -> str:
    return (f"{' '.join(result.args)}\nexit {result.returncode}\nstdout:\n{result.stdout}"
            f"\nstderr:\n{result.stderr}")


_CODE_NAMES = {status.value[0]: status.name for status in grpc.StatusCode}


def _status_name(code: int | str) -> str:
    """grpcurl reports the code's number, buf curl its lower-case name."""
    return _CODE_NAMES[code] if isinstance(code, int) else code.upper()


class OperatorClient:
    """What both tools offer the tests."""

    def _call_argv(self, method: str, data: str) -> list[str]:
        raise NotImplementedError

    def _normalize(self, document):
        return document

    def _invoke(self, method: str, requests: list[dict]) -> subprocess.CompletedProcess:
        data = "\n".join(json.dumps(request) for request in requests)
        return _run(self._call_argv(method, data))

    def stream(self, method: str, requests: list[dict]) -> list[dict]:
        """Sends every request (one for unary RPCs), returns every response."""
        result = self._invoke(method, requests)
        if result.returncode != 0:
            raise ToolError(_describe(result))
        return [self._normalize(document) for document in parse_json_stream(result.stdout)]

    def call(self, method: str, request: dict | None = None) -> dict:
        """One unary RPC, e.g. call("GetStatus"), returning the response as a dict."""
        responses = self.stream(method, [request or {}])
        assert len(responses) == 1, responses
        return responses[0]

    def call_error(self, method: str, request: dict) -> RpcError:
        """A unary RPC expected to fail: its status code name and message."""
        result = self._invoke(method, [request])
        if result.returncode == 0:
            raise ToolError("expected an error status:\n" + _describe(result))
        if "{" not in result.stderr:
            raise ToolError("no JSON status on stderr:\n" + _describe(result))
        # The status is the JSON document that ends stderr.
        error = parse_json_stream(result.stderr[result.stderr.find("{"):])[-1]
        return RpcError(_status_name(error["code"]), error.get("message", ""), result.returncode)


def _full_method(method: str) -> str:
    return method if "/" in method else f"markcap.v1.RiskEngineService/{method}"


class BufCurl(OperatorClient):
    """`buf curl` (from package.json) with the gRPC protocol and reflection."""

    def __init__(self, binary: Path, address: str):
        self.binary, self.address = str(binary), address

    def _base(self) -> list[str]:
        return [self.binary, "curl", "--protocol", "grpc", "--http2-prior-knowledge",
                "--timeout", f"{RPC_SECONDS}s"]

    def _call_argv(self, method: str, data: str) -> list[str]:
        return self._base() + ["--emit-defaults", "-d", data,
                               f"http://{self.address}/{_full_method(method)}"]

    def exit_code_for(self, code: grpc.StatusCode) -> int:
        """buf curl exits with the gRPC code shifted left by three bits."""
        return code.value[0] << 3

    def list_services(self) -> list[str]:
        return self._lines("--list-services")

    def list_methods(self) -> list[str]:
        return self._lines("--list-methods")

    def _lines(self, flag: str) -> list[str]:
        result = _run(self._base() + [flag, f"http://{self.address}/"])
        if result.returncode != 0:
            raise ToolError(_describe(result))
        return result.stdout.split()


class Grpcurl(OperatorClient):
    """grpcurl (from pyproject's dev extra), plain text, with reflection."""

    def __init__(self, binary: Path, address: str):
        self.binary, self.address = str(binary), address

    def _base(self) -> list[str]:
        return [self.binary, "-plaintext", "-max-time", str(RPC_SECONDS)]

    def _call_argv(self, method: str, data: str) -> list[str]:
        return self._base() + ["-emit-defaults", "-format-error", "-d", data, self.address,
                               _full_method(method)]

    def _normalize(self, document):
        return camel_case_keys(document)

    def exit_code_for(self, code: grpc.StatusCode) -> int:
        """grpcurl exits with 64 plus the gRPC code."""
        return 64 + code.value[0]

    def list_services(self) -> list[str]:
        return self._text("list").split()

    def describe(self, symbol: str) -> str:
        return self._text("describe", symbol)

    def _text(self, *args: str) -> str:
        result = _run(self._base() + [self.address, *args])
        if result.returncode != 0:
            raise ToolError(_describe(result))
        return result.stdout


def running_in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tool(binary: Path | None, name: str, version_flag: str,
                 how_to_install: str) -> Path:
    """The tool's path if it runs; else fail (under CI) or skip (elsewhere), saying why."""
    problem = None
    if binary is None or not binary.exists():
        problem = f"{name} is not installed"
    else:
        probe = run_bounded([str(binary), version_flag], TOOL_SECONDS)
        if probe.returncode != 0:
            problem = f"{binary} {version_flag} failed: {probe.stderr.strip()}"
    if problem is None:
        return binary
    message = f"{problem}; {how_to_install}"
    if running_in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
