"""A KiCad project as the checks see it: its files, a KiCad 4/5 project's legacy schematic, and a
copy KiCad has upgraded when an older KiCad saved it."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from wattcad.core.errors import InputError


@dataclass
class Project:
    dir: Path
    name: str

    @property
    def schematic(self) -> Path:
        """The KiCad 6+ schematic, or a KiCad 4/5 project's legacy .sch when that is all there is."""
        current, legacy = self.dir / f"{self.name}.kicad_sch", self.dir / f"{self.name}.sch"
        return legacy if not current.is_file() and legacy.is_file() else current

    @property
    def legacy(self) -> bool:
        return self.schematic.suffix == ".sch"

    @cached_property
    def legacy_gap(self) -> str:
        """Why KiCad's checks of this legacy schematic would be hollow ('' when they are not, or
        when the schematic is not legacy); ERC and DRC both ask, kicad-cli is run once."""
        return legacy_parts_missing(self) if self.legacy else ""

    @property
    def board(self) -> Path:
        return self.dir / f"{self.name}.kicad_pcb"

    @property
    def lone_board(self) -> bool:
        """A board with no schematic beside it (most boards people share): ERC and parity cannot run."""
        return not self.schematic.is_file()

    @property
    def file(self) -> Path:
        """What names the project: its .kicad_pro (or KiCad 4/5 .pro), else the lone board."""
        for suffix in (".kicad_pro", ".pro"):
            if (self.dir / f"{self.name}{suffix}").is_file():
                return self.dir / f"{self.name}{suffix}"
        return self.board

    @property
    def parity(self) -> bool:
        """Whether DRC can hold the board to its schematic: one KiCad reads whole is beside it."""
        return not self.lone_board and not self.legacy_gap


def find_project(path: Path) -> Project:
    """A folder with one .kicad_pro (or a .kicad_pro / .kicad_pcb file given directly), or a folder
    that holds one board and no project file (a lone board)."""
    path = Path(path)
    if path.is_file() and path.suffix in (".kicad_pro", ".kicad_pcb", ".kicad_sch", ".pro", ".sch"):
        return Project(path.parent, path.stem)
    if not path.is_dir():
        raise InputError(path, None, "no such project folder")
    # KiCad 6+ projects, else KiCad 4/5 ones (.pro): those are checked on an upgraded copy.
    pros = sorted(path.glob("*.kicad_pro")) or sorted(path.glob("*.pro"))
    boards = sorted(path.glob("*.kicad_pcb"))
    if not pros and len(boards) == 1:
        return Project(path, boards[0].stem)
    if not pros and boards:
        raise InputError(path, "*.kicad_pcb", f"holds {len(boards)} boards and no project file "
                                              f"({', '.join(b.name for b in boards[:5])}); name the board to build", len(boards))
    if len(pros) != 1:
        found = ", ".join(p.name for p in pros) or "none"
        raise InputError(path, "*.kicad_pro", f"expected one KiCad project file (.kicad_pro, or a KiCad 4/5 .pro), "
                                              f"found {found}; name the project file")
    return Project(path, pros[0].stem)


def legacy_parts_missing(project: Project) -> str:
    """Why KiCad's checks of a legacy schematic would be hollow ('' when they are not): kicad-cli
    9 loads a KiCad 4/5 .sch but drops each symbol whose library it cannot find."""
    from wattcad.core.legacy_schematic import read_parts
    from wattcad.kicad.board_io import kicad_version
    from wattcad.kicad.netlist import export_kicad_netlist, parse_netlist

    parts = read_parts(project.schematic)
    with tempfile.TemporaryDirectory() as tmp:
        loaded = parse_netlist(export_kicad_netlist(project.schematic, Path(tmp) / "legacy.net")).components
    if len(loaded) >= len(parts):
        return ""
    return (f"KiCad {kicad_version()} loaded {len(loaded)} of the {len(parts)} parts of the legacy schematic "
            f"{project.schematic.name} (it drops symbols whose libraries it cannot find); open the project in KiCad 9 "
            f"and save it to check it")


# Project files copied to the scratch folder as they are (KiCad reads them in place).
_PROJECT_FILES = ("*.pro", "*.kicad_pro", "*.sch", "*.kicad_sch", "*.lib", "*.dcm", "*.kicad_sym", "*.kicad_dru",
                  "sym-lib-table", "fp-lib-table")

def old_format(project: Project) -> str:
    """What is old about the project ('' if nothing): a KiCad 4/5 project, a board an older KiCad saved."""
    from wattcad.kicad.board_io import board_format

    old = []
    if project.legacy:
        old.append(f"KiCad 4/5 project ({project.schematic.name}, legacy schematic)")
    if project.board.is_file():
        version, release = board_format(project.board)
        if release:
            old.append(f"board {project.board.name} saved by {release} (format {version})")
    return "; ".join(old)


def upgraded_copy(project: Project, scratch: Path) -> Project:
    """The project's files in SCRATCH, its board saved by this KiCad."""
    import shutil

    from wattcad.kicad.board_io import current_format_copy

    for pattern in _PROJECT_FILES:
        for f in sorted(project.dir.glob(pattern)):
            shutil.copy2(f, scratch / f.name)
    if project.board.is_file():
        current_format_copy(project.board, scratch)
    return Project(scratch, project.name)
