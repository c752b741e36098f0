"""bench/index_alternatives.py: the three structures answer the same query (a small run)."""
from bench.index_alternatives import measure


def test_every_structure_finds_the_same_rows():
    results = measure(rows=5_000, batch=200, repeat=3)
    assert set(results) == {"SortedList", "GroupedBlockMin", "numpy scan"}
    assert len({row["hits"] for row in results.values()}) == 1
    assert all(row["hits"] >= 1 for row in results.values())
