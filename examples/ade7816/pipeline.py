"""The ADE7816 build: its sources generated from data (footprints, schematic), two board variants
updated from the schematic, then the outputs any project gets (check, fab, enclosure, renders) for
each variant, from the same engine and the same output steps as any project."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from wattcad import __version__
from wattcad.core.cache import BuildCache
from wattcad.core.errors import InputError
from wattcad.core.fileio import write_atomic
from wattcad.pipeline.base import BasePipeline, register_pipeline
from wattcad.pipeline.engine import CODE_DIRS, SPECS, Outcome, Section, Step, code_hash
from wattcad.pipeline.run import run_pipeline

EXAMPLE_DIR = CODE_DIRS["wattcad.ade7816"]  # wattcad.yaml and boards/, which `wattcad example ade7816` copies out
KICAD_DATA = EXAMPLE_DIR / "data"
VARIANTS = ("rect", "round")
# The views each variant is drawn in (styles and sizes: the render output's), and the turntable.
VIEWS = {"rect": ("iso", "top", "front", "exploded"), "round": ("iso", "top")}
TURNTABLE = {"rect": ((480, 360), 8, 12)}  # size, samples, frames


@register_pipeline
class Ade7816Pipeline(BasePipeline):
    kind = "ade7816"

    def __init__(self, out: Path, boards_dir: Path | None, force: bool, render: bool, freecad: bool = True,
                 enclosure_params: Path | None = None, final: bool = False):
        from wattcad.ade7816.params import load_board_params
        from wattcad.ade7816.pcb_project import BOARDS_DIR, board_file_name

        self.config = self.base_config(out=out, boards_dir=boards_dir, force=force, render=render, freecad=freecad,
                                       enclosure_params=enclosure_params, final=final)
        self.out = Path(out).resolve()
        self.boards_dir = Path(boards_dir or BOARDS_DIR).resolve()
        self.params = load_board_params()
        self.name = self.params.name
        self.cache = BuildCache(self.out, enabled=not force)
        self.code = code_hash()
        self.render, self.freecad, self.final = render, freecad, final
        self.enclosure_params = Path(enclosure_params).resolve() if enclosure_params else None
        self.source = {v: self.boards_dir / board_file_name(self.name, v) for v in VARIANTS}

    # --- where things are -------------------------------------------------------------------
    @property
    def schematic_dir(self) -> Path:
        return self.out / self.name

    def project_dir(self, variant: str) -> Path:
        return self.schematic_dir if variant == "rect" else self.out / f"{self.name}-{variant}"

    def source_files(self, variant: str) -> list[Path]:
        return [self.source[variant].with_suffix(s) for s in (".kicad_pcb", ".kicad_pro", ".kicad_dru")]

    def section(self, variant: str) -> Section:
        sch, folder = self.schematic_dir, self.project_dir(variant)
        outputs = ("check", "fab", "enclosure", *(("render",) if self.render else ()))
        return Section(
            variant, "Rectangular board" if variant == "rect" else "Round board", folder / f"{self.name}.kicad_pro", folder,
            folder / f"{self.name}.kicad_pcb",
            lambda: [*self.source_files(variant), sch / f"{self.name}.kicad_sch", sch / f"{self.name}-bom.csv",
                     KICAD_DATA / "board.yaml"],
            outputs, enclosure_board=self.source[variant], after=(f"board-{variant}",), rules=self.params.pcb["rules"],
            bom=sch / f"{self.name}-bom.csv", glb=folder / f"{self.name}-board.glb",
            freecad=self.freecad and variant == "rect",  # one parametric FreeCAD document: 46 s here
            enclosure_params=self.enclosure_params, views=VIEWS[variant], turntable=TURNTABLE.get(variant),
            label=f"{variant} board: ")

    def sections(self) -> list[Section]:
        return [self.section(v) for v in VARIANTS]

    # --- the steps that make the sources ---------------------------------------------------------
    def source_steps(self) -> list[Step]:
        sch = self.schematic_dir
        steps = [
            Step("footprints", "footprint library, verification and 1:1 print", lambda: SPECS, self.run_footprints),
            Step("schematic", "schematic (SKiDL), ERC, netlist, BOM, PDF", lambda: [KICAD_DATA, *SPECS], self.run_schematic),
        ]
        steps.append(Step("firmware", "MicroPython driver and bring-up for the ESP32 Feather (mpy-cross)",
                          lambda: [KICAD_DATA, EXAMPLE_DIR / "micropython", *SPECS], self.run_firmware))
        for v in VARIANTS:
            steps.append(Step(f"board-{v}", f"{v} board: update from the schematic, DRC with parity, 3D export",
                              lambda v=v: [sch / f"{self.name}.kicad_sch", sch / f"{self.name}.net", *self.source_files(v),
                                           KICAD_DATA / "board.yaml", *SPECS], lambda v=v: self.run_board(v),
                              after=("schematic",), updates_inputs=True))
        return steps

    def steps(self) -> list[Step]:
        """Each variant's board, then its outputs, in the order a person reads them."""
        made = super().steps()
        order = ["footprints", "schematic", "firmware"] + [f"{kind}-{v}" for v in VARIANTS
                                               for kind in ("board", "check", "fab", "enclosure", "render")]
        return sorted(made, key=lambda s: order.index(s.name) if s.name in order else len(order))

    def index_extras(self) -> list[tuple[str, list[tuple[str, str]]]]:
        return [("Footprints", [("prints/board-footprints-1to1.pdf", "every package of the board at 1:1 (print at 100 %)"),
                                ("reports/footprints.txt", "verification of every package against its spec"),
                                ("footprints/wattcad.pretty", "the generated footprint library")]),
                ("Firmware", [("firmware/ade7816", "MicroPython driver, register map, the board's pins and bring-up "
                                                   "(.py and mpy-cross's .mpy): docs/firmware.md says how to flash it")])]

    def run_footprints(self) -> Outcome:
        from wattcad.footprints.generate import footprint_name, write_library
        from wattcad.footprints.library import board_part_specs, stock_footprint_path
        from wattcad.footprints.model import read_kicad_mod
        from wattcad.footprints.printout import PrintItem, render
        from wattcad.footprints.verify import format_table, verify_footprint

        specs = board_part_specs()
        lib_files = write_library(specs, self.out / "footprints")
        generated = {read_kicad_mod(p).name: p for p in lib_files if p.suffix == ".kicad_mod"}
        reports, items = [], []
        for spec in specs:
            path = generated[footprint_name(spec)] if spec.footprint in ("", "generated") else stock_footprint_path(spec.footprint)
            fp = read_kicad_mod(path)
            # Named as the build made it (relative to the output), or as KiCad installed it.
            shown = path.relative_to(self.out) if path.is_relative_to(self.out) else path
            reports.append(verify_footprint(fp, spec, subject=str(shown)))
            items.append(PrintItem(fp, spec))
        table = format_table(reports)
        outputs = [write_atomic(self.out / "reports" / "footprints.txt", table + "\n"),
                   write_atomic(self.out / "reports" / "footprints.json",
                                json.dumps({"tool": "wattcad build", "version": __version__,
                                            "reports": [r.to_json() for r in reports]}, indent=2, sort_keys=True) + "\n"),
                   render(items, self.out / "prints" / "board-footprints-1to1.pdf"),
                   render(items, self.out / "prints" / "board-footprints-1to1.svg"), self.out / "footprints"]
        failed = [r for r in reports if r.status in ("fail", "error")]
        return Outcome(outputs, "fail" if failed else "pass",
                       f"{len(generated)} footprints generated, {len(reports)} packages verified, {len(failed)} failing")

    def run_firmware(self) -> Outcome:
        from wattcad.ade7816.firmware import compile_mpy, write_firmware
        from wattcad.ade7816.symbol import load_pin_table

        folder = self.out / "firmware" / "ade7816"
        sources = write_firmware(self.params, load_pin_table(), folder)
        compiled = compile_mpy(sources, folder / "mpy")
        return Outcome([*sources, *compiled], "pass",
                       f"{len(sources)} MicroPython files, {len(compiled)} compiled by mpy-cross, for {self.params.interface.upper()}")

    def run_schematic(self) -> Outcome:
        from wattcad.ade7816.schematic import generate_project

        p = generate_project(self.schematic_dir)
        return Outcome([p.schematic, p.netlist, p.bom, p.pdf, p.project], "pass",
                       f"ERC {p.erc['violations']} violations; {p.bom.name}, {p.pdf.name}")

    def run_board(self, variant: str) -> Outcome:
        from wattcad.ade7816.pcb_project import build_boards

        (b,) = build_boards(self.params, self.schematic_dir, self.out, self.boards_dir, (variant,))
        return Outcome([b.board, *b.renders, b.project_dir / f"{self.name}-drc.json"], "pass" if b.drc.clean else "fail",
                       f"{len(b.drc.errors)} DRC errors, {len(b.drc.parity)} parity issues, {b.drc.unconnected} unrouted",
                       [f"{b.source.name}: {b.change.summary()}"])


def build(folder: Path, settings, out: Path, force: bool = False, render: bool = True, freecad: bool | None = None,
          enclosure_params: Path | None = None, jobs: int | None = None, final: bool = False,
          boards_dir: Path | None = None) -> int:
    """The generated project in FOLDER (its wattcad.yaml says `generate: ade7816`): its boards are
    FOLDER's (wattcad.yaml `boards`), unless BOARDS_DIR names others; they are updated in place."""
    from wattcad.pipeline.project import installed_read_only

    boards = Path(boards_dir) if boards_dir else Path(folder) / settings.boards
    if installed_read_only(boards):
        raise InputError(boards, "--boards-dir", "the boards a build updates are inside the installed package: copy "
                                                 "them out with `wattcad example ade7816 DIR` and run `wattcad build DIR`")
    with_freecad = settings.freecad if freecad is None else freecad and settings.freecad
    return run_pipeline(Ade7816Pipeline(out, boards, force, render, with_freecad, enclosure_params, final), jobs)


def copy_example(dest: Path) -> Path:
    """The example's sources (wattcad.yaml and its boards) copied out of the package into DEST, a new
    or empty folder, so `wattcad build DEST` updates the user's copy."""
    import shutil

    dest = Path(dest).resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InputError(dest, None, "exists and is not an empty folder: name a new or empty folder")
    files = [EXAMPLE_DIR / "wattcad.yaml"] + sorted(b for b in (EXAMPLE_DIR / "boards").iterdir()
                                                     if b.suffix in (".kicad_pcb", ".kicad_pro", ".kicad_dru"))
    # Whole or not at all: written into a scratch folder beside DEST, then moved in file by file
    # (DEST itself may be the shell's current folder, so it is filled, never replaced).
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".wattcad-example-", dir=dest) as tmp:
        work = Path(tmp)
        (work / "boards").mkdir()
        for f in files:
            shutil.copy2(f, work / f.relative_to(EXAMPLE_DIR))
        (dest / "boards").mkdir()
        for f in files:
            os.replace(work / f.relative_to(EXAMPLE_DIR), dest / f.relative_to(EXAMPLE_DIR))
    return dest
