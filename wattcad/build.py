"""`wattcad build`: the project's main job. So far: the footprint library, the verification report
of every package the board uses, and a 1:1 print of them."""
from __future__ import annotations

import json
import time
from pathlib import Path

from wattcad import __version__
from wattcad.errors import EXIT_MISMATCH, EXIT_OK
from wattcad.fileio import write_atomic


def build(out: Path, boards_dir: Path | None = None) -> int:
    from wattcad.footprints.generate import write_library
    from wattcad.footprints.library import board_part_specs, stock_footprint_path
    from wattcad.footprints.model import read_kicad_mod
    from wattcad.footprints.printout import PrintItem, render
    from wattcad.footprints.verify import format_table, verify_footprint

    started = time.perf_counter()
    specs = board_part_specs()
    step = lambda text: print(f"[wattcad] {text}", flush=True)  # noqa: E731

    step("generating the footprint library")
    lib_files = write_library(specs, out / "footprints")
    generated = {read_kicad_mod(p).name: p for p in lib_files if p.suffix == ".kicad_mod"}

    step("verifying the footprint of every package the board uses")
    from wattcad.footprints.generate import footprint_name

    reports, items = [], []
    for spec in specs:
        if spec.footprint in ("", "generated"):
            path = generated[footprint_name(spec)]
        else:
            path = stock_footprint_path(spec.footprint)
        fp = read_kicad_mod(path)
        report = verify_footprint(fp, spec, subject=str(path))
        reports.append(report)
        items.append(PrintItem(fp, spec))
    table = format_table(reports)
    write_atomic(out / "reports" / "footprints.txt", table + "\n")
    write_atomic(out / "reports" / "footprints.json",
                 json.dumps({"tool": "wattcad build", "version": __version__,
                             "reports": [r.to_json() for r in reports]}, indent=2, sort_keys=True) + "\n")
    print(table)

    step("printing the board's footprints at 1:1")
    pdf = render(items, out / "prints" / "board-footprints-1to1.pdf")
    render(items, out / "prints" / "board-footprints-1to1.svg")

    step("generating the schematic (SKiDL), ERC, BOM and PDF")
    from wattcad.kicad.params import load_board_params
    from wattcad.kicad.schematic import generate_project

    params = load_board_params()
    project = generate_project(out / params.name)

    step("building or updating the boards (rect and round) from the schematic: placement, zones, rules, DRC, renders")
    from wattcad.kicad.pcb_project import BOARDS_DIR, build_boards

    boards = build_boards(params, project.out_dir, out.resolve(), boards_dir or BOARDS_DIR)

    step("building the enclosures around both boards (CadQuery, and FreeCAD for the rectangular one), fit checks")
    from wattcad.enclosure_job import build_enclosure

    enclosures = [build_enclosure(b.source, b.project_dir / "enclosure", freecad=(b.variant == "rect")) for b in boards]

    failed = [r for r in reports if r.status in ("fail", "error")]
    failed += [b for b in boards if not b.drc.clean]
    failed += [e for e in enclosures if not e.fit["fits"]]
    print(f"\n[wattcad] built in {time.perf_counter() - started:.1f} s into {out}/:")
    print(f"  footprints/wattcad.pretty  {len(generated)} generated footprints + fp-lib-table")
    print(f"  reports/footprints.txt     {len(reports)} packages verified, {len(failed)} failing")
    print(f"  prints/{pdf.name}")
    print(f"  {project.out_dir.name}/  KiCad 9 project: {project.schematic.name} (ERC: {project.erc['violations']} violations), "
          f"{project.netlist.name}, {project.bom.name}, {project.pdf.name}")
    for b in boards:
        print(f"  {b.project_dir.name}/  {b.variant} board (source: {b.source}): {b.drc.summary()}")
    for e in enclosures:
        print(f"  {e.out_dir.parent.name}/enclosure/  base and lid STEP/STL: "
              f"{'fits' if e.fit['fits'] else 'DOES NOT FIT'}, clearance {e.fit['min_clearance_mm']} mm")
    return EXIT_MISMATCH if failed else EXIT_OK
