# Two commands on a fresh machine: `make book` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.ce-course-installed
BOOK_STAMP := $(VENV)/.ce-course-book-installed
BOOK_HTML := _build/html
NODE_STAMP := node_modules/.package-lock.json

.PHONY: install book test lint unit notebooks exercises-check browser bench lab clean vendor-mathjax

# Small matrix products get much slower when OpenBLAS threads fight over 2 cores with the notebook
# kernels and grader workers; the book and the tests run single-threaded BLAS. Benchmarks do not.
BLAS1 := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever pyproject.toml changes.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,book,oracle,lab]"
	touch $(STAMP)

install: $(STAMP)

# `make book` alone installs only the `book` extra (no torch, selenium or ruff); a full install
# (`make install`, which `make test` uses) includes it.
$(BOOK_STAMP): pyproject.toml | $(PY)
	@if [ -f $(STAMP) ] && [ $(STAMP) -nt pyproject.toml ]; then touch $@; else \
	  $(PY) -m pip install --quiet --upgrade pip && \
	  $(PY) -m pip install --quiet -e ".[book]" && touch $@; fi

# npm packages of the browser test (axe-core) and of tools/vendor_mathjax.py (mathjax@3).
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Refresh the committed MathJax 3 copy in book/_static/mathjax from the npm package.
vendor-mathjax: $(NODE_STAMP) | $(PY)
	$(PY) tools/vendor_mathjax.py

# Build the whole book: every page executed, warnings are errors, a failing cell fails the build.
# MathJax 3 and plotly.js are served from the book's own _static (never from a CDN).
book: $(BOOK_STAMP)
	$(BLAS1) $(VENV)/bin/jupyter-book build . --warningiserror --keep-going --quiet
	@echo "book: open $(BOOK_HTML)/index.html"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The package's tests and doctests, the grader's tests.
unit: $(STAMP)
	$(BLAS1) $(PY) -m pytest -q -m "not browser"

# Every chapter executed by nbval (MyST markdown converted to notebooks with jupytext).
notebooks: $(STAMP)
	$(BLAS1) $(PY) tools/nbval_chapters.py

# The committed learner notebooks must be what `ce-course assign` generates from the sources.
exercises-check: $(STAMP)
	$(VENV)/bin/ce-course assign --check

browser: $(STAMP) $(NODE_STAMP)
	$(BLAS1) $(PY) -m pytest -q -m browser tests/browser

test: lint exercises-check unit notebooks book browser

bench: $(STAMP)
	$(PY) benchmarks/bench_softmax_ce.py
	$(PY) benchmarks/bench_accuracy.py
	$(PY) benchmarks/bench_linear_naive.py
	$(PY) benchmarks/bench_linear_ce.py
	cd benchmarks && ../$(PY) bench_grader.py

lab: $(STAMP)
	$(VENV)/bin/jupyter lab exercises/

clean:
	rm -rf _build build
