# Two commands for a fresh clone:  make run  (set up, then open the app)
#                                   make test (set up, then every check and the test suite)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The CPU build of torch is installed before anything can pull in a multi-GB CUDA build.
# On a machine whose package index offers torch 2.13.0 only as a CUDA build, point pip at a
# CPU-only index here, e.g.  make run TORCH_PIP_ARGS="--index-url <cpu index>".
TORCH_SPEC ?= torch==2.13.0
TORCH_PIP_ARGS ?=
LLAMA_CPP_VERSION ?= 0.3.36
# llama.cpp's GPU support (tools/install-llama-cpp.sh): LLAMA_CPP_VULKAN=auto|on|off, and
# LLAMA_CPP_CUDA=on for the CUDA backend (needs the CUDA toolkit with cuBLAS).
# auto: the Vulkan module is built where its packages are installed (`make build-deps`; on
# Debian 12 the script fetches newer Vulkan headers itself) and left out with a note elsewhere.
# It is built once and kept (7 minutes for the module plus its shaders' generation on 2 cores).
LLAMA_CPP_VULKAN ?= auto
LLAMA_CPP_CUDA ?= off
# Debian packages the Vulkan backend is built with (libvulkan1 also runs it): `make build-deps`.
BUILD_DEBS := libvulkan-dev glslc spirv-headers libvulkan1

VERSION := $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' assistant_builder/__init__.py)
BUNDLE := dist/assistant-builder-$(VERSION)-linux-$(shell uname -m).tar.xz

.PHONY: build-deps setup run test lint typecheck contracts pytest package screenshots clean bench

$(STAMP): pyproject.toml tools/install-llama-cpp.sh
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH_SPEC)" $(TORCH_PIP_ARGS)
	LLAMA_CPP_VERSION=$(LLAMA_CPP_VERSION) LLAMA_CPP_VULKAN=$(LLAMA_CPP_VULKAN) \
		LLAMA_CPP_CUDA=$(LLAMA_CPP_CUDA) tools/install-llama-cpp.sh $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -c 'import torch, sys; sys.exit("a CUDA build of torch was installed; see TORCH_PIP_ARGS in the Makefile" if torch.version.cuda else 0)'
	touch $(STAMP)

setup: $(STAMP)

# As root on Debian or Ubuntu (CI does this on its fresh machine); elsewhere see the README.
build-deps:
	apt-get update
	apt-get install -y --no-install-recommends $(BUILD_DEBS)

run: setup
	$(BIN)/assistant-builder setup
	$(BIN)/assistant-builder

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

contracts: setup
	$(BIN)/lint-imports

pytest: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest $(PYTEST_ARGS)

# The desktop build (packaging/README.md), rebuilt when a file it is made of changed.
package: $(BUNDLE)

$(BUNDLE): $(STAMP) $(shell git ls-files assistant_builder packaging 2>/dev/null)
	$(PY) packaging/build.py

# The suite includes the desktop build's own test (tests/bundle), which needs the archive.
test: export ASSISTANT_BUILDER_BUNDLE = $(abspath $(BUNDLE))
test: lint typecheck contracts package pytest

# Every script in bench/ with its quick settings, then one table; within 19 minutes however
# loaded the machine is (bench/run_all.py). Never part of `make test`.
bench: setup
	QT_QPA_PLATFORM=offscreen $(PY) bench/run_all.py $(BENCH_ARGS)

screenshots: setup
	QT_QPA_PLATFORM=offscreen $(PY) tools/screenshots.py
	QT_QPA_PLATFORM=offscreen $(PY) tools/compare_screenshots.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache .import_linter_cache
