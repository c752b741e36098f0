"""The helpers the operator tests stand on: a missing tool fails under CI rather
than skipping, streamed JSON output is split right, and the doc parser finds the
commands and RPCs."""
from __future__ import annotations

import pytest

from doc_commands import doc_commands
from operator_clients import camel_case_keys, parse_json_stream, require_tool


def test_missing_tool_fails_under_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="buf is not installed; run make setup"):
        require_tool(tmp_path / "no-such-buf", "buf", "--version", "run make setup")


def test_missing_tool_skips_with_its_reason_outside_ci(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="grpcurl is not installed"):
        require_tool(None, "grpcurl", "-version", "run make setup")


def test_a_tool_that_does_not_run_counts_as_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    broken = tmp_path / "grpcurl"
    broken.write_text("#!/bin/sh\necho 'exec format error' >&2\nexit 126\n")
    broken.chmod(0o755)
    with pytest.raises(pytest.fail.Exception, match="exec format error"):
        require_tool(broken, "grpcurl", "-version", "reinstall it")


def test_parse_json_stream_splits_concatenated_documents():
    text = '{\n  "seq": "1"\n}\n{\n  "seq": "2",\n  "a": {"b": [1, 2]}\n}\n'
    assert parse_json_stream(text) == [{"seq": "1"}, {"seq": "2", "a": {"b": [1, 2]}}]
    assert parse_json_stream("  \n") == []


def test_camel_case_keys_matches_proto_json_names():
    snake = {"insurance_fund_equity_after": 1.5,
             "liquidations": [{"account_id": "1", "equity_before": 0}]}
    assert camel_case_keys(snake) == {
        "insuranceFundEquityAfter": 1.5,
        "liquidations": [{"accountId": "1", "equityBefore": 0}]}


def test_doc_commands_come_from_sh_blocks_of_the_two_tools_only():
    markdown = "\n".join([
        "```bash", "buf curl --not-this-one", "```",
        "```sh", "buf curl --protocol grpc -d '{\"a\": 1}' \\",
        "  http://127.0.0.1:50051/markcap.v1.RiskEngineService/GetStatus", "```",
        "```sh", "grpcurl -plaintext 127.0.0.1:50051 list", "```",
        "```sh", "make setup", "```",
    ])
    first, second = doc_commands(markdown)
    assert first.argv == ("buf", "curl", "--protocol", "grpc", "-d", '{"a": 1}',
                          "http://127.0.0.1:50051/markcap.v1.RiskEngineService/GetStatus")
    assert first.rpc == "markcap.v1.RiskEngineService/GetStatus"
    assert (second.tool, second.rpc) == ("grpcurl", None)
