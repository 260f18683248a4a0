"""Calibration: `wattcad footprint verify` over a folder of real boards (the PCBench corpus, unpacked:
see ../shared's corpus README, or any folder of .kicad_pcb). Prints the boards failing, the findings
by class and severity, the parts matched to a spec and left unchecked, and the time; --json FILE
writes every error finding (board, part, footprint, check, message). Each error is looked up in the
truth file (benchmarks/verify_corpus_truth.yaml: judged true or false, with the reason); errors not
judged there, or judged false, are listed and make the exit code 1.
Run: .venv/bin/python benchmarks/verify_corpus.py FOLDER [--json FILE]"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

from wattcad.checks.footprints import host_board_reader
from wattcad.footprints.verify import verify_paths

TRUTH = Path(__file__).with_name("verify_corpus_truth.yaml")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--json", type=Path, help="write every error finding here")
    args = ap.parse_args()
    boards = sorted(args.folder.glob("*.kicad_pcb"))
    if not boards:
        sys.exit(f"{args.folder}: no .kicad_pcb files")
    started = time.perf_counter()
    failing, unreadable, errors = [], [], []
    classes: Counter = Counter()
    parts = matched = unchecked = 0
    for board in boards:
        with tempfile.TemporaryDirectory(prefix="wattcad-corpus-") as scratch:
            reports = verify_paths([board], board_reader=host_board_reader(Path(scratch)))
        if any(r.status == "error" for r in reports):
            unreadable.append(board.name)
            continue
        parts += len(reports)
        matched += sum(r.matched for r in reports)
        unchecked += sum(r.status == "unchecked" for r in reports)
        for r in reports:
            for f in r.findings:
                classes[(f.severity, f.check)] += 1
                if f.severity == "error":
                    errors.append({"board": board.name, "part": r.reference, "footprint": r.footprint,
                                   "spec": r.spec_name, "check": f.check, "message": f.message})
        if any(r.status == "fail" for r in reports):
            failing.append(board.name)
    seconds = time.perf_counter() - started
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"{len(boards)} boards in {seconds:.0f} s: {len(failing)} with an error ({len(failing) / len(boards):.1%}), "
          f"{len(unreadable)} unreadable")
    print(f"parts: {parts}, matched to a spec or a name with dimensions: {matched}, checked by the general rules only: "
          f"{parts - matched - unchecked}, unchecked: {unchecked}")
    print("findings by severity and check:")
    for (severity, check), n in sorted(classes.items(), key=lambda kv: (kv[0][0], -kv[1])):
        print(f"  {severity:8s} {check:32s} {n}")
    for name in unreadable:
        print(f"  unreadable: {name}")
    if args.json:
        args.json.write_text(json.dumps({"boards": len(boards), "failing": failing, "errors": errors}, indent=1,
                                        sort_keys=True) + "\n")
    judged = {(e["board"], e["part"], e["check"]): e for e in yaml.safe_load(TRUTH.read_text())["errors"]}
    unjudged = [e for e in errors if (e["board"], e["part"], e["check"]) not in judged]
    false = [e for e in errors if judged.get((e["board"], e["part"], e["check"]), {}).get("verdict") is False]
    print(f"errors judged in {TRUTH.name}: {len(errors) - len(unjudged)} of {len(errors)}; judged false: {len(false)}")
    for e in unjudged + false:
        print(f"  {'NOT JUDGED' if e in unjudged else 'FALSE'}: {e['board']} {e['part']} {e['footprint']}: {e['message']}")
    return 1 if unjudged or false else 0


if __name__ == "__main__":
    sys.exit(main())
