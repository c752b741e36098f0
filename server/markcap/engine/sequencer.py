"""Exactly-once sequencing of inputs (SPEC 2).

seq = last + 1 is applied; seq <= last is a duplicate, answered with the
retained original outcome; a gap is refused; seq 0 is assigned last + 1.
The most recent `retained` outcomes are kept for duplicate answers.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from .errors import DuplicateTooOld, InvalidInput, PreconditionFailed, SequenceGap

UINT64_MAX = 2**64 - 1


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

    def original(self, admission: Admission, kind: type, what: str):
        """The retained outcome of a duplicate, checked to be of the same kind of input."""
        original = admission.original
        if original is None:
            oldest = next(iter(self._outcomes), self.applied_seq + 1)
            raise DuplicateTooOld(admission.seq, oldest)
        if not isinstance(original, kind):
            raise PreconditionFailed(
                f"seq {admission.seq} was already applied as another kind of input "
                f"({type(original).__name__}), not {what}")
        return original

    def record(self, seq: int, outcome: object) -> None:
        self.applied_seq = seq
        self._outcomes[seq] = outcome
        while len(self._outcomes) > self._retained:
            self._outcomes.popitem(last=False)
