"""RiskEngineService: each handler converts the request, calls the engine through
the single writer and converts the outcome back. No business logic here.
State-changing requests go through DurableInputs (journaled before answered)."""
from __future__ import annotations

from typing import Callable

from markcap.engine import EngineError
from markcap.v1 import risk_engine_pb2 as pb, risk_engine_pb2_grpc as pb_grpc

from . import from_proto, input_kinds, to_proto
from .event_feed import EventFeed
from .inputs import DurableInputs
from .limits import Limits, bound_sweeps
from .status_codes import BatchRejected, reports_errors
from .writer import SerializedEngine


def _batch_label(seq: int, message_number: int) -> str:
    if seq:
        return f"batch seq {seq}"
    return f"batch seq 0 (auto-assigned; message {message_number} of this stream)"


class RiskEngineServicer(pb_grpc.RiskEngineServiceServicer):
    def __init__(self, engine: SerializedEngine, events: EventFeed, version: str,
                 persistence: Callable[[], str], inputs: DurableInputs,
                 max_sweep_steps: int = Limits.max_sweep_steps):
        self._max_sweep_steps = max_sweep_steps
        self._engine = engine
        self._events = events
        self._version = version
        self._persistence = persistence
        self._inputs = inputs

    @reports_errors
    def StreamDeltas(self, request_iterator, context):
        for message_number, request, result in self._inputs.stream_deltas(request_iterator):
            if isinstance(result, EngineError):
                raise BatchRejected(_batch_label(request.seq, message_number), result) from result
            yield result

    @reports_errors
    def ApplyMark(self, request, context):
        bound_sweeps([request], self._max_sweep_steps)
        return self._inputs.apply(input_kinds.MARK, request)

    @reports_errors
    def ApplyMarks(self, request, context):
        bound_sweeps(request.marks, self._max_sweep_steps)
        return self._inputs.apply(input_kinds.MARKS, request)

    @reports_errors
    def UpsertCurrency(self, request, context):
        return self._inputs.apply(input_kinds.CURRENCY, request)

    @reports_errors
    def UpsertInstrument(self, request, context):
        return self._inputs.apply(input_kinds.INSTRUMENT, request)

    @reports_errors
    def ListInstruments(self, request, context):
        instruments = self._engine.read(lambda engine: engine.instruments())
        return pb.ListInstrumentsResponse(instruments=[to_proto.instrument(i) for i in instruments])

    @reports_errors
    def ListCurrencies(self, request, context):
        currencies = self._engine.read(lambda engine: engine.currencies())
        return pb.ListCurrenciesResponse(currencies=[to_proto.currency(c) for c in currencies])

    @reports_errors
    def GetAccount(self, request, context):
        view = self._engine.read(lambda engine: engine.account(request.account_id))
        return pb.GetAccountResponse(account=to_proto.account(view))

    @reports_errors
    def GetInsuranceFund(self, request, context):
        return to_proto.fund_response(self._engine.read(lambda engine: engine.insurance_fund()))

    @reports_errors
    def GetBankruptcyBand(self, request, context):
        band = self._engine.read(lambda engine: engine.bankruptcy_band(request.instrument_id))
        return to_proto.band_response(band)

    @reports_errors
    def GetAdlQueue(self, request, context):
        side, limit = from_proto.side(request), from_proto.adl_queue_limit(request)
        entries = self._engine.read(
            lambda engine: engine.adl_queue(request.instrument_id, side, limit))
        return to_proto.adl_queue_response(entries)

    @reports_errors
    def GetStatus(self, request, context):
        status = self._engine.read(lambda engine: engine.status())
        return to_proto.status_response(status, self._version, self._persistence())

    @reports_errors
    def WatchEvents(self, request, context):
        context.add_callback(self._events.wake)
        events = self._events.follow(request.from_seq, stopped=lambda: not context.is_active())
        # Initial metadata tells the client it is subscribed: later events will reach it.
        context.send_initial_metadata(())
        yield from events
