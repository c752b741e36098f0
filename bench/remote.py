"""The benchmark's gRPC side: one channel to the server, the raw generated stubs
(so no client-side wrapper cost is measured), timed calls."""
from __future__ import annotations

import time
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from markcap.client.deltas import DeltaBatch, Fills, Transfers, batch_request
from markcap.v1 import risk_engine_pb2 as pb
from markcap.v1 import risk_engine_pb2_grpc as pb_grpc

from .workload import Workload, delta_batches

CALL_SECONDS = 120.0      # deadline of one unary call (a jump at 1M accounts can take seconds)
STREAM_SECONDS = 3600.0   # deadline of the whole ingestion stream
READY_SECONDS = 30.0


@dataclass(frozen=True)
class Ingestion:
    """One StreamDeltas stream: deposits first, then fills; times are perf_counter seconds."""

    batches: int
    fills: int
    transfers: int
    seconds_total: float   # from the call to the last acknowledgement
    seconds_fills: float   # from the last deposit batch's ack to the last ack

    @property
    def fills_per_second(self) -> float:
        return self.fills / self.seconds_fills


def stream_requests(workload: Workload, batch_size: int) -> tuple[list[pb.StreamDeltasRequest], int]:
    """The StreamDeltas requests (seq 1, 2, ...) and how many of them carry deposits."""
    requests, deposit_batches = [], 0
    for seq, (transfers, fills) in enumerate(delta_batches(workload, batch_size), start=1):
        batch = DeltaBatch(
            seq,
            None if fills is None else Fills(fills.account_id, fills.instrument_id, fills.qty, fills.price),
            None if transfers is None else Transfers(transfers.account_id, transfers.currency_id,
                                                     transfers.amount))
        requests.append(batch_request(batch))
        deposit_batches += transfers is not None
    return requests, deposit_batches


class RemoteExchange:
    """Timed calls to a markcap server at `address`."""

    def __init__(self, address: str):
        self.channel = grpc.insecure_channel(address, options=(
            ("grpc.max_receive_message_length", 64 * 1024 * 1024),
            ("grpc.max_send_message_length", 64 * 1024 * 1024)))
        grpc.channel_ready_future(self.channel).result(timeout=READY_SECONDS)
        self.stub = pb_grpc.RiskEngineServiceStub(self.channel)
        self.health = health_pb2_grpc.HealthStub(self.channel)

    def close(self) -> None:
        self.channel.close()

    def ingest(self, requests: list[pb.StreamDeltasRequest], deposit_batches: int) -> Ingestion:
        """Sends every batch on ONE stream; returns once the last one is acknowledged."""
        fills = sum(len(request.fills.qty) for request in requests)
        transfers = sum(len(request.transfers.amount) for request in requests)
        ack_times = []
        start = time.perf_counter()
        for request, ack in zip(requests, self.stub.StreamDeltas(iter(requests), timeout=STREAM_SECONDS)):
            ack_times.append(time.perf_counter())
            if ack.seq != request.seq or ack.duplicate:
                raise RuntimeError(f"batch seq {request.seq} acknowledged as seq {ack.seq} "
                                   f"(duplicate {ack.duplicate})")
        if len(ack_times) != len(requests):
            raise RuntimeError(f"{len(ack_times)} of {len(requests)} batches acknowledged")
        fills_start = ack_times[deposit_batches - 1] if deposit_batches else start
        return Ingestion(len(requests), fills, transfers, ack_times[-1] - start, ack_times[-1] - fills_start)

    # ---- timed calls: each returns (seconds, response) ------------------------

    def apply_mark(self, instrument_id: int, price: float, dry_run: bool):
        request = pb.ApplyMarkRequest(instrument_id=instrument_id, price=price, dry_run=dry_run)
        start = time.perf_counter()
        response = self.stub.ApplyMark(request, timeout=CALL_SECONDS)
        return time.perf_counter() - start, response

    def list_currencies(self):
        start = time.perf_counter()
        response = self.stub.ListCurrencies(pb.ListCurrenciesRequest(), timeout=CALL_SECONDS)
        return time.perf_counter() - start, response

    def health_check(self):
        start = time.perf_counter()
        response = self.health.Check(health_pb2.HealthCheckRequest(service=""), timeout=CALL_SECONDS)
        return time.perf_counter() - start, response

    def get_status(self):
        start = time.perf_counter()
        response = self.stub.GetStatus(pb.GetStatusRequest(), timeout=CALL_SECONDS)
        return time.perf_counter() - start, response
