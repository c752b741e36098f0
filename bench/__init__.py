"""markcap's benchmark: a seeded exchange workload (workload.py) and one harness
(run.py, `make bench SIZE=100k`) that measures a real server and the engine.
Outside test collection; tests/bench only smoke-tests it at a tiny size."""
