#!/usr/bin/env bash
# A test lane in a Debian root beside this machine's system (scripts/debian_root.sh), on a copy of
# this checkout (the boards kept here stay in KiCad 9's format):
#   test_lane.sh kicad10 [PYTEST ARGS...]  KiCad 10 (Debian forky): bootstrap's KiCad-only venv on
#                                          forky's Python, then the KiCad-facing tests under CI=true
#   test_lane.sh debian13                  Debian 13 (trixie): `make` in a fresh clone, then a smoke set
# The roots are cached (only the first run pays for them); each run starts from a fresh copy.
# One test worker inside a lane: the lane itself runs as one test of `make test`, beside the other
# worker (two cores), and more workers than cores pushed a slow export past its time-out.
set -euo pipefail

repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lane="${1:-}"; shift || true
say() { printf 'test_lane: %s\n' "$*" >&2; }
root_sh="$repo_dir/scripts/debian_root.sh"

# The KiCad-facing tests: check, verify, the fab gate, route, place circle, the ADE7816's build and
# a KiCad demo project's, the plugins, KiCad 4-9 boards read under KiCad 10, KiCad 10's own files.
KICAD10_TESTS=(tests/test_kicad_versions.py tests/test_kicad_host.py tests/test_kicad_cli.py tests/test_verify_boards.py
               tests/test_place_circle.py tests/test_plugin.py tests/test_router.py tests/test_route_boards.py tests/test_old_kicad.py
               tests/test_project_build.py tests/test_board.py tests/test_pcm.py tests/test_ipc_plugin.py)
# Debian 13's smoke set: `make` itself has built the ADE7816 there (KiCad 9.0.8 from trixie-backports,
# CadQuery, Blender 5.1.2 renders); these add FreeCAD 1.0's document, a pixel-checked render, the
# Blender add-on, and the KiCad version and tool handling.
DEBIAN13_TESTS=(tests/test_kicad_versions.py tests/test_hosts.py tests/test_kicad_cli.py
                tests/test_enclosure.py::test_freecad_document_is_parametric_and_agrees_with_cadquery
                tests/test_render.py::test_top_view_is_true_to_scale_and_the_board_is_green_where_it_should_be
                tests/test_render.py::test_blender_addon_imports_a_kicad_board)

copy_checkout() {  # the checkout's files (tracked, and new ones not ignored) into DEST, afresh
    local dest="$1"
    rm -rf "$dest"
    mkdir -p "$dest"
    (cd "$repo_dir" && git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
        | xargs -0 cp --parents -t "$dest")
}

case "$lane" in
    kicad10)
        [ "$#" -gt 0 ] || set -- "${KICAD10_TESTS[@]}"
        bash "$root_sh" make forky
        root=$(bash "$root_sh" path forky)
        copy_checkout "$root/opt/wattcad-src"
        # The venv lives outside the copy, so it survives between runs (the stamp says when to reinstall).
        bash "$root_sh" run forky sh -c 'cd /opt/wattcad-src \
            && WATTCAD_VENV=/opt/wattcad-venv WATTCAD_ONLY=kicad bash scripts/bootstrap.sh \
            && kicad-cli version \
            && CI=true WATTCAD_LANE=kicad10 /opt/wattcad-venv/bin/python -m pytest -q -p no:cacheprovider -n 1 \
               -m "not freecad and not blender" "$@"' lane "$@"
        ;;
    debian13)
        [ "$#" -gt 0 ] || set -- "${DEBIAN13_TESTS[@]}"
        bash "$root_sh" make trixie
        root=$(bash "$root_sh" path trixie)
        # A fresh clone, as a new user's: what is committed (the copy is a git repository for make).
        rm -rf "$root/opt/wattcad-clone"
        git clone -q "$repo_dir" "$root/opt/wattcad-clone"
        bash "$root_sh" run trixie sh -c 'cd /opt/wattcad-clone && make \
            && CI=true WATTCAD_LANE=debian13 .venv/bin/python -m pytest -q -p no:cacheprovider -n 1 "$@"' \
            lane "$@"
        ;;
    *) say "usage: test_lane.sh kicad10|debian13 [PYTEST ARGS...]"; exit 2 ;;
esac
