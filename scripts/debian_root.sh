#!/usr/bin/env bash
# A Debian root beside this machine's own system, for the test lanes of another Debian or KiCad:
#   debian_root.sh path SUITE        print where SUITE's root lives (made or not)
#   debian_root.sh make SUITE        make it (debootstrap + the suite's packages), once: it is cached
#   debian_root.sh run SUITE CMD...  run CMD inside it, with /proc, /dev and /sys mounted for the call
# SUITE: forky (KiCad 10 from Debian testing, pcbnew on its Python) or trixie (Debian 13, bare:
# the repository's own `make` installs the rest there, as on a new machine). Needs root.
set -euo pipefail

roots_dir="${WATTCAD_ROOTS:-/var/cache/wattcad/roots}"
say() { printf 'debian_root: %s\n' "$*" >&2; }

# What each root gets beyond debootstrap's minbase. The stamp holds this list, so a changed list
# remakes the root's packages (never the whole root).
packages_for() {
    case "$1" in
        # KiCad 10 and its stock libraries, a Python for wattcad, and the GUI test's tools.
        forky) echo "kicad kicad-footprints kicad-symbols kicad-demos python3 python3-venv python3-dev gcc git make poppler-utils xvfb xdotool imagemagick xauth" ;;
        trixie) echo "git make python3 python3-venv" ;;
        *) say "unknown suite '$1' (forky or trixie)"; exit 2 ;;
    esac
}

mirror_uri() {
    # The machine's own Debian mirror (deb822 or classic sources), so no new host is introduced.
    local uri=""
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$uri" ] || uri=$(awk '/^deb / && $2 ~ /debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    echo "${uri:-http://deb.debian.org/debian}"
}

mounted=()
mount_into() {
    local root="$1" target
    for target in proc sys dev dev/pts; do
        mountpoint -q "$root/$target" && continue
        case "$target" in
            proc) mount -t proc proc "$root/proc" ;;
            *) mount --bind "/$target" "$root/$target" ;;
        esac
        mounted=("$root/$target" "${mounted[@]}")
    done
}
unmount_all() {
    local m
    for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done
    mounted=()
}

in_root() {
    local root="$1" name; shift
    # The root reaches the network as this machine does: its resolver, its CA bundle (a proxy's CA
    # may be in it), its pip settings and proxies.
    cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    [ -f /etc/ssl/certs/ca-certificates.crt ] && cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
    [ -f /etc/pip.conf ] && cp -L /etc/pip.conf "$root/etc/pip.conf"
    local pass=()
    for name in PIP_CERT PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_DEFAULT_TIMEOUT REQUESTS_CA_BUNDLE SSL_CERT_FILE \
                http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
        [ -n "${!name:-}" ] && pass+=("$name=${!name}")
    done
    chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive CI="${CI:-}" "${pass[@]}" "$@"
}

make_root() {
    local suite="$1" root="$roots_dir/$1" want
    want="$(packages_for "$suite")"
    if [ "$(cat "$root/.wattcad-root" 2>/dev/null)" = "$want" ]; then return 0; fi
    [ "$(id -u)" -eq 0 ] || { say "making a Debian root needs root"; exit 3; }
    export DEBIAN_FRONTEND=noninteractive
    # (waiting for dpkg's lock: the two lanes may make their roots at the same time)
    command -v debootstrap >/dev/null || { apt-get -o DPkg::Lock::Timeout=600 update -qq \
        && apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends debootstrap >/dev/null; }
    if [ ! -x "$root/usr/bin/apt-get" ]; then
        say "debootstrap $suite into $root (a few minutes, once)"
        rm -rf "$root.partial"
        mkdir -p "$roots_dir"
        # Older debootstraps have no script for newer suites; sid's serves them all.
        local script=/usr/share/debootstrap/scripts/sid
        [ -e "/usr/share/debootstrap/scripts/$suite" ] && script="/usr/share/debootstrap/scripts/$suite"
        debootstrap --variant=minbase --include=ca-certificates "$suite" "$root.partial" "$(mirror_uri)" "$script" >/dev/null
        mv "$root.partial" "$root"
    fi
    say "installing $suite's packages: $want"
    trap unmount_all EXIT
    mount_into "$root"
    # A testing suite's Release file can be past its Valid-Until on a mirror snapshot.
    in_root "$root" apt-get -qq -o Acquire::Check-Valid-Until=false update
    # shellcheck disable=SC2086
    in_root "$root" apt-get install -y -qq --no-install-recommends $want >/dev/null
    in_root "$root" apt-get clean
    unmount_all
    echo "$want" > "$root/.wattcad-root"
}

cmd="${1:-}"; suite="${2:-}"
[ -n "$cmd" ] && [ -n "$suite" ] || { say "usage: debian_root.sh path|make|run SUITE [CMD...]"; exit 2; }
packages_for "$suite" >/dev/null
case "$cmd" in
    path) echo "$roots_dir/$suite" ;;
    make) make_root "$suite" ;;
    run)
        shift 2
        root="$roots_dir/$suite"
        [ -f "$root/.wattcad-root" ] || { say "no $suite root at $root: run 'debian_root.sh make $suite'"; exit 3; }
        trap unmount_all EXIT
        mount_into "$root"
        status=0
        in_root "$root" "$@" || status=$?
        unmount_all
        exit "$status"
        ;;
    *) say "unknown command '$cmd' (path, make or run)"; exit 2 ;;
esac
