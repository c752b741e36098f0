# One entry point for people and CI. `make test` sets up and runs every check.
PY := .venv/bin/python
BUF := node_modules/.bin/buf

.PHONY: setup serve generate check-generated lint breaking test bench load
.PHONY: client-toolchains generate-clients check-generated-clients clients
.PHONY: soak-durability bench-persistence fuzz shutdown-soak

setup: .venv/.installed node_modules/.installed

.venv/.installed: pyproject.toml
	python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

serve: setup
	.venv/bin/markcap-server $(ARGS)

generate: setup
	scripts/generate.sh

check-generated: setup
	scripts/generate.sh
	git diff --exit-code -- client/markcap/v1 || (echo "generated stubs are stale: run 'make generate' and commit" >&2; exit 1)
	test -z "$$(git status --porcelain -- client/markcap/v1)" || (echo "untracked generated files: run 'make generate' and commit" >&2; exit 1)

# The C++, Go and Java toolchains, from Debian (apt-get; root or sudo). Quick
# when they are installed already.
client-toolchains:
	scripts/install-client-toolchains.sh

# Stubs for the C++, Go, Java and TypeScript clients (client/buf.gen.yaml).
CLIENT_STUBS := client/cpp/gen client/go/markcapv1 client/java/gen client/ts/gen
generate-clients: setup client-toolchains
	scripts/generate-clients.sh

check-generated-clients: setup client-toolchains
	scripts/generate-clients.sh
	git diff --exit-code -- $(CLIENT_STUBS) || (echo "client stubs are stale: run 'make generate-clients' and commit" >&2; exit 1)
	test -z "$$(git status --porcelain -- $(CLIENT_STUBS))" || (echo "untracked client stubs: run 'make generate-clients' and commit" >&2; exit 1)

# The example clients, each as build/clients/<language>/seed2-client ADDRESS.
clients: setup client-toolchains
	scripts/build-clients.sh build/clients

lint: setup
	$(BUF) lint

# Compatibility of protos/ with the previous commit (BREAKING_AGAINST=<rev> to
# choose another baseline); see scripts/check-breaking.sh.
breaking: setup
	BUF=$(BUF) scripts/check-breaking.sh

# pytest exits 5 when it collected nothing: a suite that ran no test is a failure.
test: setup client-toolchains check-generated check-generated-clients lint breaking
	$(PY) -m pytest $(PYTEST_ARGS) || { rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; fi; exit $$rc; }

# The benchmark of issue 3 (bench/run.py): starts a server on 127.0.0.1:0, loads
# exchange-$(SIZE) through StreamDeltas, prints one table, writes
# bench/results/$(SIZE).json. SIZE: tiny, 10k, 100k (default) or 1M.
SIZE ?= 100k
bench: .venv/.installed
	$(PY) -m bench.run --size $(SIZE) $(BENCH_ARGS)

# Load test (bench/load.py): one StreamDeltas stream at full rate + 8 unary
# clients against a server on 127.0.0.1:0 for $(DURATION) s (600: the soak);
# prints errors, latency percentiles and RSS, writes build/load/report.json and
# build/load/load.png. Exits 1 if any call failed.
DURATION ?= 20
load: .venv/.installed
	$(PY) -m bench.load --duration $(DURATION) $(LOAD_ARGS)

# Durability soak (issue 4): tests/durability/test_kill9.py with $(KILLS) kill -9
# points instead of CI's 20, on inputs and kill points from $(SEED) (default: a
# new one each run, printed). Servers on 127.0.0.1:0, data dirs under pytest's tmp.
KILLS ?= 200
soak-durability: .venv/.installed
	@seed=$${SEED:-$$(date +%s)}; echo "soak: $(KILLS) kills, MARKCAP_DURABILITY_SEED=$$seed"; \
	MARKCAP_DURABILITY_KILLS=$(KILLS) MARKCAP_DURABILITY_SEED=$$seed \
	  $(PY) -m pytest -q -p no:cacheprovider tests/durability/test_kill9.py

# What durability costs (bench/persistence.py): the store, each --fsync policy end
# to end, snapshots and replay; prints tables (quote them in docs/persistence.md).
bench-persistence: .venv/.installed
	$(PY) -m bench.persistence $(BENCH_ARGS)

# Hostile input (issue 12 item 2; docs/robustness.md): $(FUZZ) random and mutated
# messages on every RPC of one server on 127.0.0.1:0 (CI sends 5000), seed $(SEED)
# (default: a new one each run, printed). Fails on any INTERNAL, a crash, or a
# refused call that changed the state hash.
FUZZ ?= 100000
fuzz: .venv/.installed
	@seed=$${SEED:-$$(date +%s)}; echo "fuzz: $(FUZZ) messages, MARKCAP_FUZZ_SEED=$$seed"; \
	MARKCAP_FUZZ_MESSAGES=$(FUZZ) MARKCAP_FUZZ_SEED=$$seed MARKCAP_FUZZ_SECONDS=3600 \
	  $(PY) -m pytest -q -s -p no:cacheprovider -o timeout=3600 \
	  tests/service/test_service_malformed.py -k fuzz

# Shutdown after hostile streams (issue 12 item 3; docs/robustness.md): $(RUNS) servers
# each given every hostile stream at once, then SIGTERM; each must exit 0 within the
# grace period + 1 s, the last snapshot written before "stopped" (CI: 1 such run).
RUNS ?= 20
shutdown-soak: .venv/.installed
	MARKCAP_SHUTDOWN_RUNS=$(RUNS) $(PY) -m pytest -q -s -p no:cacheprovider \
	  tests/service/test_service_shutdown.py
