"""State-changing requests: applied by the single writer, journaled before acknowledged.

Each input runs, under the writer's lock: convert -> engine -> journal the
request (with its assigned seq) and, for marks and upserts, the response ->
fsync (per policy) -> publish the event. Only then is it acknowledged.
Rejected inputs and dry runs change nothing and are not journaled. Before an
input is applied, a duplicate seq is checked against the content it was applied
with (input_digests.py), and on a data dir the free space against the floor
(free_space.py: below it the input is refused, nothing written).

Each kind of input is a row of input_kinds.py: its `apply` is the one conversion
path, shared with replay (recovery.py), so a replayed journal goes through exactly
the code the live input did.

A journal that cannot be written is fatal: the engine has applied an input
that is not durable, so the process must stop (`on_fatal`) and restart from
the journal, where that unacknowledged input does not exist.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Callable

from markcap.engine import EngineError
from markcap.engine.sequencer import applied_as_another_kind
from markcap.store import FsyncPolicy, Journal, JournalRecord
from markcap.store.fsync import GROUPED
from markcap.v1 import risk_engine_pb2 as pb

from .engine_api import EngineApi
from .events import EventLog
from .free_space import FreeSpaceFloor
from .input_digests import RetainedDigests, SeqContentDiffers, digest
from .input_kinds import DELTAS, InputKind, of_record
from .read_ahead import ReadAhead
from .writer import SerializedEngine

LOG = logging.getLogger("markcap.service")
GROUP_LIMIT = 64  # delta batches fsynced together at most, under the grouped policy


class PersistenceFailed(Exception):
    """The journal could not be written; no input is accepted any more."""


class ServerStopping(Exception):
    """The server is stopping: inputs are refused (UNAVAILABLE), so the last snapshot is the
    last state."""


def serialize(message) -> bytes:
    return message.SerializeToString(deterministic=True)


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

    def apply(self, kind: InputKind, request):
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
                result = self._try(lambda: self.apply(DELTAS, request))
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
                    result = self._try(lambda: self._apply_locked(engine, DELTAS, request))
                    results.append((number, request, result))
                    if isinstance(result, EngineError):
                        break
            finally:  # e.g. DiskSpaceLow part-way: what was applied is made durable all the same
                self._sync_locked(engine)
        return results

    def _apply_locked(self, engine: EngineApi, kind: InputKind, request):
        if self._stopped:
            raise ServerStopping("markcap-server is stopping: no input is accepted; retry "
                                 "when it serves again")
        if self._failure is not None:
            raise PersistenceFailed(f"the journal failed earlier ({self._failure}); "
                                    f"restart markcap-server") from self._failure
        dry_run = kind.is_dry_run(request)
        duplicate = not dry_run and 0 < request.seq <= engine.applied_seq
        if duplicate:
            answer = self._duplicate_answer(kind, request)
            if answer is not None:
                return answer
        if self.free_space is not None and not (dry_run or duplicate):
            self.free_space.check()  # before anything is applied or written
        applied_before = engine.applied_seq
        response = kind.apply(engine, request)
        if engine.applied_seq != applied_before:
            if self._digests is not None:
                self._digests.note(response.seq, kind, request)
            self._journal_locked(kind, request, response)
            event = kind.event_of(response.seq, response)
            if event is not None:
                self._unpublished.append(event)
        return response

    def _duplicate_answer(self, kind: InputKind, request):
        """A duplicate checked against what was applied at its seq (same kind, same content:
        input_digests.py), answered from the journal for marks and upserts; None: the engine
        answers (a delta batch's acknowledgement, or what it retains, or DUPLICATE_TOO_OLD)."""
        seq = request.seq
        if self._journal is not None:
            record = self._journal.get(seq)
            held = None
            if record is not None:
                held_kind = of_record(record.kind)
                held = held_kind, digest(held_kind, held_kind.request.FromString(record.request))
        else:
            record, held = None, self._digests.get(seq)
        if held is None:
            return None  # too old to compare
        held_kind, held_digest = held
        if held_kind is not kind:
            raise applied_as_another_kind(seq, held_kind.description, kind.description)
        if held_digest != digest(kind, request):
            raise SeqContentDiffers(seq, kind.description)
        if record is None or not kind.journals_response:
            return None
        return kind.response.FromString(record.response)

    def _journal_locked(self, kind: InputKind, request, response) -> None:
        if self._journal is None:
            return
        request.seq = response.seq  # journal the seq it was given (0 means auto-assigned)
        record = JournalRecord(response.seq, kind.record, serialize(request),
                               serialize(response) if kind.journals_response else b"")
        self._guarded(lambda: self._journal.append(record))
        self._on_journaled(response.seq, kind, request, response)  # e.g. Snapshotter.note_journaled

    def _sync_locked(self, engine: EngineApi) -> None:
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
