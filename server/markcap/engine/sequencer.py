"""Exactly-once sequencing of inputs (SPEC 2).

seq = last + 1 is applied; seq <= last is a duplicate, answered with the
retained original outcome; a gap is refused; seq 0 is assigned last + 1.
The most recent `retained` outcomes are kept for duplicate answers.

This module also words every refusal of a duplicate that is not the input it
claims to be: the engine's (a retained outcome of another kind) and the
service's (a journaled input of another kind, or other content under the same
seq: service/inputs.py, service/input_digests.py) say it the same way, naming
each kind as INPUT_NAMES does.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from .errors import DuplicateTooOld, InvalidInput, PreconditionFailed, SequenceGap
from .types import CurrencyOutcome, DeltasOutcome, InstrumentOutcome, MarkOutcome, MarksOutcome

UINT64_MAX = 2**64 - 1
# Each kind of input by its outcome, as duplicate answers name it.
INPUT_NAMES: dict[type, str] = {
    DeltasOutcome: "a delta batch", MarkOutcome: "a mark update", MarksOutcome: "a mark list",
    CurrencyOutcome: "a currency upsert", InstrumentOutcome: "an instrument upsert"}


def applied_as_another_kind(seq: int, applied: str, sent: str) -> PreconditionFailed:
    """A duplicate seq that was applied as another kind of input (`applied`, `sent`: names
    from INPUT_NAMES)."""
    return PreconditionFailed(f"seq {seq} was already applied as {applied}, not {sent}")


def content_differs(seq: int, what: str) -> str:
    """The message of a duplicate seq whose content differs from the input `what` applied
    under it (service/input_digests.py SeqContentDiffers)."""
    return (f"seq {seq} was already applied as {what} and this request's content differs "
            f"from it: re-send seq {seq} unchanged, or send the new input with the next seq")


@dataclass(frozen=True)
class Admission:
    """What to do with an input: apply it at `seq`, or answer the duplicate with `original`."""

    seq: int
    duplicate: bool
    original: object | None = None


class Sequencer:
    def __init__(self, retained: int):
        self.applied_seq = 0
        self._retained = max(1, retained)
        self._outcomes: OrderedDict[int, object] = OrderedDict()

    def admit(self, seq: int) -> Admission:
        if not 0 <= seq <= UINT64_MAX:
            raise InvalidInput(f"seq {seq} is not a uint64", field="seq", value=seq)
        if seq == 0:
            return Admission(self.applied_seq + 1, duplicate=False)
        if seq == self.applied_seq + 1:
            return Admission(seq, duplicate=False)
        if seq > self.applied_seq:
            raise SequenceGap(seq, self.applied_seq + 1)
        return Admission(seq, duplicate=True, original=self._outcomes.get(seq))

    def original(self, admission: Admission, kind: type):
        """The retained outcome of a duplicate, checked to be of the same kind of input."""
        original = admission.original
        if original is None:
            oldest = next(iter(self._outcomes), self.applied_seq + 1)
            raise DuplicateTooOld(admission.seq, oldest)
        if not isinstance(original, kind):
            raise applied_as_another_kind(admission.seq, INPUT_NAMES[type(original)],
                                          INPUT_NAMES[kind])
        return original

    def record(self, seq: int, outcome: object) -> None:
        self.applied_seq = seq
        self._outcomes[seq] = outcome
        while len(self._outcomes) > self._retained:
            self._outcomes.popitem(last=False)
