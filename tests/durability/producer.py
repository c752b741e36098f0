"""A producer like the matching engine: sends the workload's inputs in seq order
(runs of delta batches on one StreamDeltas stream, marks and upserts as unary
calls), checks every acknowledgement against the reference run, and stops at
the first transport error (the server was killed)."""
from __future__ import annotations

from typing import Callable

import grpc

from markcap.service.inputs import serialize
from markcap.store import RecordKind
from markcap.v1 import risk_engine_pb2_grpc as pb_grpc

from .workload import Input, ReferenceRun

RPC_SECONDS = 60


class Producer:
    def __init__(self, stub: pb_grpc.RiskEngineServiceStub, inputs: list[Input],
                 reference: ReferenceRun, on_ack: Callable[[int], None] = lambda seq: None):
        self._stub = stub
        self._inputs = inputs
        self._reference = reference
        self._on_ack = on_ack
        self._unary = {RecordKind.MARK: stub.ApplyMark, RecordKind.MARKS: stub.ApplyMarks,
                       RecordKind.CURRENCY: stub.UpsertCurrency,
                       RecordKind.INSTRUMENT: stub.UpsertInstrument}
        self.acknowledged = 0  # highest seq acknowledged by the server

    def send_from(self, seq: int) -> bool:
        """Sends inputs seq.. to the end; True if all were acknowledged, False if the call failed."""
        index = seq - 1
        self.acknowledged = seq - 1
        try:
            while index < len(self._inputs):
                index = self._send_run(index)
        except grpc.RpcError as error:
            if error.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED,
                                    grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL):
                raise
            return False
        return True

    def _send_run(self, index: int) -> int:
        item = self._inputs[index]
        if item.kind is not RecordKind.DELTAS:
            self._ack(item.seq, self._unary[item.kind](item.request, timeout=RPC_SECONDS))
            return index + 1
        end = index
        while end < len(self._inputs) and self._inputs[end].kind is RecordKind.DELTAS:
            end += 1
        requests = (item.request for item in self._inputs[index:end])
        for response in self._stub.StreamDeltas(requests, timeout=RPC_SECONDS):
            self._ack(response.seq, response)
        return end

    def _ack(self, seq: int, response) -> None:
        assert seq == self.acknowledged + 1, f"acknowledged seq {seq} after {self.acknowledged}"
        assert serialize(response) == self._reference.responses[seq], f"answer to seq {seq}"
        self.acknowledged = seq
        self._on_ack(seq)
