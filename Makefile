# One entry point for people and CI. `make test` sets up and runs every check.
PY := .venv/bin/python
BUF := node_modules/.bin/buf

.PHONY: setup serve generate check-generated lint breaking test bench

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

lint: setup
	$(BUF) lint

# Compatibility of protos/ with the previous commit (BREAKING_AGAINST=<rev> to
# choose another baseline); see scripts/check-breaking.sh.
breaking: setup
	BUF=$(BUF) scripts/check-breaking.sh

# pytest exits 5 when it collected nothing: a suite that ran no test is a failure.
test: setup check-generated lint breaking
	$(PY) -m pytest $(PYTEST_ARGS) || { rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; fi; exit $$rc; }
