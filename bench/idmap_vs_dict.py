"""IdMap (engine/idmap.py) against a Python dict at 1,000,000 uint64 account ids.

    .venv/bin/python -m bench.idmap_vs_dict

Builds both in batches, checks they agree, then times batched lookups (8,192 ids,
half present) and prints bytes per id.
"""
import statistics, sys, time
import numpy as np
from markcap.engine.idmap import IdMap

N, BATCH, Q, REPS = 1_000_000, 4096, 8192, 200
rng = np.random.default_rng(42)
ids = rng.permutation(np.unique(rng.integers(0, 2**64, size=N + 10_000, dtype=np.uint64))[:N])
assert len(ids) == N

def build(batch):
    m, per_batch, t0 = IdMap(), [], time.perf_counter()
    for start in range(0, N, batch):
        grows = m.nbytes
        t = time.perf_counter()
        m.insert(ids[start:start + batch], np.arange(start, min(start + batch, N), dtype=np.int64))
        if m.nbytes == grows:
            per_batch.append(time.perf_counter() - t)
    return m, time.perf_counter() - t0, per_batch

m, insert_s, per4096 = build(BATCH)
_, insert8k_s, per8192 = build(Q)
d, t0 = {}, time.perf_counter()
for start in range(0, N, BATCH):
    d.update(zip(ids[start:start + BATCH].tolist(), range(start, min(start + BATCH, N))))
dict_insert_s = time.perf_counter() - t0

def make_query():
    present = ids[rng.integers(0, N, size=Q // 2)]
    absent = rng.integers(0, 2**64, size=Q // 2, dtype=np.uint64)  # present with odds ~1e-13
    return rng.permutation(np.concatenate([present, absent]))

queries = [make_query() for _ in range(REPS)]  # a fresh query each time: no cache left warm by the last one
for q in queries[:5]:
    assert (m.lookup(q) == np.array([d.get(i, -1) for i in q.tolist()])).all()

def median_us(fn, same=False):
    times = []
    for q in queries:
        q = queries[0] if same else q
        t = time.perf_counter(); fn(q); times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e6

us = lambda xs: f"median {statistics.median(xs)*1e6:.0f} us, max {max(xs)*1e6:.0f} us"
print(f"python {sys.version.split()[0]} numpy {np.__version__} asserts {'on' if __debug__ else 'off'}")
print(f"build 1,000,000 ids in batches of {BATCH}: IdMap {insert_s*1e3:.0f} ms total "
      f"(per batch without a rehash: {us(per4096)}); dict.update same batches {dict_insert_s*1e3:.0f} ms")
print(f"build in batches of {Q}: {insert8k_s*1e3:.0f} ms total (per batch without a rehash: {us(per8192)})")
print(f"lookup of {Q} ids, half present, median of {REPS} fresh queries: IdMap {median_us(m.lookup):.0f} us; "
      f"dict [d.get(i, -1) for i in ids.tolist()] {median_us(lambda q: [d.get(i, -1) for i in q.tolist()]):.0f} us")
print(f"  same query repeated (warm cache): IdMap {median_us(m.lookup, True):.0f} us; "
      f"dict {median_us(lambda q: [d.get(i, -1) for i in q.tolist()], True):.0f} us")
dict_bytes = sys.getsizeof(d) + sum(sys.getsizeof(k) + sys.getsizeof(v) for k, v in d.items())
print(f"memory at 1M ids: IdMap nbytes {m.nbytes} = {m.nbytes / len(m):.1f} bytes/id; "
      f"dict (table + int objects) {dict_bytes / N:.1f} bytes/id")
