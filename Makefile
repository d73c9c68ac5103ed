# Serverless Pattern Studio — `make run` starts the site, `make test` runs everything, `make bench` measures.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8501

.PHONY: run test bench deps dev-deps compile browser postgres clean serve-cluster

$(VENV)/.deps: requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: $(VENV)/.deps requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

# The simulator's hot modules compiled with mypyc (ops/compile.py) into .build/compiled/, outside the source tree,
# stamped with their sources' SHA-256: used only while the stamp matches. Optional: without mypy, a C compiler
# or the Python headers this says so once and the pure-Python modules run (identical results, slower).
$(VENV)/.compile-deps: $(VENV)/.deps requirements-compile.txt
	@$(PIP) install --quiet -r requirements-compile.txt >/dev/null 2>&1 || \
	  echo "mypy could not be installed (requirements-compile.txt): the simulator runs on its pure-Python modules"
	@touch $@

compile: $(VENV)/.compile-deps
	@$(PY) -m ops.compile

deps: $(VENV)/.deps compile
dev-deps: $(VENV)/.dev-deps compile

run: deps
	$(PY) -m ui.serve run app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

# Browser tests use Debian's Chromium (never a downloaded browser); install it when root and missing.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: install Debian's 'chromium' package (browser tests need it)"; exit 1; fi; \
	fi

# The store tests start a throwaway PostgreSQL (Debian's package) on loopback; install it when root and missing.
postgres:
	@if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; \
	  else echo "PostgreSQL is missing: install Debian's 'postgresql' package (store tests need it)"; exit 1; fi; \
	fi

test: dev-deps browser postgres frontend
	$(PY) -m pytest -q -n 2 --dist loadgroup tests

# The canvas bundle: rebuilt from the lockfile; fails when the committed build (frontend/dist) is stale.
.PHONY: frontend
frontend:
	@command -v npm >/dev/null 2>&1 || { echo "Node.js 20+ and npm are needed to check the canvas bundle"; exit 1; }
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npx vite build --outDir .check-dist --emptyOutDir --logLevel warn
	@diff -r frontend/dist frontend/.check-dist >/dev/null || { rm -rf frontend/.check-dist; echo "frontend/dist is stale: run 'cd frontend && npm run build' and commit frontend/dist"; exit 1; }
	rm -rf frontend/.check-dist
	cd frontend && npm run lint --silent && npm test --silent

# A school's arrangement on loopback: REPLICAS Streamlit servers behind HAProxy (sticky sessions for the
# websocket) sharing one PostgreSQL (SPS_DATABASE_URL, else one started here). Installs haproxy when root.
REPLICAS ?= 2
CLUSTER_PORT ?= 8080
serve-cluster: deps postgres
	@if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq haproxy >/dev/null; \
	  else echo "HAProxy is missing: install Debian's 'haproxy' package (serve-cluster needs it)"; exit 1; fi; \
	fi
	$(PY) -m ops.serve_cluster --replicas $(REPLICAS) --port $(CLUSTER_PORT)

bench: dev-deps
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .build .pytest_cache .hypothesis artifacts
