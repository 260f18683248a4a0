# Two commands: `make` installs what is missing and builds into build/; `make test` runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: all bootstrap build packages test bench bench-corpus bench-route clean
all: build

bootstrap:
	@bash scripts/bootstrap.sh

# The plugin packages first: a failing check makes `wattcad build` exit 1, and stops make there.
build: bootstrap packages
	$(VENV)/bin/wattcad build examples/ade7816 --out build

# KiCad's Plugin and Content Manager zip (Install from File...) and the Blender 4.2+ extension zip.
packages: bootstrap
	@$(VENV)/bin/wattcad plugin install --kicad-pcm --zip build/packages/wattcad-kicad-pcm.zip >/dev/null
	@$(VENV)/bin/wattcad plugin install --blender --zip build/packages/wattcad-blender-extension.zip >/dev/null

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
	$(PY) benchmarks/render_single.py
	$(PY) benchmarks/build.py
	$(PY) benchmarks/stop.py

# The verifier on a folder of real boards (the PCBench corpus unpacked): false errors, then injected defects.
bench-corpus: bootstrap
	@test -n "$(CORPUS)" || { echo 'make bench-corpus CORPUS=FOLDER (a folder of .kicad_pcb)'; exit 2; }
	$(PY) benchmarks/verify_corpus.py $(CORPUS)
	$(PY) benchmarks/verify_mutations.py $(CORPUS)

# The router on every two-layer board of a folder (hours on two cores; it resumes where it stopped):
# make bench-route CORPUS=FOLDER [MANIFEST=manifest.json]
bench-route: bootstrap
	@test -n "$(CORPUS)" || { echo 'make bench-route CORPUS=FOLDER [MANIFEST=manifest.json]'; exit 2; }
	$(PY) benchmarks/route_corpus.py $(CORPUS) $(if $(MANIFEST),--manifest $(MANIFEST)) --time-limit 240

# build/ holds only disposable products; boards kept in the repository are never under it.
clean:
	rm -rf build
