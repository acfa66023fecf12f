# shop: `make run` serves the API with demo data (and runs the background worker and beat),
# `make worker` runs the worker and beat alone, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run worker serve test lint format bench migrate seed clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP) requirements-bench.txt
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	touch $(BENCH_STAMP)

# Load test: gunicorn (2 sync workers, DEBUG off) driven by wrk; see docs/PERFORMANCE.md.
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

migrate: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput

seed: migrate
	DEBUG=true $(BIN)/python manage.py seed_demo

run: seed
	@echo ""
	@echo "  API:          http://$(HOST):$(PORT)/api/v1/products/"
	@echo "  Swagger UI:   http://$(HOST):$(PORT)/api/v1/docs/"
	@echo "  OpenAPI:      http://$(HOST):$(PORT)/api/v1/schema/"
	@echo "  Admin:        http://$(HOST):$(PORT)/admin/"
	@echo "  API login:    http://$(HOST):$(PORT)/api-auth/login/"
	@echo ""
	@echo "  Also running: a Celery worker and beat (broker: $${CELERY_BROKER_URL:-embedded, in .broker/})"
	@echo ""
	DEBUG=true $(BIN)/python manage.py run --host $(HOST) --port $(PORT)

# The background worker and its scheduler (beat) alone, on the broker of CELERY_BROKER_URL and
# the database of DATABASE_URL (the server's); until stopped. See README "Background work".
worker: install
	$(BIN)/python -m celery --app shop worker --beat --loglevel INFO

# Production-like: nginx (buffering every request) in front of gunicorn + whitenoise, DEBUG off,
# plain HTTP on loopback; `manage.py serve`, see README "Serving in production".
serve: migrate
	DEBUG=false SECRET_KEY=$${SECRET_KEY:-local-serve-only-$$(hostname)-key-0123456789abcdefghijklmnop} \
	  ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} SECURE_SSL_REDIRECT=false \
	  SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0 \
	  sh -c '$(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
	  exec $(BIN)/python manage.py serve --host $(HOST) --port $(PORT) --workers $${WORKERS:-2}'

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache db.sqlite3 db.sqlite3-shm db.sqlite3-wal
