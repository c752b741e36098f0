"""Open-addressing hash map from uint64 account ids to int64 slots in one numpy array.

It replaces a dict[int, int] (about 100 bytes and one interpreter step per
key): a batch is probed in rounds, all pending ids trying their current bucket
at once. Row b of the table is (id bits, slot), the slot being EMPTY (-1) or
TOMBSTONE (-2) when the row holds no id: every uint64, 0 and 2**64-1 included,
is a valid id, so no key value can mark emptiness. The home bucket is the top
bits of a Fibonacci hash; probes go home, +1, +3, +6, ... (triangular), which
visits every bucket of a power-of-two table and spreads colliding ids out.

Invariants: every present id is found by probing from its home bucket without
crossing an EMPTY bucket (tombstones are probed past, and reused by inserts);
live ids + tombstones <= half the buckets, so probes stay short.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

EMPTY = -1
TOMBSTONE = -2
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio; odd, so a bijection of uint64
_MIN_BITS = 3


def _bits_for(count: int) -> int:
    """Table bits that keep `count` ids at load factor <= 0.5."""
    return max(_MIN_BITS, (2 * count - 1).bit_length())


class IdMap:
    def __init__(self, capacity: int = 1024):
        """Room for `capacity` ids before the first rehash."""
        self._live = 0
        self._allocate(_bits_for(capacity))

    def _allocate(self, bits: int) -> None:
        self._bits, self._mask = bits, (1 << bits) - 1
        # One 16-byte row per bucket: a probe costs one cache miss, not one per array.
        self._table = np.zeros((1 << bits, 2), dtype=np.int64)
        self._keys, self._slots = self._table[:, 0], self._table[:, 1]
        self._slots[:] = EMPTY
        self._tombs = 0  # counted with live ids toward the load factor: both lengthen probes

    def _home(self, ids: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):  # the multiply is meant to wrap mod 2**64
            return ((ids * _GOLDEN) >> np.uint64(64 - self._bits)).astype(np.int64)

    def _probe_end(self, ids: np.ndarray) -> np.ndarray:
        """Bucket where each id's probe stops: its own if present, else an EMPTY one."""
        keys, bucket = ids.view(np.int64), self._home(ids)
        end, pending, step = bucket, None, 0
        while True:
            row = self._table.take(bucket, axis=0)
            more = np.flatnonzero((row[:, 1] != EMPTY) & ((row[:, 0] != keys) | (row[:, 1] < 0)))
            if not len(more):
                return end
            pending = more if pending is None else pending.take(more)
            keys, step = keys.take(more), step + 1
            bucket = (bucket.take(more) + step) & self._mask
            end[pending] = bucket

    def lookup(self, ids: np.ndarray) -> np.ndarray:
        """Slot of each id (repeats allowed), -1 where absent."""
        return self._slots[self._probe_end(np.asarray(ids, dtype=np.uint64))]  # EMPTY is -1

    def insert(self, ids: np.ndarray, slots: np.ndarray) -> None:
        """Adds ids that are absent and distinct (the caller's guarantee), with their slots."""
        ids, slots = np.asarray(ids, dtype=np.uint64), np.asarray(slots, dtype=np.int64)
        assert ids.shape == slots.shape and ids.ndim == 1 and (slots >= 0).all()
        if self._live + self._tombs + len(ids) > (self._mask + 1) // 2:
            self._rehash(self._live + len(ids))
        self._place(ids.view(np.int64), slots)
        self._live += len(ids)

    def _place(self, keys: np.ndarray, slots: np.ndarray) -> None:
        bucket, step = self._home(keys.view(np.uint64)), 0
        while len(keys):
            held = self._slots[bucket]  # fancy indexing: take() would copy the strided column whole
            free = np.flatnonzero(held < 0)
            # Several ids may want one free bucket: each writes a claim code and
            # reads it back, so exactly one wins whichever write numpy lands last.
            target, claim = bucket.take(free), -3 - free
            self._slots[target] = claim
            won_at = np.flatnonzero(self._slots[target] == claim)
            won, target = free.take(won_at), target.take(won_at)
            self._keys[target], self._slots[target] = keys.take(won), slots.take(won)
            if self._tombs:
                self._tombs -= int(np.count_nonzero(held.take(won) == TOMBSTONE))
            rest = np.ones(len(keys), dtype=bool)
            rest[won] = False
            rest = np.flatnonzero(rest)
            keys, slots, bucket = keys.take(rest), slots.take(rest), bucket.take(rest)
            # Cheap, as the rows are cached: a repeat loses to its twin in its bucket, and a present
            # id lies on its own path (caught here unless a tombstone before it was reused).
            if __debug__:
                row = self._table.take(bucket, axis=0)
                assert not ((row[:, 1] >= 0) & (row[:, 0] == keys)).any(), "insert of a present or repeated id"
            step += 1
            bucket = (bucket + step) & self._mask

    def _rehash(self, count: int) -> None:
        """Re-places the live ids (dropping tombstones) in a table sized for `count`."""
        live = self._slots >= 0
        keys, slots = self._keys[live], self._slots[live]
        self._allocate(max(self._bits, _bits_for(count)))
        self._place(keys, slots)

    def _bucket_of(self, account_id: int) -> int:
        """The id's bucket, -1 if absent."""
        bucket = int(self._probe_end(np.array([account_id], dtype=np.uint64))[0])
        return bucket if self._slots[bucket] >= 0 else -1

    def remove(self, account_id: int) -> None:
        """Removes one id (rollbacks only); KeyError if absent."""
        bucket = self._bucket_of(account_id)
        if bucket < 0:
            raise KeyError(account_id)
        self._slots[bucket] = TOMBSTONE  # not EMPTY: ids placed past it must stay reachable
        self._live -= 1
        self._tombs += 1

    def get(self, account_id: int) -> int | None:
        bucket = self._bucket_of(account_id)
        return None if bucket < 0 else int(self._slots[bucket])

    def __contains__(self, account_id: int) -> bool:
        return self._bucket_of(account_id) >= 0

    def __len__(self) -> int:
        return self._live

    def items(self) -> Iterator[tuple[int, int]]:
        """(id, slot) pairs as Python ints, in bucket order."""
        live = self._slots >= 0
        return zip(self._keys[live].view(np.uint64).tolist(), self._slots[live].tolist())

    @property
    def nbytes(self) -> int:
        return self._table.nbytes

    def placement(self) -> tuple[int, np.ndarray, np.ndarray]:
        """(table bits, the bucket of each slot's id, the tombstones' buckets) of a map whose slots
        are 0..n-1, for a snapshot: `placed` gives back this map, probe paths included, from the
        ids by slot (4 bytes per id instead of the 32 of the table)."""
        live = np.flatnonzero(self._slots >= 0)
        buckets = np.empty(self._live, dtype=np.int32 if self._bits < 31 else np.int64)
        buckets[self._slots[live]] = live  # IndexError if the slots are not 0..n-1
        return self._bits, buckets, np.flatnonzero(self._slots == TOMBSTONE)

    @classmethod
    def placed(cls, bits: int, ids: np.ndarray, buckets: np.ndarray, tombstones: np.ndarray) -> "IdMap":
        """The map whose `placement()` this was, ids[s] in buckets[s] with slot s (ValueError when
        the placement cannot be one)."""
        if not _MIN_BITS <= bits <= 62 or len(ids) != len(buckets):
            raise ValueError(f"an id map of {bits} bits placing {len(ids)} ids in {len(buckets)} buckets")
        id_map = cls.__new__(cls)
        id_map._allocate(bits)
        size = 1 << bits
        if len(buckets) and not (0 <= int(buckets.min()) and int(buckets.max()) < size) or \
                len(tombstones) and not (0 <= int(tombstones.min()) and int(tombstones.max()) < size):
            raise ValueError(f"an id map placement outside its {size} buckets")
        buckets = buckets.astype(np.int64)
        id_map._keys[buckets] = np.asarray(ids, dtype=np.uint64).view(np.int64)
        id_map._slots[buckets] = np.arange(len(ids), dtype=np.int64)
        id_map._slots[tombstones] = TOMBSTONE
        id_map._live, id_map._tombs = len(ids), len(tombstones)
        held = int(np.count_nonzero(id_map._slots >= 0))
        if held != len(ids) or id_map._live + id_map._tombs > size // 2:
            raise ValueError(f"an id map placement of {len(ids)} ids holds {held} of them "
                             f"(with {len(tombstones)} tombstones in {size} buckets)")
        return id_map
