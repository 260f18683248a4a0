"""Benchmark: `wattcad route` on every two-layer board of a folder of real boards (the PCBench corpus
unpacked), graded by KiCad's own DRC, beside FreeRouting's published figures for the same boards.

Each board is stripped as the corpus README says (zones unfilled, then every track and via removed),
routed with `route_board(..., time_limit_s=LIMIT)` in a process of its own (a worker a core), and
graded: connections (what KiCad lists unrouted on the stripped board with its zones filled), completed,
unrouted, the DRC errors the routing added (KiCad's DRC of the routed board, zones filled, minus the
stripped board's own with its zones filled too, type by type), vias, track length, seconds.
Results go to a JSON-lines file as each board finishes; a board already graded with the same router
code (router_code_hash) and limit is not routed again (a run resumes where the last one stopped).

Run: .venv/bin/python benchmarks/route_corpus.py CORPUS_DIR [--manifest manifest.json] [--boards A,B]
     [--max-nets N] [--time-limit 240] [--jobs 2] [--results build/bench/route_corpus.jsonl]"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FREEROUTING = "v2.3.1-SNAPSHOT"


def strip(board: Path, out: Path, filled: Path | None = None) -> None:
    """Zones unfilled before the tracks go (after, the zone objects come back as bare SWIG objects).
    FILLED: the stripped board again with its zones filled, the baseline the routed board (whose
    zones the router fills) is graded against: a pad whose thermal relief is starved by the board's
    own layout, before any track, is not the router's doing."""
    from wattcad.kicad.pcbnew_compat import pcbnew

    b = pcbnew.LoadBoard(str(board))
    for i in range(b.GetAreaCount()):
        b.GetArea(i).UnFill()
    for t in list(b.GetTracks()):
        b.Delete(t)
    pcbnew.SaveBoard(str(out), b)
    if filled is not None:
        # A board whose fill never ends (KiCad's filler, UCCBPCB) is graded with its zones unfilled,
        # as the router leaves them (kicad/route_zones.zone_fill_finishes).
        from wattcad.kicad.route_zones import FILL_TRIAL_S, zone_fill_finishes

        if zone_fill_finishes(out, FILL_TRIAL_S[1]):
            pcbnew.ZONE_FILLER(b).Fill(b.Zones())
        pcbnew.SaveBoard(str(filled), b)


def drc(board: Path) -> tuple[Counter, int]:
    """KiCad's DRC errors by type, and the unrouted count (KiCad's ratsnest of the board as saved,
    zones as filled in the file: the DRC report lists at most 499)."""
    from wattcad.kicad.drc import drc_report
    from wattcad.kicad.pcbnew_compat import pcbnew
    from wattcad.kicad.route import unrouted_count

    data, complaint = drc_report(board, "--severity-all")
    if data is None:
        raise RuntimeError(f"kicad-cli could not check {board.name}: {complaint}")
    errors = Counter(v["type"] for v in data.get("violations", []) if v.get("severity") == "error")
    return errors, unrouted_count(pcbnew.LoadBoard(str(board)))


def grade_one(board: Path, limit_s: float) -> dict:
    """Strip, route and grade BOARD (run in a process of its own)."""
    from wattcad.kicad.route import route_board

    with tempfile.TemporaryDirectory(prefix="wattcad-bench-") as tmp:
        bare, baseline = Path(tmp) / board.name, Path(tmp) / "filled" / board.name
        baseline.parent.mkdir()
        strip(board, bare, baseline)
        before_errors, to_route = drc(baseline)
        started = time.perf_counter()
        report = route_board(bare, out=Path(tmp) / f"routed-{board.name}", time_limit_s=limit_s, backup=False)
        seconds = round(time.perf_counter() - started, 1)
        written = report.written is not None and report.written.is_file()
        after_errors, unrouted = drc(report.written) if written else (before_errors, to_route)
    added = after_errors - before_errors
    return {"board": board.stem, "connections": to_route, "unrouted": unrouted, "completed": to_route - unrouted,
            "added_errors": dict(sorted(added.items())), "vias": report.vias,
            "track_mm": round(report.track_length_mm, 1), "seconds": seconds, "written": written}


ROUTER_MODULES = ("wattcad.core.router", "wattcad.core.router_search", "wattcad.core.dru", "wattcad.kicad.route",
                  "wattcad.kicad.route_rules", "wattcad.kicad.route_zones", "wattcad.kicad.board_io", "wattcad.kicad.drc",
                  "wattcad.kicad.pcbnew_compat")


def router_code_hash() -> str:
    """What a routing result depends on: the router's modules (by name and content, wherever the
    checkout is), this benchmark, and the KiCad that grades it. A change elsewhere in wattcad leaves
    the boards graded so far standing, so a long run resumes across sessions."""
    import hashlib
    import importlib

    from wattcad.kicad.versions import kicad_release

    h = hashlib.sha256(kicad_release().encode())
    for name in ROUTER_MODULES:
        h.update(name.encode() + Path(importlib.import_module(name).__file__).read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def two_layer(board: Path, manifest: dict) -> bool:
    entry = manifest.get(board.stem)
    if entry is not None:
        return entry["layers"] == 2
    head = board.read_text(encoding="utf-8", errors="replace")
    return head.count(".Cu\" signal") + head.count(".Cu signal") <= 2


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--manifest", type=Path, help="the corpus manifest.json (FreeRouting's figures, layer counts)")
    ap.add_argument("--boards", help="comma-separated board names (file stems) to run, not all")
    ap.add_argument("--max-nets", type=int, help="only boards with at most this many nets (by the manifest)")
    ap.add_argument("--time-limit", type=float, default=240.0)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--results", type=Path, default=REPO / "build" / "bench" / "route_corpus.jsonl")
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # a worker: grade this board, print JSON
    args = ap.parse_args()
    if args.one:
        print(json.dumps(grade_one(args.one, args.time_limit)))
        return 0

    manifest = {e["board"]: e for e in json.loads(args.manifest.read_text())} if args.manifest else {}
    boards = sorted(p for p in args.corpus.glob("*.kicad_pcb") if two_layer(p, manifest))
    if args.boards:
        wanted = set(args.boards.split(","))
        boards = [b for b in boards if b.stem in wanted]
    if args.max_nets:
        boards = [b for b in boards if manifest.get(b.stem, {}).get("nets", 0) <= args.max_nets]
    key = {"code": router_code_hash(), "time_limit": args.time_limit}
    args.results.parent.mkdir(parents=True, exist_ok=True)
    done = {}
    if args.results.is_file():
        for line in args.results.read_text().splitlines():
            row = json.loads(line)
            if row.get("key") == key:
                done[row["board"]] = row
    todo = [b for b in boards if b.stem not in done]
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "")
    kicad = subprocess.run(["kicad-cli", "version"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, KiCad {kicad}; "
          f"{len(boards)} two-layer boards, {len(done)} already graded, {len(todo)} to route, {args.jobs} at a time, "
          f"{args.time_limit:g} s a board", flush=True)

    def run(board: Path) -> dict:
        cmd = [sys.executable, __file__, str(board), "--one", str(board), "--time-limit", str(args.time_limit)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.time_limit * 3 + 300)
            row = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else \
                {"board": board.stem, "error": (proc.stderr.strip().splitlines() or ["?"])[-1]}
        except subprocess.TimeoutExpired:
            row = {"board": board.stem, "error": "no result: the worker was stopped"}
        row["key"] = key
        with open(args.results, "a") as fh:
            fh.write(json.dumps(row, sort_keys=True) + "\n")
        print(_line(row, manifest), flush=True)
        return row

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for row in pool.map(run, todo):
            done[row["board"]] = row
    rows = [done[b.stem] for b in boards if b.stem in done]
    _totals(rows, manifest)
    return 0


def _line(row: dict, manifest: dict) -> str:
    fr = manifest.get(row["board"], {}).get("freerouting", {}).get(FREEROUTING, {})
    theirs = f"FreeRouting: {fr.get('unrouted', '?')} unrouted, {fr.get('violations', '?')} violations, {fr.get('seconds', '?')} s"
    if "error" in row:
        return f"{row['board']}: ERROR {row['error']} | {theirs}"
    added = sum(row["added_errors"].values())
    return (f"{row['board']}: {row['completed']}/{row['connections']} routed, {row['unrouted']} unrouted, "
            f"{added} DRC errors added {row['added_errors'] or ''}, {row['vias']} vias, {row['track_mm']} mm, "
            f"{row['seconds']} s{'' if row['written'] else ', NOTHING WRITTEN'} | {theirs}")


def _totals(rows: list[dict], manifest: dict) -> None:
    graded = [r for r in rows if "error" not in r]
    complete = [r for r in graded if r["unrouted"] == 0]
    clean = [r for r in complete if not r["added_errors"]]
    added = sum((Counter(r["added_errors"]) for r in graded), Counter())
    fr = [manifest.get(r["board"], {}).get("freerouting", {}).get(FREEROUTING) for r in rows]
    fr = [f for f in fr if f]
    print(f"\n{len(rows)} boards ({len(rows) - len(graded)} without a result): complete {len(complete)}, complete with no "
          f"DRC error added {len(clean)}, every board written: {all(r.get('written') for r in rows)}")
    print(f"connections {sum(r['connections'] for r in graded)}, routed {sum(r['completed'] for r in graded)}, "
          f"unrouted {sum(r['unrouted'] for r in graded)}; vias {sum(r['vias'] for r in graded)}, track "
          f"{sum(r['track_mm'] for r in graded) / 1000:.1f} m, {sum(r['seconds'] for r in graded):.0f} s in all "
          f"(longest {max((r['seconds'] for r in graded), default=0):.0f} s); DRC errors added by type: {dict(added.most_common())}")
    if fr:
        print(f"FreeRouting {FREEROUTING} on the same boards (its own checker): complete {sum(f['unrouted'] == 0 for f in fr)}, "
              f"complete with 0 violations {sum(f['unrouted'] == 0 and f['violations'] == 0 for f in fr)}")


if __name__ == "__main__":
    sys.exit(main())
