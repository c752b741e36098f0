"""Issue 12, item 6: a seq re-sent with other content is refused (FAILED_PRECONDITION
naming the seq and that its content differs), in memory, on a data dir and across a
restart; the same content re-sent is still a duplicate answered as before."""
from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from markcap.engine import Engine, PreconditionFailed
from markcap.service import input_kinds
from markcap.service.config import load_default
from markcap.service.events import EventLog
from markcap.service.inputs import DurableInputs, serialize
from markcap.service.writer import SerializedEngine
from markcap.store import FsyncPolicy, open_store
from markcap.v1 import risk_engine_pb2 as pb

from .harness import Node

RPC_SECONDS = 10
DEPOSITS = pb.StreamDeltasRequest(seq=1, transfers=pb.TransferColumns(
    account_id=[1, 2], currency_id=[1, 1], amount=[100_000_00, 100_000_00]))


def batch(seq: int, qty: int) -> pb.StreamDeltasRequest:
    return pb.StreamDeltasRequest(seq=seq, fills=pb.FillColumns(
        account_id=[1, 2], instrument_id=[8, 8], qty=[qty, -qty], price=[3000.0, 3000.0]))


def mark(seq: int, price: float, **fields) -> pb.ApplyMarkRequest:
    return pb.ApplyMarkRequest(seq=seq, instrument_id=8, price=price, **fields)


class Memory:
    """The input path without a journal (--in-memory)."""

    def __init__(self):
        config = load_default()
        self.writer = SerializedEngine(Engine(config))
        self.inputs = DurableInputs(self.writer, None, FsyncPolicy(),
                                    EventLog(config.retained_outcomes),
                                    retained=config.retained_outcomes)

    def send(self, kind, request):
        return self.inputs.apply(kind, type(request).FromString(serialize(request)))


def on_data_dir(path):
    return Node(open_store(path))


def send(node, kind, request):
    return node.inputs.apply(kind, type(request).FromString(serialize(request)))


def first_inputs(node) -> tuple[bytes, bytes]:
    """Deposits at 1, a batch at 2, a mark at 3: (batch answer, mark answer)."""
    send(node, input_kinds.DELTAS, DEPOSITS)
    batch_answer = send(node, input_kinds.DELTAS, batch(2, 1))
    mark_answer = send(node, input_kinds.MARK, mark(3, 3100.0))
    return serialize(batch_answer), serialize(mark_answer)


def assert_refused(node, kind, request, seq: int):
    hash_before = node.writer.read(lambda engine: engine.status().state_hash)
    with pytest.raises(PreconditionFailed) as refused:
        send(node, kind, request)
    assert f"seq {seq} " in str(refused.value) and "content differs" in str(refused.value)
    assert node.writer.read(lambda engine: engine.status().state_hash) == hash_before


def check_node(node, batch_answer: bytes, mark_answer: bytes) -> None:
    assert_refused(node, input_kinds.DELTAS, batch(2, 500), 2)
    assert_refused(node, input_kinds.MARK, mark(3, 1.0), 3)
    assert_refused(node, input_kinds.MARK, mark(3, 3100.0, sweep=True), 3)
    # The same content again is a duplicate, answered as before.
    again = send(node, input_kinds.DELTAS, batch(2, 1))
    assert again.duplicate and again.seq == 2
    assert serialize(send(node, input_kinds.MARK, mark(3, 3100.0))) == mark_answer
    # A dry run is no duplicate: it is checked against nothing.
    assert send(node, input_kinds.MARK, mark(0, 1.0, dry_run=True)).seq == 0


@pytest.mark.parametrize("where", ["memory", "data dir"])
def test_a_seq_resent_with_other_content_is_refused(where, tmp_path):
    node = Memory() if where == "memory" else on_data_dir(tmp_path / "data")
    answers = first_inputs(node)
    check_node(node, *answers)


def test_a_seq_resent_with_other_content_is_refused_after_a_restart(tmp_path):
    node = on_data_dir(tmp_path / "data")
    answers = first_inputs(node)
    node.store.close()
    check_node(on_data_dir(tmp_path / "data"), *answers)


def test_a_sweep_retried_after_the_step_bound_changed_is_the_same_input(tmp_path):
    """The server writes its --max-sweep-steps bound into a sweep's max_steps before
    journaling it, so max_steps of a sweep is left out of the comparison."""
    node = on_data_dir(tmp_path / "data")
    send(node, input_kinds.DELTAS, DEPOSITS)
    first = send(node, input_kinds.MARK, mark(2, 3100.0, sweep=True, max_steps=1000))
    again = send(node, input_kinds.MARK, mark(2, 3100.0, sweep=True, max_steps=50))
    assert serialize(again) == serialize(first)


def test_over_grpc_the_refusal_is_failed_precondition_with_its_reason(start_server, tmp_path):
    data_dir = tmp_path / "data"
    server = start_server(extra_args=("--data-dir", str(data_dir)))
    stub = server.stub()
    assert [r.seq for r in stub.StreamDeltas(iter([DEPOSITS, batch(2, 1)]), timeout=RPC_SECONDS)] \
        == [1, 2]
    stub.ApplyMark(mark(3, 3100.0), timeout=RPC_SECONDS)
    assert server.stop() == 0
    server = start_server(extra_args=("--data-dir", str(data_dir)))
    stub = server.stub()
    with pytest.raises(grpc.RpcError) as refused:
        list(stub.StreamDeltas(iter([batch(2, 500)]), timeout=RPC_SECONDS))
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "seq 2 " in refused.value.details() and "content differs" in refused.value.details()
    with pytest.raises(grpc.RpcError) as refused:
        stub.ApplyMark(mark(3, 1.0), timeout=RPC_SECONDS)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    info = error_details_pb2.ErrorInfo()
    rpc_status.from_call(refused.value).details[0].Unpack(info)
    assert (info.reason, info.metadata["seq"]) == ("SEQ_CONTENT_DIFFERS", "3")
    assert stub.GetStatus(pb.GetStatusRequest(), timeout=RPC_SECONDS).applied_seq == 3
    duplicate = list(stub.StreamDeltas(iter([batch(2, 1)]), timeout=RPC_SECONDS))
    assert duplicate[0].duplicate
