# The two commands a new machine needs (see README):
#   make briefing   builds the default briefing into output/
#   make test       runs the test suite
# Both first install what is missing: system libraries, then a virtual environment in .venv.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: briefing test setup docs clean

briefing: setup
	$(BIN)/briefgen build

test: setup $(VENV)/.test-tools
	$(BIN)/pytest

setup: $(VENV)/.installed

# Pictures of the first two pages for the README (needs pdftoppm, from poppler-utils).
docs: briefing
	pdftoppm -png -r 70 -f 1 -l 1 -singlefile output/briefing.pdf docs/briefing-page-01
	pdftoppm -png -r 70 -f 2 -l 2 -singlefile output/briefing.pdf docs/briefing-page-02

$(VENV)/.installed: pyproject.toml scripts/install-system-packages.sh
	sh scripts/install-system-packages.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# What the tests read the outputs with, besides Python (whose test extras bring jactionlint for the workflows):
# Chromium, poppler-utils, shellcheck and a Java runtime from the system's packages; from npm, axe-core, the
# accessibility checker run inside Chromium, and the Nu HTML checker (vnu-jar).
$(VENV)/.test-tools: $(VENV)/.installed scripts/install-system-packages.sh
	sh scripts/install-system-packages.sh test
	npm install --silent --no-audit --no-fund --prefix $(VENV)/tools axe-core@4.14.1 vnu-jar@26.9.27
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
