# Xiehui — the two commands that matter: `make demo` and `make test`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint format install messages migrate run db-stop bench clean chromium nginx

# A virtual environment with the locked dependencies; rebuilt when the lock changes.
$(STAMP): requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.12+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 12) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP) messages

# Compile the translations (locale/*.po) without needing GNU gettext.
messages: $(STAMP)
	$(PY) -m scripts.compile_messages

migrate: install
	$(PY) manage.py migrate --noinput

# The portal with demo content on the embedded PostgreSQL, at http://127.0.0.1:8000.
demo: migrate
	$(PY) manage.py load_demo
	SECRETARIAT_EMAIL=$${SECRETARIAT_EMAIL-secretariat@demo.xiehui.local} \
	SITE_REPLY_TO=$${SITE_REPLY_TO-secretariat@demo.xiehui.local} \
	$(PY) manage.py runserver 127.0.0.1:8000

run: migrate
	$(PY) manage.py runserver 127.0.0.1:8000

# The whole suite against real PostgreSQL and Redis (see tests/services.py),
# with the browser tests in Debian's headless Chromium and deploy/nginx/ run by nginx.
test: install chromium nginx
	$(PY) -m pytest $(PYTEST_ARGS)

# Playwright drives the system's Chromium; it never downloads a browser.
chromium:
	@test -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "Headless Chromium is needed for the browser tests: install Debian's chromium package (sudo apt-get install chromium) or set CHROMIUM_PATH." >&2; exit 1; \
		fi; }

# tests/config/test_nginx.py runs the system's nginx; without it those tests are skipped.
nginx:
	@test -x /usr/sbin/nginx || command -v nginx >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
		else \
			echo "nginx is not installed: the nginx tests are skipped (sudo apt-get install nginx)." >&2; \
		fi; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks (README.md, "Benchmarks"): PostgreSQL and Redis found as for make test,
# wrk (or ab) from the system's packages; about 10 minutes; never run by CI.
bench: install
	@command -v wrk >/dev/null 2>&1 || command -v ab >/dev/null 2>&1 || { \
		echo "make bench needs a load generator: install wrk (sudo apt-get install wrk) or ab (sudo apt-get install apache2-utils)." >&2; exit 1; }
	$(PY) -m bench.run $(BENCH_ARGS)

# Stop the embedded PostgreSQL server that manage.py commands leave running.
db-stop:
	$(PY) -c 'from pathlib import Path; from config import embedded; embedded.stop_postgres(Path(".data/postgres").resolve())'

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
