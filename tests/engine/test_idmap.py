"""IdMap answers like a plain dict under batched inserts, lookups, removes and growth.

Ids include 0, 2**64-1 and ids crafted to share a home bucket at every table
size up to 2**20 buckets: their hash products (id * GOLDEN mod 2**64) agree in
the top 20 bits, so they collide and must be told apart by probing.
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from markcap.engine.idmap import TOMBSTONE, IdMap

U64 = 2**64
GOLDEN = 0x9E3779B97F4A7C15
INVERSE = pow(GOLDEN, -1, U64)


def colliding(top: int, low: int) -> int:
    """An id whose hash product has `top` in its top 20 bits."""
    return ((top << 44) | low) * INVERSE % U64


ids = st.one_of(
    st.integers(0, 40),                                   # small, so batches revisit the same ids
    st.sampled_from([0, 1, 2**63, U64 - 1]),
    st.integers(0, U64 - 1),
    st.builds(colliding, st.sampled_from([0, 1, 2**20 - 1]), st.integers(0, 30)))
operations = st.lists(st.one_of(
    st.tuples(st.just("insert"), st.lists(ids, max_size=40)),
    st.tuples(st.just("lookup"), st.lists(ids, max_size=40)),
    st.tuples(st.just("remove"), st.integers(0, 10**6)),
    st.tuples(st.just("remove_absent"), ids)), max_size=40)


def as_u64(values) -> np.ndarray:
    return np.array(values, dtype=np.uint64)


def check_agrees(index: IdMap, model: dict[int, int]) -> None:
    assert len(index) == len(model)
    assert dict(index.items()) == model
    present = list(model)
    assert index.lookup(as_u64(present)).tolist() == [model[i] for i in present]
    # White-box: the load factor bound, tombstones included, on the table itself.
    tombstones = int(np.count_nonzero(index._slots == TOMBSTONE))
    assert index._tombs == tombstones
    assert 2 * (len(index) + tombstones) <= len(index._slots)


@given(st.integers(0, 20), operations)
def test_idmap_agrees_with_a_dict(capacity, ops):
    index, model, next_slot = IdMap(capacity), {}, 0
    for op, arg in ops:
        if op == "insert":
            fresh = list(dict.fromkeys(i for i in arg if i not in model))  # distinct and absent, as required
            slots = list(range(next_slot, next_slot + len(fresh)))
            next_slot += len(fresh)
            index.insert(as_u64(fresh), np.array(slots, dtype=np.int64))
            model.update(zip(fresh, slots))
        elif op == "lookup":
            assert index.lookup(as_u64(arg)).tolist() == [model.get(i, -1) for i in arg]
            for i in arg[:5]:
                assert index.get(i) == model.get(i)
                assert (i in index) == (i in model)
        elif op == "remove" and model:
            victim = sorted(model)[arg % len(model)]
            index.remove(victim)
            del model[victim]
            assert index.get(victim) is None and victim not in index
        elif op == "remove_absent" and arg not in model:
            with pytest.raises(KeyError):
                index.remove(arg)
        check_agrees(index, model)


def test_one_home_bucket_for_many_ids():
    index = IdMap(1)
    crowd = [colliding(5, low) for low in range(300)]
    index.insert(as_u64(crowd[:150]), np.arange(150))
    index.insert(as_u64(crowd[150:]), np.arange(150, 300))  # grows; all still share a home bucket
    for victim in crowd[::3]:
        index.remove(victim)
    model = {i: s for s, i in enumerate(crowd) if s % 3}
    check_agrees(index, model)
    assert index.lookup(as_u64(crowd[::3])).tolist() == [-1] * 100  # probed past the tombstones
    index.insert(as_u64(crowd[::3]), np.arange(1000, 1100))         # may reuse them
    model.update(zip(crowd[::3], range(1000, 1100)))
    check_agrees(index, model)


def test_tombstones_count_toward_the_load_factor():
    index = IdMap(0)                                   # 8 buckets: room for 4
    old = [colliding(0, low) for low in range(4)]      # home bucket 0
    index.insert(as_u64(old), np.arange(4))
    for victim in old[:3]:
        index.remove(victim)
    new = [colliding(4 << 17, low) for low in range(3)]  # home bucket 4: paths miss the tombstones
    index.insert(as_u64(new), np.arange(10, 13))
    check_agrees(index, {old[3]: 3, **dict(zip(new, range(10, 13)))})


@pytest.mark.skipif(not __debug__, reason="the precondition check is an assert")
def test_insert_of_a_repeated_id_is_caught():
    index = IdMap()
    with pytest.raises(AssertionError):
        index.insert(as_u64([7, 7]), np.array([0, 1], dtype=np.int64))


def test_200k_ids_in_batches():
    rng = np.random.default_rng(20240601)
    keys = np.unique(rng.integers(0, U64, size=210_000, dtype=np.uint64, endpoint=False))
    keys = rng.permutation(keys)[:200_000]
    keys[:2] = [0, U64 - 1]
    index = IdMap()
    for start in range(0, len(keys), 4096):
        batch = keys[start:start + 4096]
        index.insert(batch, np.arange(start, start + len(batch), dtype=np.int64))
    assert len(index) == len(keys)
    assert (index.lookup(keys) == np.arange(len(keys))).all()
    absent = rng.integers(0, U64, size=50_000, dtype=np.uint64, endpoint=False)
    absent = np.concatenate([absent[~np.isin(absent, keys)], as_u64([1, U64 - 2])])
    assert (index.lookup(absent) == -1).all()
    assert index.get(0) == 0 and index.get(U64 - 1) == 1


def test_a_placed_map_is_the_map_it_was_taken_from_tombstones_and_probe_paths_included():
    rng = np.random.default_rng(4)
    ids = rng.integers(0, 2**64 - 1, size=3000, dtype=np.uint64, endpoint=True)
    ids[:3] = (0, 2**64 - 1, 7)
    ids = np.unique(ids)
    rng.shuffle(ids)
    original = IdMap(8)
    original.insert(ids, np.arange(len(ids), dtype=np.int64))
    extra = np.array([123456789, 987654321], dtype=np.uint64)
    original.insert(extra, np.array([len(ids), len(ids) + 1]))
    for account_id in extra.tolist():  # rollbacks leave tombstones on probe paths
        original.remove(account_id)
    placed = IdMap.placed(*_with_ids(original, ids))
    assert placed._slots.tobytes() == original._slots.tobytes()
    assert np.array_equal(placed.lookup(ids), np.arange(len(ids)))
    assert placed.get(int(extra[0])) is None and len(placed) == len(ids)
    placed.insert(extra, np.array([len(ids), len(ids) + 1]))  # reuses the tombstones
    assert placed.get(int(extra[1])) == len(ids) + 1


def _with_ids(id_map, ids):
    bits, buckets, tombstones = id_map.placement()
    return bits, ids, buckets, tombstones


def test_a_placement_that_cannot_be_a_map_is_refused():
    id_map = IdMap(8)
    ids = np.arange(10, 20, dtype=np.uint64)
    id_map.insert(ids, np.arange(10))
    bits, buckets, tombstones = id_map.placement()
    with pytest.raises(ValueError):
        IdMap.placed(bits, ids, np.zeros_like(buckets), tombstones)  # every id in one bucket
    with pytest.raises(ValueError):
        IdMap.placed(bits, ids, buckets + (1 << bits), tombstones)
