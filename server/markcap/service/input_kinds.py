"""The kinds of state-changing input, one row each: everything the service knows per kind.

A row names the journal's tag for it, its request and response messages, the
engine call that applies a request and builds the response (live inputs and
replay alike: the same function), whether that response is journaled, the
WatchEvents field it is shown in, how duplicate answers name it, its metric
label and what replaying it costs. DurableInputs (inputs.py) applies a row,
replay (recovery.py) and WatchEvents history (event_feed.py) look a journal
record's row up with `of_record`, and nothing else switches on the kind: a new
input is a new row.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from markcap.engine import (CurrencyOutcome, DeltasOutcome, InstrumentOutcome, MarkOutcome,
                            MarksOutcome)
from markcap.engine.sequencer import INPUT_NAMES
from markcap.store import RecordKind
from markcap.v1 import risk_engine_pb2 as pb

from . import from_proto, to_proto, work
from .engine_api import EngineApi


@dataclass(frozen=True)
class InputKind:
    record: RecordKind  # its tag in the journal
    request: type       # the request message
    response: type      # the response message
    outcome: type       # the engine's outcome
    apply: Callable[[EngineApi, Any], Any]  # request -> engine -> response
    # Journaled for duplicate answers and events; a delta batch's answer is rebuilt from its
    # request instead.
    journals_response: bool
    event: str | None   # the WatchEventsResponse field that shows it (None: not shown)
    metric: str         # its `kind` on markcap_inputs_applied_total (ApplyMarks: one per mark)
    work: Callable[[Any, Any, Callable[[], int]], int]  # replay cost in fills (work.py)
    # The request's mark messages (ApplyMark: itself), which may be dry runs and whose sweeps'
    # max_steps the server bounds (input_digests.py); None: no marks.
    marks: Callable[[Any], Iterable] | None = None

    @property
    def description(self) -> str:
        """How duplicate answers name it ("a mark update": engine/sequencer.py)."""
        return INPUT_NAMES[self.outcome]

    def is_dry_run(self, request) -> bool:
        return self.marks is not None and request.dry_run

    def event_of(self, seq: int, response) -> pb.WatchEventsResponse | None:
        """The WatchEvents message for the input applied at `seq` (None: not shown)."""
        if self.event is None:
            return None
        return pb.WatchEventsResponse(seq=seq, **{self.event: response})


def _apply_deltas(engine: EngineApi, request: pb.StreamDeltasRequest) -> pb.StreamDeltasResponse:
    return to_proto.deltas_response(engine.apply_deltas(
        request.seq, from_proto.fill_batch(request.fills),
        from_proto.transfer_batch(request.transfers)))


def _apply_mark(engine: EngineApi, request: pb.ApplyMarkRequest) -> pb.ApplyMarkResponse:
    return to_proto.mark_response(engine.apply_mark(
        request.seq, request.instrument_id, request.price, from_proto.cap_policy(request),
        request.dry_run, request.sweep, request.max_steps))


def _apply_marks(engine: EngineApi, request: pb.ApplyMarksRequest) -> pb.ApplyMarksResponse:
    return to_proto.marks_response(engine.apply_marks(
        request.seq, from_proto.mark_requests(request), request.dry_run))


def _upsert_currency(engine: EngineApi,
                     request: pb.UpsertCurrencyRequest) -> pb.UpsertCurrencyResponse:
    return to_proto.currency_response(
        engine.upsert_currency(request.seq, from_proto.currency_update(request)))


def _upsert_instrument(engine: EngineApi,
                       request: pb.UpsertInstrumentRequest) -> pb.UpsertInstrumentResponse:
    return to_proto.instrument_response(
        engine.upsert_instrument(request.seq, from_proto.instrument_update(request)))


DELTAS = InputKind(RecordKind.DELTAS, pb.StreamDeltasRequest, pb.StreamDeltasResponse,
                   DeltasOutcome, _apply_deltas, journals_response=False, event=None,
                   metric="deltas", work=work.deltas_work)
MARK = InputKind(RecordKind.MARK, pb.ApplyMarkRequest, pb.ApplyMarkResponse, MarkOutcome,
                 _apply_mark, journals_response=True, event="mark", metric="mark",
                 work=work.mark_work, marks=lambda request: (request,))
MARKS = InputKind(RecordKind.MARKS, pb.ApplyMarksRequest, pb.ApplyMarksResponse, MarksOutcome,
                  _apply_marks, journals_response=True, event="marks", metric="mark",
                  work=work.marks_work, marks=lambda request: request.marks)
CURRENCY = InputKind(RecordKind.CURRENCY, pb.UpsertCurrencyRequest, pb.UpsertCurrencyResponse,
                     CurrencyOutcome, _upsert_currency, journals_response=True, event="currency",
                     metric="currency", work=work.currency_work)
INSTRUMENT = InputKind(RecordKind.INSTRUMENT, pb.UpsertInstrumentRequest,
                       pb.UpsertInstrumentResponse, InstrumentOutcome, _upsert_instrument,
                       journals_response=True, event=None, metric="instrument",
                       work=work.instrument_work)
INPUT_KINDS = (DELTAS, MARK, MARKS, CURRENCY, INSTRUMENT)
_BY_RECORD = {kind.record: kind for kind in INPUT_KINDS}
if set(_BY_RECORD) != set(RecordKind):  # at import, not at the first record of the kind
    raise TypeError(f"journal record kinds without a row: {set(RecordKind) - set(_BY_RECORD)}")


def of_record(record: RecordKind) -> InputKind:
    """The row of a journal record's kind."""
    return _BY_RECORD[record]
