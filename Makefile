# opcert: `make run` and `make test` do all the set-up from nothing.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OPCERT_DATA_DIR ?= ./data
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# `make run RUN_PORT=8001` serves elsewhere (the README tour test does)
RUN_PORT := 8000

.PHONY: run install fonts init demo serve test tour lint types contracts migrations-check unit integration integration-sqlite integration-postgres conformance e2e vectors bench bench-quick bench-national bench-national-pg bench-national-sqlite clean browser softhsm fuzz synth-smoke wrk

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The certificate PDF embeds Noto Sans CJK SC (Debian's fonts-noto-cjk, SIL OFL 1.1), converted
# once to TrueType into OPCERT_FONT_CACHE (default ~/.cache/opcert/fonts); poppler-utils gives
# pdffonts, pdftoppm and pdftotext, which the PDF tests use.
fonts: install
	@test -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc && command -v pdffonts >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk poppler-utils)
	$(BIN)/python -m opcert.documents.fonts

# A webhook dispatcher (`opcert dispatch`, docs/operations.md) runs beside the server, so the
# events of every act reach the subscribers at once; it stops when the server stops (Ctrl-C, or
# SIGTERM to the process group). One dispatcher: SQLite has one writer at a time.
run: install fonts
	$(BIN)/opcert init
	$(BIN)/opcert demo
	@$(BIN)/opcert dispatch & dispatcher=$$!; \
	echo "数据共享投递程序已在后台运行 / the webhook dispatcher runs in the background (pid $$dispatcher)"; \
	trap 'kill -TERM $$dispatcher 2>/dev/null; wait $$dispatcher' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(BIN)/opcert serve --host 127.0.0.1 --port $(RUN_PORT)

lint: install
	$(BIN)/ruff check src tests bench scripts fuzz
	$(BIN)/ruff format --check src tests bench scripts fuzz

types: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

# `alembic check` from an empty database on both engines: fails when a model changed without a
# migration (or a migration without its model).
migrations-check: install
	$(BIN)/python scripts/alembic_check.py sqlite
	$(BIN)/python scripts/alembic_check.py $(PG_URL)

# Two pytest workers (pytest-xdist) for the unit, integration and e2e suites: each worker has its own
# SQLite data dir and its own PostgreSQL schema (named by its pid), so they never share a row.
# TEST_WORKERS=0 runs them in one process.
TEST_WORKERS ?= 2
XDIST := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS))

unit: install fonts
	$(BIN)/pytest -q $(XDIST) --durations=10 tests/unit tests/conformance -p no:cacheprovider

# SoftHSM2 backs the PKCS#11 signer tests (tests/integration/test_pkcs11.py); poppler's pdftoppm
# renders PDF certificates to PNG for the QR round-trip test.
softhsm:
	@command -v softhsm2-util >/dev/null && command -v pdftoppm >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq softhsm2 poppler-utils)

integration-sqlite: install softhsm fonts
	OPCERT_TEST_DATABASES=sqlite $(BIN)/pytest -q $(XDIST) tests/integration tests/security -p no:cacheprovider

integration-postgres: install softhsm fonts
	OPCERT_TEST_DATABASES=postgresql OPCERT_TEST_POSTGRES_URL=$(PG_URL) OPCERT_REQUIRE_POSTGRES=1 \
	  $(BIN)/pytest -q $(XDIST) tests/integration tests/security -p no:cacheprovider

# Both databases in one run, spread over the workers (a run on either alone: the targets above).
integration: install softhsm fonts
	OPCERT_TEST_DATABASES=sqlite,postgresql OPCERT_TEST_POSTGRES_URL=$(PG_URL) OPCERT_REQUIRE_POSTGRES=1 \
	  $(BIN)/pytest -q $(XDIST) --durations=15 tests/integration tests/security -p no:cacheprovider

test: lint types contracts migrations-check unit softhsm integration synth-smoke
	@if [ -d tests/e2e ] && ls tests/e2e/test_*.py >/dev/null 2>&1; then $(MAKE) e2e; fi

# The published SC1 test vectors (docs/test-vectors/), written by the generator in scripts/sc1_vectors/
# (outside the package: it holds public TEST ONLY keys). Deterministic: fails if anything changed.
vectors: install
	$(BIN)/python scripts/make_vectors.py >/dev/null
	git diff --exit-code --stat -- docs/test-vectors
	@test -z "$$(git status --porcelain -- docs/test-vectors)" || (git status --short -- docs/test-vectors; exit 1)

# Debian's Chromium (never `playwright install`) and CJK fonts so pages and screenshots show Chinese.
browser:
	@test -x /usr/bin/chromium && test -d /usr/share/fonts/opentype/noto || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk)

# Each e2e worker starts its own seeded server and browser; a file's journeys stay on one worker.
e2e: install browser
	$(BIN)/pytest -q $(XDIST) $(if $(XDIST),--dist loadfile) --durations=10 tests/e2e -p no:cacheprovider

# The README's tour alone (also part of e2e): make run in a temporary data dir on a free port,
# then the tour's commands as the README has them (tests/e2e/test_readme_tour.py).
tour: install
	$(BIN)/pytest -q tests/e2e/test_readme_tour.py -p no:cacheprovider

# Scale-0.01 synthetic data set (180,000 holders) in a temporary SQLite data dir, then 50 sample
# holders through the public query service. A smoke check: no timing assertion.
synth-smoke: install
	@tmp=$$(mktemp -d /tmp/opcert-smoke-XXXXXX) && trap 'rm -rf "$$tmp"' EXIT && \
	  export OPCERT_DATA_DIR="$$tmp" && unset OPCERT_DATABASE_URL && \
	  $(BIN)/opcert init >/dev/null && \
	  $(BIN)/opcert synth --scale 0.01 --sample "$$tmp/sample.csv" && \
	  $(BIN)/python scripts/synth_smoke.py "$$tmp/sample.csv"

wrk:
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)

bench: install wrk fonts
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/verify.py
	$(BIN)/python -m bench.synth --runs sqlite:0.01 postgresql:0.01
	$(BIN)/python -m bench.synth --runs sqlite:0.1 --keep /tmp/opcert-bench-s01
	$(BIN)/python -m bench.query --data-dir /tmp/opcert-bench-s01; rm -rf /tmp/opcert-bench-s01

# The national-scale figures (docs/performance.md): scale 1 on SQLite (hours, ~55 GB under /tmp)
# and PostgreSQL at NATIONAL_PG_SCALE, each loaded then queried; JSON lines in bench/results/.
NATIONAL_PG = postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dopcert_bench_synth
NATIONAL_PG_SCALE ?= 0.1
bench-national: bench-national-pg bench-national-sqlite

bench-national-pg: install wrk
	mkdir -p bench/results
	$(BIN)/python -m bench.synth --runs postgresql:$(NATIONAL_PG_SCALE) --keep /tmp/opcert-national-pg | tee -a bench/results/national.jsonl
	OPCERT_DATABASE_URL='$(NATIONAL_PG)' $(BIN)/python -m bench.query --data-dir /tmp/opcert-national-pg --seconds 10 | tee -a bench/results/national.jsonl
	rm -rf /tmp/opcert-national-pg

bench-national-sqlite: install wrk
	mkdir -p bench/results
	$(BIN)/python -m bench.synth --runs sqlite:1 --keep /tmp/opcert-national-s1 | tee -a bench/results/national.jsonl
	$(BIN)/python -m bench.query --data-dir /tmp/opcert-national-s1 --seconds 10 | tee -a bench/results/national.jsonl
	rm -rf /tmp/opcert-national-s1

bench-quick: install wrk fonts
	$(BIN)/python bench/intake.py --quick
	$(BIN)/python bench/verify.py --quick
	$(BIN)/python -m bench.synth --quick
	$(BIN)/python -m bench.query --quick --scale 0.002 --connections 4

# Coverage-guided fuzzing of the SC1 decoder and verifier (atheris is not a project dependency).
fuzz: install
	$(BIN)/pip install --quiet atheris
	mkdir -p data/fuzz-corpus
	$(BIN)/python fuzz/fuzz_decode.py data/fuzz-corpus -max_total_time=120 -print_final_stats=1

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache test-artifacts
