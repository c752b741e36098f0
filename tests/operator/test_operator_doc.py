"""docs/grpcurl.md cannot rot: every documented command runs, in the doc's order,
once with buf curl and once with grpcurl, each on its own fresh (in-process) server on
the embedded default exchange; both tools must print the same answers, and the
numbers the doc's prose promises must be the ones printed."""
from __future__ import annotations

from pathlib import Path

import pytest

from doc_commands import DocRun, read_doc_commands, run_doc_command
from markcap.v1 import risk_engine_pb2 as pb
from operator_clients import camel_case_keys, parse_json_stream

DOC = Path(__file__).resolve().parents[2] / "docs" / "grpcurl.md"
SERVICE = pb.DESCRIPTOR.services_by_name["RiskEngineService"]
HEALTH_CHECK = "grpc.health.v1.Health/Check"
DOCUMENTED_RPCS = {f"{SERVICE.full_name}/{m.name}" for m in SERVICE.methods} | {HEALTH_CHECK}
FOLLOWING_RPCS = {f"{SERVICE.full_name}/{m.name}" for m in SERVICE.methods
                  if m.server_streaming and not m.client_streaming}
COMMANDS = read_doc_commands(DOC)


def _rpc(name: str) -> str:
    return f"{SERVICE.full_name}/{name}"


@pytest.fixture(scope="module")
def doc_runs(start_module_in_process_server, buf_binary,
             grpcurl_binary) -> dict[str, list[DocRun]]:
    """Every documented command's run, per tool, each tool on its own server."""
    binaries = {"buf": buf_binary, "grpcurl": grpcurl_binary}
    runs = {}
    for tool, binary in binaries.items():
        address = start_module_in_process_server().address
        runs[tool] = [run_doc_command(command, binary, address,
                                      follows=command.rpc in FOLLOWING_RPCS)
                      for command in COMMANDS if command.tool == tool]
    return runs


def _answers(runs: list[DocRun]) -> list[tuple[str, list]]:
    """(rpc, JSON documents printed) per RPC command, in lowerCamelCase."""
    return [(run.command.rpc, camel_case_keys(parse_json_stream(run.stdout)))
            for run in runs if run.command.rpc]


def _answers_to(runs: list[DocRun], rpc: str) -> list[list]:
    return [documents for name, documents in _answers(runs) if name == rpc]


def test_doc_has_a_command_for_every_rpc_with_each_tool():
    for tool in ("buf", "grpcurl"):
        documented = {command.rpc for command in COMMANDS if command.tool == tool}
        assert DOCUMENTED_RPCS <= documented, (tool, DOCUMENTED_RPCS - documented)


def test_every_documented_command_succeeds(doc_runs):
    failures = [run.describe() for runs in doc_runs.values() for run in runs
                if run.returncode != 0
                and not (run.command.rpc in FOLLOWING_RPCS and run.returncode is None)]
    assert not failures, "\n\n".join(failures)
    assert all(run.stdout.strip() for runs in doc_runs.values() for run in runs)


def test_both_tools_print_the_same_answers(doc_runs):
    assert _answers(doc_runs["buf"]) == _answers(doc_runs["grpcurl"])


@pytest.mark.parametrize("tool", ["buf", "grpcurl"])
def test_answers_are_the_ones_the_doc_describes(doc_runs, tool):
    runs = doc_runs[tool]
    [[account]] = _answers_to(runs, _rpc("GetAccount"))
    [position] = account["account"]["positions"]
    assert (position["qty"], position["bankruptcyPrice"]) == ("-1", 115)
    [[band]] = _answers_to(runs, _rpc("GetBankruptcyBand"))
    assert (band["upperPrice"], band["upperAccountIds"]) == (115, ["1"])
    [[dry_run], [applied]] = _answers_to(runs, _rpc("ApplyMark"))
    assert dry_run["dryRun"] is True
    for outcome in (dry_run, applied):
        assert (outcome["appliedPrice"], outcome["capped"]) == (115, True)
        assert [liquidation["accountId"] for liquidation in outcome["liquidations"]] == ["1"]
    [events] = _answers_to(runs, _rpc("WatchEvents"))
    assert [event["mark"]["appliedPrice"] for event in events if "mark" in event] == [115]
    assert [event for event in events if "currency" in event], events
