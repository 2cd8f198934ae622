# gradreg — `make run` (set up and serve with demo data), `make test` (the fast suite; `make test-slow`: the scale tests).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: run serve test test-slow test-browser bench loadtest system-deps venv lint clean

$(VENV)/.installed: requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

venv: $(VENV)/.installed

# Fonts for Chinese PDFs and screenshots; installed when missing (Debian/Ubuntu, as root or with sudo).
system-deps:
	@sh scripts/system-deps.sh fonts

run: venv system-deps
	$(PY) manage.py migrate --noinput
	PORT=$(PORT) $(PY) manage.py seed_demo
	@echo "平台地址: http://127.0.0.1:$(PORT)/"
	@echo "协议书核验: http://127.0.0.1:$(PORT)/verify/agreement/"
	PORT=$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

# The production stack in the foreground: PostgreSQL, Redis, gunicorn, Celery worker and beat under
# config.settings.production with var/production.env (written on first use). See deploy/README.md.
serve: venv system-deps
	PORT=$(PORT) bash scripts/serve.sh

# The fast suite on the embedded SQLite database (set DATABASE_URL to run it on PostgreSQL).
test: venv
	@sh scripts/system-deps.sh fonts poppler isocodes
	@sh scripts/pytest.sh -m "not browser and not slow" -n 2

# The scale tests (a 100,000-row import...): minutes, not seconds; .ci/run runs them on PostgreSQL.
test-slow: venv
	@sh scripts/pytest.sh -m slow -p no:xdist

test-browser: venv
	@sh scripts/system-deps.sh fonts chromium poppler
	@sh scripts/pytest.sh -m browser -p no:xdist

bench: venv
	@sh scripts/bench.sh

# requests/s under gunicorn with the production settings, on the bench database (one JSON line each)
loadtest: venv
	@sh scripts/loadtest.sh

# ruff, then the import-layer contract (.importlinter: no app imports from a floor above it);
# the last step lists the imports still inside functions and fails on one whose line does not say
# why it stays (`# function-level: <why>`).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	@$(PY) scripts/function_imports.py --strict

clean:
	rm -rf var/ .pytest_cache
