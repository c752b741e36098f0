"""State-changing requests: applied by the single writer, journaled before acknowledged.

Each input runs, under the writer's lock: convert -> engine -> journal the
request (with its assigned seq) and, for marks and upserts, the response ->
fsync (per policy) -> publish the event. Only then is it acknowledged.
Rejected inputs and dry runs change nothing and are not journaled. Before an
input is applied, a duplicate seq is checked against the content it was applied
with (input_digests.py), and on a data dir the free space against the floor
(free_space.py: below it the input is refused, nothing written).

`apply_request` is the one conversion path, shared with replay (recovery.py),
so a replayed journal goes through exactly the code the live input did.

A journal that cannot be written is fatal: the engine has applied an input
that is not durable, so the process must stop (`on_fatal`) and restart from
the journal, where that unacknowledged input does not exist.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Callable

from markcap.engine import (CurrencyOutcome, DeltasOutcome, Engine, EngineError,
                            InstrumentOutcome, MarkOutcome, MarksOutcome)
from markcap.engine.sequencer import INPUT_NAMES, applied_as_another_kind
from markcap.store import FsyncPolicy, Journal, JournalRecord, RecordKind
from markcap.store.fsync import GROUPED
from markcap.v1 import risk_engine_pb2 as pb

from . import from_proto, to_proto
from .events import EventLog
from .free_space import FreeSpaceFloor
from .input_digests import RetainedDigests, SeqContentDiffers, digest
from .read_ahead import ReadAhead
from .writer import SerializedEngine

LOG = logging.getLogger("markcap.service")
GROUP_LIMIT = 64  # delta batches fsynced together at most, under the grouped policy
REQUEST_TYPES = {RecordKind.DELTAS: pb.StreamDeltasRequest, RecordKind.MARK: pb.ApplyMarkRequest,
                 RecordKind.MARKS: pb.ApplyMarksRequest, RecordKind.CURRENCY: pb.UpsertCurrencyRequest,
                 RecordKind.INSTRUMENT: pb.UpsertInstrumentRequest}
RESPONSE_TYPES = {RecordKind.DELTAS: pb.StreamDeltasResponse, RecordKind.MARK: pb.ApplyMarkResponse,
                  RecordKind.MARKS: pb.ApplyMarksResponse, RecordKind.CURRENCY: pb.UpsertCurrencyResponse,
                  RecordKind.INSTRUMENT: pb.UpsertInstrumentResponse}
# Delta answers are rebuilt from the request; the others are kept for duplicates and events.
JOURNALED_RESPONSES = (RecordKind.MARK, RecordKind.MARKS, RecordKind.CURRENCY, RecordKind.INSTRUMENT)
EVENT_KINDS = (RecordKind.MARK, RecordKind.MARKS, RecordKind.CURRENCY)  # what WatchEvents shows
DESCRIPTIONS = {RecordKind.DELTAS: INPUT_NAMES[DeltasOutcome], RecordKind.MARK: INPUT_NAMES[MarkOutcome],
                RecordKind.MARKS: INPUT_NAMES[MarksOutcome],
                RecordKind.CURRENCY: INPUT_NAMES[CurrencyOutcome],
                RecordKind.INSTRUMENT: INPUT_NAMES[InstrumentOutcome]}


class PersistenceFailed(Exception):
    """The journal could not be written; no input is accepted any more."""


class ServerStopping(Exception):
    """The server is stopping: inputs are refused (UNAVAILABLE), so the last snapshot is the
    last state."""


def apply_request(engine: Engine, kind: RecordKind, request):
    """Request message -> engine -> response message (live inputs and replay alike)."""
    if kind is RecordKind.DELTAS:
        return to_proto.deltas_response(engine.apply_deltas(
            request.seq, from_proto.fill_batch(request.fills),
            from_proto.transfer_batch(request.transfers)))
    if kind is RecordKind.MARK:
        return to_proto.mark_response(engine.apply_mark(
            request.seq, request.instrument_id, request.price, from_proto.cap_policy(request),
            request.dry_run, request.sweep, request.max_steps))
    if kind is RecordKind.MARKS:
        return to_proto.marks_response(engine.apply_marks(
            request.seq, from_proto.mark_requests(request), request.dry_run))
    if kind is RecordKind.CURRENCY:
        return to_proto.currency_response(
            engine.upsert_currency(request.seq, from_proto.currency_update(request)))
    return to_proto.instrument_response(
        engine.upsert_instrument(request.seq, from_proto.instrument_update(request)))


def serialize(message) -> bytes:
    return message.SerializeToString(deterministic=True)


def event_of(kind: RecordKind, seq: int, response) -> pb.WatchEventsResponse | None:
    """The WatchEvents message for an applied input (marks, mark lists and currency upserts only)."""
    if kind is RecordKind.MARK:
        return pb.WatchEventsResponse(seq=seq, mark=response)
    if kind is RecordKind.MARKS:
        return pb.WatchEventsResponse(seq=seq, marks=response)
    if kind is RecordKind.CURRENCY:
        return pb.WatchEventsResponse(seq=seq, currency=response)
    return None


class DurableInputs:
    def __init__(self, writer: SerializedEngine, journal: Journal | None, policy: FsyncPolicy,
                 events: EventLog, on_journaled: Callable[..., None] = lambda seq, *journaled: None,
                 on_fatal: Callable[[BaseException], None] = lambda error: None,
                 on_acknowledged: Callable[[], None] = lambda: None, retained: int = 65536):
        """`retained`: without a journal, how many inputs' digests are kept to check duplicates."""
        self._writer = writer
        self._journal = journal
        self._policy = policy
        self._events = events
        self._on_journaled = on_journaled
        self._on_fatal = on_fatal
        self._on_acknowledged = on_acknowledged  # e.g. metrics of what is durable
        self._failure: BaseException | None = None
        # Without a journal, what a duplicate's content is checked against (input_digests.py).
        self._digests = RetainedDigests(retained) if journal is None else None
        # Checked before an input is applied: below the floor it is refused (free_space.py).
        self.free_space: FreeSpaceFloor | None = None
        self._stopped = False
        self._unpublished: list[pb.WatchEventsResponse] = []  # events waiting for their fsync
        # Last seq acknowledged (durable per policy, events published): WatchEvents history
        # reads the journal up to here and no further.
        self.acknowledged_seq = writer.read(lambda engine: engine.applied_seq)

    # ---- the RPCs' entry points ------------------------------------------------

    def apply(self, kind: RecordKind, request):
        """Applies one input and returns its response once it is durable (per policy)."""
        with self._writer.exclusive() as engine:
            response = self._apply_locked(engine, kind, request)
            self._sync_locked(engine)
        return response

    def stream_deltas(self, requests: Iterable) -> Iterator[tuple[int, object, object]]:
        """(message number, request, response or EngineError) per batch; stops after an error."""
        numbered = enumerate(requests, start=1)
        if self._policy.mode != GROUPED:
            for number, request in numbered:
                result = self._try(lambda: self.apply(RecordKind.DELTAS, request))
                yield number, request, result
                if isinstance(result, EngineError):
                    return
            return
        with ReadAhead(numbered, GROUP_LIMIT) as ahead:
            for group in ahead.groups():
                results = self._apply_group(group)
                yield from results
                if isinstance(results[-1][2], EngineError):
                    return

    def stop(self) -> None:
        """Refuses every later input (ServerStopping); waits for the one being applied."""
        with self._writer.exclusive():
            self._stopped = True

    # ---- steps ---------------------------------------------------------------------

    @staticmethod
    def _try(step):
        try:
            return step()
        except EngineError as error:
            return error

    def _apply_group(self, group: list[tuple[int, object]]) -> list[tuple[int, object, object]]:
        """Applies batches until one is rejected, then one fsync for all that were applied."""
        results = []
        with self._writer.exclusive() as engine:
            try:
                for number, request in group:
                    result = self._try(lambda: self._apply_locked(engine, RecordKind.DELTAS, request))
                    results.append((number, request, result))
                    if isinstance(result, EngineError):
                        break
            finally:  # e.g. DiskSpaceLow part-way: what was applied is made durable all the same
                self._sync_locked(engine)
        return results

    def _apply_locked(self, engine: Engine, kind: RecordKind, request):
        if self._stopped:
            raise ServerStopping("markcap-server is stopping: no input is accepted; retry "
                                 "when it serves again")
        if self._failure is not None:
            raise PersistenceFailed(f"the journal failed earlier ({self._failure}); "
                                    f"restart markcap-server") from self._failure
        dry_run = kind in (RecordKind.MARK, RecordKind.MARKS) and request.dry_run
        duplicate = not dry_run and 0 < request.seq <= engine.applied_seq
        if duplicate:
            answer = self._duplicate_answer(kind, request)
            if answer is not None:
                return answer
        if self.free_space is not None and not (dry_run or duplicate):
            self.free_space.check()  # before anything is applied or written
        applied_before = engine.applied_seq
        response = apply_request(engine, kind, request)
        if engine.applied_seq != applied_before:
            if self._digests is not None:
                self._digests.note(response.seq, kind, request)
            self._journal_locked(kind, request, response)
            event = event_of(kind, response.seq, response)
            if event is not None:
                self._unpublished.append(event)
        return response

    def _duplicate_answer(self, kind: RecordKind, request):
        """A duplicate checked against what was applied at its seq (same kind, same content:
        input_digests.py), answered from the journal for marks and upserts; None: the engine
        answers (a delta batch's acknowledgement, or what it retains, or DUPLICATE_TOO_OLD)."""
        seq = request.seq
        if self._journal is not None:
            record = self._journal.get(seq)
            held = None if record is None else (
                record.kind, digest(record.kind, REQUEST_TYPES[record.kind].FromString(record.request)))
        else:
            record, held = None, self._digests.get(seq)
        if held is None:
            return None  # too old to compare
        held_kind, held_digest = held
        if held_kind is not kind:
            raise applied_as_another_kind(seq, DESCRIPTIONS[held_kind], DESCRIPTIONS[kind])
        if held_digest != digest(kind, request):
            raise SeqContentDiffers(seq, DESCRIPTIONS[kind])
        if record is None or kind not in JOURNALED_RESPONSES:
            return None
        return RESPONSE_TYPES[kind].FromString(record.response)

    def _journal_locked(self, kind: RecordKind, request, response) -> None:
        if self._journal is None:
            return
        request.seq = response.seq  # journal the seq it was given (0 means auto-assigned)
        record = JournalRecord(response.seq, kind, serialize(request),
                               serialize(response) if kind in JOURNALED_RESPONSES else b"")
        self._guarded(lambda: self._journal.append(record))
        self._on_journaled(response.seq, kind, request, response)  # e.g. Snapshotter.note_journaled

    def _sync_locked(self, engine: Engine) -> None:
        """Makes what was journaled durable (per policy), then lets watchers see its events."""
        if self._journal is not None and self._policy.syncs_before_ack:
            self._guarded(self._journal.sync)
        for event in self._unpublished:
            self._events.append(event)
        self._unpublished.clear()
        self.acknowledged_seq = engine.applied_seq
        self._on_acknowledged()

    def _guarded(self, step) -> None:
        try:
            step()
        except BaseException as error:
            self.fail(error)
            raise PersistenceFailed(f"the journal failed: {error}") from error

    def fail(self, error: BaseException) -> None:
        """Stops accepting inputs after a journal failure and hands it to `on_fatal`."""
        if self._failure is None:
            self._failure = error
            LOG.critical("journal failed; an applied input may not be durable: %s", error)
        self._on_fatal(error)
