#!/usr/bin/env bash
# Installs what wattcad needs, idempotently: system packages (KiCad 9 from the release's backports,
# FreeCAD, poppler-utils, the GUI test's tools) when missing, then a venv on the system Python (the
# interpreter pcbnew was built for) with the pinned Python dependencies and pcbnew made visible in it,
# and Blender's own venv. Debian 12 (bookworm) and 13 (trixie), read from /etc/os-release, with the
# mirror from either sources format. WATTCAD_ONLY=kicad: KiCad (9 or 10, as installed) and wattcad's
# venv alone (the KiCad 10 test lane, whose root has KiCad 10 from Debian forky).
# Quick when everything is already there: each step checks before it acts.
set -euo pipefail

repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv_dir="${WATTCAD_VENV:-$repo_dir/.venv}"
system_python=/usr/bin/python3
only="${WATTCAD_ONLY:-}"
# kicad-demos: boards this project did not make, to test the enclosure on; freecad-python3: FreeCAD
# as a Python module (bookworm's needs backports too: KiCad pulls libhwloc15 from there).
apt_packages_backports=(kicad kicad-footprints kicad-symbols kicad-demos freecad-python3)
# xvfb, xdotool, imagemagick: the pcbnew GUI test (Xvfb display, window lookup, screenshot).
apt_packages_main=(poppler-utils xvfb xdotool imagemagick)
# Node.js and npm: MicroPython's WebAssembly port runs the ADE7816 firmware in the tests (installed
# only where the machine has no node or npm of its own).
node_packages=(nodejs npm)

say() { printf 'bootstrap: %s\n' "$*" >&2; }

codename=$( . /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-}")

freecad_ok() {
    [ "$only" = kicad ] && return 0
    [ -f /usr/lib/freecad-python3/lib/FreeCAD.so ] && [ -d /usr/share/kicad/demos ]
}
kicad_ok() {
    command -v kicad-cli >/dev/null 2>&1 || return 1
    case "$(kicad-cli version 2>/dev/null)" in 9.*|10.*) ;; *) return 1 ;; esac
    [ -f /usr/lib/python3/dist-packages/pcbnew.py ] || return 1
    [ -d /usr/share/kicad/footprints ] || return 1
}
node_ok() {
    [ "$only" = kicad ] && return 0
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1
}
system_ok() {
    local tool
    # One `command -v` a tool: given several names, bash's succeeds when any one of them is found.
    for tool in pdftoppm Xvfb xdotool import; do command -v "$tool" >/dev/null 2>&1 || return 1; done
    node_ok || return 1
    kicad_ok && freecad_ok && [ -x "$system_python" ] \
        && "$system_python" -c 'import venv, ensurepip' >/dev/null 2>&1
}

mirror_uri() {
    # The machine's own Debian mirror, from a deb822 debian.sources or a classic sources.list.
    local uri="" f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        uri=$(awk -v s="$codename" '/^URIs:/ {u=$2} /^Suites:/ {for (i=2;i<=NF;i++) if ($i==s) {print u; exit}}' "$f")
        [ -n "$uri" ] && break
    done
    [ -n "$uri" ] || uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
        | awk -v s="$codename" '$1=="deb" {for (i=3;i<=NF;i++) if ($i==s) {print ($2 ~ /^\[/ ? $3 : $2); exit}}')
    echo "$uri"
}

backports_source() { echo "/etc/apt/sources.list.d/wattcad-$codename-backports.sources"; }
write_backports_source() {
    # The same mirror as the machine's own Debian source, so no new host is introduced.
    local uri
    uri=$(mirror_uri)
    [ -n "$uri" ] || { say "cannot find the Debian mirror URI for $codename in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"; exit 3; }
    printf 'Types: deb\nURIs: %s\nSuites: %s-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$uri" "$codename" > "$(backports_source)"
}

install_system() {
    case "$codename" in
        bookworm|trixie) ;;
        *) say "Debian ${codename:-?} (from /etc/os-release): wattcad installs KiCad 9 on Debian 12 (bookworm) and 13 (trixie);" \
               "elsewhere install KiCad 9 or 10 (kicad-cli and its pcbnew module), FreeCAD and poppler-utils, then run make again"
           exit 3 ;;
    esac
    if [ "$(id -u)" -ne 0 ]; then
        cat >&2 <<MSG
bootstrap: KiCad 9, FreeCAD, poppler-utils or python3-venv is missing and this is not root.
Run these as root (Debian $codename), then run make again:

  printf 'Types: deb\\nURIs: http://deb.debian.org/debian\\nSuites: $codename-backports\\nComponents: main\\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\\n' > $(backports_source)
  apt-get update
  apt-get install -y --no-install-recommends -t $codename-backports ${apt_packages_backports[*]}
  apt-get install -y --no-install-recommends ${apt_packages_main[*]} python3-venv
  (and, where node or npm is missing: apt-get install -y --no-install-recommends ${node_packages[*]})
MSG
        exit 3
    fi
    [ -f "$(backports_source)" ] || write_backports_source
    say "installing system packages (KiCad 9 from $codename-backports, FreeCAD, poppler-utils)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # One install: -t prefers backports where a package is there (KiCad), else the release.
    local node_missing=()
    node_ok || node_missing=("${node_packages[@]}")
    apt-get install -y -qq --no-install-recommends -t "$codename-backports" \
        "${apt_packages_backports[@]}" "${apt_packages_main[@]}" "${node_missing[@]}" python3-venv >/dev/null
}

system_ok || install_system
system_ok || { say "system packages still missing after install"; exit 3; }

# --- Python environments ---------------------------------------------------------------------
# wattcad's venv and Blender's (bpy 5.0.1 needs numpy<2 and CadQuery needs numpy>=2: Blender gets
# its own venv, and `wattcad render` runs it as a subprocess, as a user's `blender -b -P` would).
# Both install side by side (bpy is the largest download) and share pip's wheel cache.
blender_dir="${WATTCAD_BLENDER_VENV:-$repo_dir/.venv-blender}"
# bpy's wheels are built for one Python each: 5.0.1 for 3.11 (Debian 12), 5.1.2 for 3.13 (Debian 13).
py_tag=$("$system_python" -c 'import sys; print(f"py{sys.version_info[0]}{sys.version_info[1]}")')
blender_constraints="$repo_dir/constraints-blender.txt"
[ -f "$repo_dir/constraints-blender-$py_tag.txt" ] && blender_constraints="$repo_dir/constraints-blender-$py_tag.txt"

install_wattcad_venv() {
    if [ ! -x "$venv_dir/bin/python" ]; then
        say "creating venv $venv_dir on $system_python"
        "$system_python" -m venv "$venv_dir"
    fi
    local stamp="$venv_dir/.wattcad-installed" want
    want=$(cat "$repo_dir/pyproject.toml" "$repo_dir/constraints.txt" | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "installing pinned Python dependencies"
        "$venv_dir/bin/python" -m pip install -q --upgrade pip==24.3.1
        "$venv_dir/bin/python" -m pip install -q -c "$repo_dir/constraints.txt" -e "$repo_dir[test]"
        # InteractiveHtmlBom declares wxPython (a GUI toolkit with no Linux wheel on PyPI) but its CLI
        # runs without it (INTERACTIVE_HTML_BOM_NO_DISPLAY=1): install it alone, at the pinned version.
        local ibom
        ibom=$(grep -i '^InteractiveHtmlBom==' "$repo_dir/constraints.txt")
        "$venv_dir/bin/python" -m pip install -q --no-deps "$ibom" 2>&1 | grep -v "dependency resolver\|wxpython" >&2 || true
        # (found, not imported: importing it registers a pcbnew plugin)
        "$venv_dir/bin/python" -c 'import importlib.util as u, sys; sys.exit(u.find_spec("InteractiveHtmlBom") is None)' \
            || { say "InteractiveHtmlBom is not installed in $venv_dir"; exit 3; }
        echo "$want" > "$stamp"
    fi
    # pcbnew lives in Debian's dist-packages; expose only it (not Debian's old numpy etc.).
    local site link_dir so
    site=$("$venv_dir/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    link_dir="$venv_dir/pcbnew-link"
    if [ ! -e "$link_dir/pcbnew.py" ]; then
        mkdir -p "$link_dir"
        so=$(ls /usr/lib/python3/dist-packages/_pcbnew*.so | head -n1)
        ln -sf /usr/lib/python3/dist-packages/pcbnew.py "$link_dir/pcbnew.py"
        ln -sf "$so" "$link_dir/$(basename "$so")"
        echo "$link_dir" > "$site/wattcad-pcbnew.pth"
    fi
    # (the .so's presence, not an import: importing pcbnew costs half a second on every `make`)
    [ -e "$link_dir/pcbnew.py" ] && [ -n "$(ls "$link_dir"/_pcbnew*.so 2>/dev/null)" ] \
        || { say "pcbnew is not linked into $venv_dir"; exit 3; }
}

install_blender_venv() {
    if [ ! -x "$blender_dir/bin/python" ]; then
        say "creating venv $blender_dir for Blender (bpy)"
        "$system_python" -m venv "$blender_dir"
    fi
    local stamp="$blender_dir/.wattcad-installed" want
    want=$(sha256sum < "$blender_constraints" | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "installing Blender as a Python module (bpy, pinned in $(basename "$blender_constraints"))"
        "$blender_dir/bin/python" -m pip install -q --upgrade pip==24.3.1
        "$blender_dir/bin/python" -m pip install -q -r "$blender_constraints"
        "$blender_dir/bin/python" -c 'import bpy' 2>/dev/null || { say "bpy does not import in $blender_dir"; exit 3; }
        echo "$want" > "$stamp"
    fi
}

install_micropython() {
    # MicroPython's WebAssembly port, pinned by tests/firmware/package-lock.json, for the firmware tests.
    local dir="$repo_dir/tests/firmware" stamp want
    stamp="$dir/node_modules/.wattcad-installed"
    want=$(sha256sum < "$dir/package-lock.json" | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "installing MicroPython's WebAssembly port (npm, pinned in tests/firmware/package-lock.json)"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
        echo "$want" > "$stamp"
    fi
}

# Each in a background subshell, where `set -e` holds (it would not in a `f || ...` call).
blender_pid=""
[ "$only" = kicad ] || { install_blender_venv & blender_pid=$!; }
install_wattcad_venv & wattcad_pid=$!
micropython_pid=""
[ "$only" = kicad ] || { install_micropython & micropython_pid=$!; }
failed=0
wait "$wattcad_pid" || failed=1
[ -z "$micropython_pid" ] || wait "$micropython_pid" || failed=1
[ -z "$blender_pid" ] || wait "$blender_pid" || failed=1
[ "$failed" -eq 0 ] || { say "a Python environment failed to install (see above)"; exit 3; }
