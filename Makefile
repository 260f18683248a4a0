# Two commands: `make` installs what is missing and builds into build/; `make test` runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: all bootstrap build test bench clean
all: build

bootstrap:
	@bash scripts/bootstrap.sh

build: bootstrap
	$(VENV)/bin/wattcad build --out build

# One test worker a core (pytest-xdist); tests sharing a built fixture stay on one worker (conftest).
test: bootstrap
	$(PY) -m pytest -q -n auto

bench: bootstrap
	$(PY) benchmarks/footprint_sweep.py
	$(PY) benchmarks/schematic.py
	$(PY) benchmarks/board.py
	$(PY) benchmarks/route.py
	$(PY) benchmarks/pairs.py
	$(PY) benchmarks/enclosure.py
	$(PY) benchmarks/render.py
	$(PY) benchmarks/build.py

# build/ holds only disposable products; boards kept in the repository are never under it.
clean:
	rm -rf build
