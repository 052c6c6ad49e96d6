# Two commands on a fresh machine: `make book` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.ce-course-installed
BOOK_HTML := _build/html
MATHJAX_DIR := book/_static/mathjax

.PHONY: install book test lint unit notebooks exercises-check browser bench lab clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever pyproject.toml changes.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,book,oracle,lab]"
	touch $(STAMP)

install: $(STAMP)

# MathJax is copied from the jupyter-server-mathjax wheel: the book renders math with no network.
$(MATHJAX_DIR)/MathJax.js: $(STAMP)
	rm -rf $(MATHJAX_DIR) && mkdir -p $(dir $(MATHJAX_DIR))
	cp -r "$$($(PY) -c 'import jupyter_server_mathjax, os; print(os.path.join(os.path.dirname(jupyter_server_mathjax.__file__), "static"))')" $(MATHJAX_DIR)

# Build the whole book: every page executed, warnings are errors, a failing cell fails the build.
book: $(STAMP) $(MATHJAX_DIR)/MathJax.js
	$(VENV)/bin/jupyter-book build . --warningiserror --keep-going --quiet
	@echo "book: open $(BOOK_HTML)/index.html"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The package's tests and doctests, the grader's tests.
unit: $(STAMP)
	$(PY) -m pytest -q -m "not browser"

# Every chapter executed by nbval (MyST markdown converted to notebooks with jupytext).
notebooks: $(STAMP)
	$(PY) tools/nbval_chapters.py

browser: $(STAMP)
	$(PY) -m pytest -q -m browser tests/browser

test: lint unit notebooks book browser

bench: $(STAMP)
	$(PY) benchmarks/bench_softmax_ce.py
	$(PY) benchmarks/bench_accuracy.py
	$(PY) benchmarks/bench_linear_naive.py

lab: $(STAMP)
	$(VENV)/bin/jupyter lab exercises/

clean:
	rm -rf _build build $(MATHJAX_DIR)
