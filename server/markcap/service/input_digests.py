"""What makes a re-sent seq the same input: a digest of its request (issue 12, item 6).

A seq <= the applied seq is a duplicate only if it carries the content it was
applied with; otherwise it is refused with SeqContentDiffers (FAILED_PRECONDITION
`SEQ_CONTENT_DIFFERS`) and nothing is applied, so a producer that reuses seqs
finds out at once.

The digest is blake2b (16 bytes) of the request serialized deterministically,
leaving out what legitimately differs on a retry:

- `seq`: the key itself. An input sent with seq 0 is journaled with the seq it
  was assigned, and its retry names that seq.
- `max_steps` of a sweeping mark (ApplyMark, or each of ApplyMarks' marks): the
  server writes its `--max-sweep-steps` bound into it before the input is
  applied and journaled (limits.bound_sweeps), so the same request retried
  after a restart with another bound must still be the same input.

Everything else counts, down to the bit of a price. `dry_run` needs no rule: a
dry run is never a duplicate.

Where the digest of an applied input comes from: on a data dir, from its
journaled request (the journal keeps the request whole for at least the last
`retained_outcomes` inputs, across restarts; no extra field is stored); in
memory (--in-memory), from RetainedDigests, the last `retained_outcomes`
digests. A duplicate older than both cannot be compared: a delta batch that old
is still acknowledged as a duplicate, any other input gets DUPLICATE_TOO_OLD
from the engine, as before.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict

from markcap.engine import PreconditionFailed
from markcap.engine.sequencer import content_differs

from .input_kinds import InputKind

DIGEST_BYTES = 16


class SeqContentDiffers(PreconditionFailed):
    """A seq that was applied, re-sent with other content."""

    def __init__(self, seq: int, what: str):
        super().__init__(content_differs(seq, what))
        self.seq = seq
        self.what = what


def digest(kind: InputKind, request) -> bytes:
    """blake2b of the request without the fields a retry may change (see the module doc)."""
    if kind.marks is not None:
        comparable = type(request)()
        comparable.CopyFrom(request)  # small; its sweeps' max_steps are cleared
        comparable.seq = 0
        for mark in kind.marks(comparable):
            if mark.sweep:
                mark.max_steps = 0
        return _blake2b(comparable)
    seq, request.seq = request.seq, 0  # a delta batch can be large: no copy, seq put back
    try:
        return _blake2b(request)
    finally:
        request.seq = seq


def _blake2b(message) -> bytes:
    serialized = message.SerializeToString(deterministic=True)
    return hashlib.blake2b(serialized, digest_size=DIGEST_BYTES).digest()


class RetainedDigests:
    """(kind, digest) of the last `capacity` applied inputs, for a server without a journal."""

    def __init__(self, capacity: int):
        self._capacity = max(1, capacity)
        self._by_seq: OrderedDict[int, tuple[InputKind, bytes]] = OrderedDict()

    def note(self, seq: int, kind: InputKind, request) -> None:
        self._by_seq[seq] = (kind, digest(kind, request))
        while len(self._by_seq) > self._capacity:
            self._by_seq.popitem(last=False)

    def get(self, seq: int) -> tuple[InputKind, bytes] | None:
        return self._by_seq.get(seq)
