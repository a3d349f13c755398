# The two commands of the README: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements
PYWB_VENV := .venv-pywb
PYWB_STAMP := $(PYWB_VENV)/.installed-requirements
ARCHIVE ?= data

.PHONY: install demo test test-fast lint format clean

# A fresh venv, pip upgraded inside it (old system pips fail on some resolutions),
# then the pinned dependency tree. Re-runs only when requirements.txt changes.
$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

# pywb and cdxj-indexer for the replay tests, in a venv of their own (requirements-test.txt
# says why), held to requirements.txt's versions. Its .gitignore keeps it out of git and ruff.
$(PYWB_STAMP): requirements-test.txt requirements.txt
	test -x $(PYWB_VENV)/bin/python || $(PYTHON) -m venv $(PYWB_VENV)
	echo '*' > $(PYWB_VENV)/.gitignore
	$(PYWB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip==26.3
	# greenlet and redis left out of the constraints: .venv's (Playwright's, scrapy-redis's)
	# and pywb's (gevent's, its own redis 2.x) differ
	grep -v -E '^(greenlet|redis)==' requirements.txt > $(PYWB_VENV)/constraints.txt
	$(PYWB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r requirements-test.txt -c $(PYWB_VENV)/constraints.txt
	touch $(PYWB_STAMP)

# pywb comes with it: `python -m archive serve` replays the captures with it.
install: $(STAMP) $(PYWB_STAMP)

# Debian's chromium for the browser tests (Playwright drives it: no browser download).
# apt-get needs root: sudo when not root, without a password prompt (CI has no stdin).
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo -n)
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium
# Debian's redis-server for the shared-crawl tests, which start and stop their own.
REDIS_SERVER := /usr/bin/redis-server
$(REDIS_SERVER):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends redis-server

# Serve the bundled replica site on 127.0.0.1, crawl it into $(ARCHIVE)/, stop, summarise.
demo: $(STAMP) $(PYWB_STAMP)
	$(BIN)/python -m tests.site.demo --archive $(ARCHIVE)

test: $(STAMP) $(PYWB_STAMP) $(CHROMIUM) $(REDIS_SERVER)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# The fast loop while working: every test that starts no other program (no server, crawl,
# subprocess or worker pool; tests/conftest.py holds the line). `make test` runs them all.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not e2e"

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(ARCHIVE)
