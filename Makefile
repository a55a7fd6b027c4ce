# Two commands do everything on a fresh machine with Python 3.11:
#   make demo   virtual environment, install, migrate, seed, serve on http://127.0.0.1:8000
#   make test   virtual environment, install, every test
# DATABASE_URL and REDIS_URL choose PostgreSQL and Redis; without them: SQLite, no Redis.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

.PHONY: demo test install messages static makemessages lint serve bench clean

# The worker runs beat inside it (one process: two beats would double every job), on
# Redis when REDIS_URL is set, else on files in var/celery; it stops with the server.
# It consumes every queue (CELERY_TASK_QUEUES): a demo's imports are small, and one
# process is what a laptop wants; docker-compose.yml has a worker per queue.
demo: install messages static
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py generate_follow_ups
	$(VENV)/bin/celery -A config worker --beat --queues engine,messages,bulk,celery --concurrency 1 --loglevel INFO \
		--schedule var/celerybeat-schedule --logfile var/celery.log & \
		trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver 127.0.0.1:8000

# In as many processes as the machine has cores, four at most (pytest-xdist; each makes a
# test database of its own): the suite waits on servers, workers and a browser as much as
# it computes. TEST_PROCESSES=-n0 runs it in one.
TEST_PROCESSES ?= -n auto --maxprocesses 4
test: install messages
	$(PY) -m pytest $(TEST_PROCESSES) $(PYTEST_ARGS)

install: $(INSTALLED)

$(INSTALLED): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is needed; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

# Compiled with Babel, so that a machine without GNU gettext can run the demo.
messages: install $(CATALOGUES)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	$(VENV)/bin/pybabel compile --statistics -l $* -i $< -o $@

# Static files as production serves them: hashed names, each with a gzip copy beside it,
# in staticfiles/ (STATIC_ROOT), from which WhiteNoise serves the demo too.
static: install
	$(PY) manage.py collectstatic --no-input --verbosity 0

# Needs GNU gettext (xgettext); only for whoever changes user-visible text.
# Files without line numbers, written back by Babel unwrapped: a change to one message is
# a line or two of diff, and two branches that add messages merge.
makemessages: install
	$(PY) manage.py makemessages --locale zh_Hans --no-obsolete --add-location file --ignore '.venv/*' --ignore 'tests/*' --ignore 'var/*' --ignore 'node_modules/*'
	$(PY) -c 'import sys; from babel.messages.pofile import read_po, write_po; \
		p = sys.argv[1]; c = read_po(open(p, "rb")); write_po(open(p, "wb"), c, width=0, include_previous=True)' \
		locale/zh_Hans/LC_MESSAGES/django.po

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles $(CATALOGUES)

# Figures on PostgreSQL (127.0.0.1, or BENCH_ADMIN_URL), in a database of its own.
bench: install messages static
	$(PY) tests/bench.py
