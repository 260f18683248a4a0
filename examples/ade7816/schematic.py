"""From the SKiDL circuit to an ERC-clean KiCad 9 project: netlist, schematic, project files, BOM.

SKiDL writes the schematic in its `labels` mode (every pin a short wire and a net label: exact
connectivity, never a routing failure). kicad-skip then lays the symbols out in functional blocks,
fills the title block and adds the part-number fields. The embedded symbol copies are replaced by
the library's own, so KiCad finds nothing to update. Everything is built in a scratch folder and
moved into place only when complete: a failed build leaves the previous output as it was.
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from wattcad.core.errors import InputError
from wattcad.core.fileio import write_atomic
from wattcad.core.processes import tool_kwargs
from wattcad.footprints import sexpr
from wattcad.footprints.generate import LIBRARY_NAME, write_library
from wattcad.footprints.spec import builtin_specs
from wattcad.kicad.erc import ErcFailed, run_erc
from wattcad.kicad.kicad_cli import run_kicad_cli

from .circuit import STOCK_SYMBOLS, BuiltCircuit
from .params import BOARD_PARAMS, DATA_DIR, PARTS_CATALOGUE, BoardParams, PartsCatalogue, load_board_params
from .symbol import PIN_TABLE, SYMBOL_LIBRARY, load_pin_table

ERC_WAIVERS = DATA_DIR / "erc_waivers.yaml"
UUID_NAMESPACE = uuid.UUID("6f1d7c3e-2b9a-4e55-9a31-7d0c2f4b8e10")
GRID = 2.54
BLOCK_ORDER = ("ADE7816", "Current channel A", "Current channel B", "Current channel C", "Current channel D",
               "Current channel E", "Current channel F", "IN: common of D-F", "Voltage channel", "Supplies",
               "Clock", "Reset and interrupts", "Host: ESP32 Feather", "Mechanical")
PAPERS = (("A3", 420.0, 297.0), ("A2", 594.0, 420.0), ("A1", 841.0, 594.0))

@dataclass
class ProjectResult:
    out_dir: Path
    schematic: Path
    netlist: Path
    project: Path
    bom: Path
    pdf: Path
    erc: dict = field(default_factory=dict)
    built: BuiltCircuit | None = None

# ------------------------------------------------------------------------------ SKiDL
def _run_skidl(params: BoardParams, params_path: Path, parts_path: Path, work: Path, name: str) -> BuiltCircuit:
    result = subprocess.run([sys.executable, "-m", "wattcad.ade7816.skidl_run", str(work), str(params_path), str(parts_path)],
                            capture_output=True, text=True, timeout=600, cwd=work,
                            **tool_kwargs())
    log = result.stdout + result.stderr
    errors = re.findall(r"^(?:ERC )?ERROR: .*$", log, re.M)
    if result.returncode != 0 or errors:
        detail = "; ".join(errors[:5]) or log.strip().splitlines()[-1] if log.strip() else "no output"
        raise InputError(params.path, None, f"the SKiDL circuit failed: {detail}")
    for pattern in ("*.log", "*.erc", "*_sklib.py", "*.rpt"):
        for stray in work.glob(pattern):
            stray.unlink()
    data = json.loads((work / "built.json").read_text(encoding="utf-8"))
    (work / "built.json").unlink()
    return BuiltCircuit(params, data["mpn"], data["package"], data["block"], data["dnp"])

def _fix_netlist_date(path: Path, date: str) -> None:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'\(date "[^"]*"\)', f'(date "{date}")', text, count=1)
    text = re.sub(r'\(source "[^"]*"\)', '(source "wattcad examples/ade7816/circuit.py")', text)
    # SKiDL writes each part's source line relative to where it was installed: the file name only.
    text = re.sub(r'(\(name "SKiDL Line"\) ")[^"]*/([^"/]+")', r"\1\2", text)
    path.write_text(text, encoding="utf-8")

# ------------------------------------------------------------------------------ library symbols
def _library_symbols(lib_name: str) -> dict[str, list]:
    path = (Path(os.environ.get("KICAD9_SYMBOL_DIR", str(STOCK_SYMBOLS))) / f"{lib_name}.kicad_sym")
    root = sexpr.parse(path.read_text(encoding="utf-8"))
    return {str(c[1]): c for c in root[1:] if isinstance(c, list) and c and c[0] == "symbol"}

def _refresh_lib_symbols(tree: list, work: Path) -> None:
    """Replace SKiDL's embedded symbol copies with the libraries' own definitions."""
    libs = sexpr.child(tree, "lib_symbols")
    cache: dict[str, dict[str, list]] = {}
    for i, node in enumerate(libs[1:], start=1):
        lib_id = str(node[1])
        lib, _, name = lib_id.partition(":")
        if lib not in cache:
            if lib == SYMBOL_LIBRARY:
                root = sexpr.parse((work / f"{SYMBOL_LIBRARY}.kicad_sym").read_text(encoding="utf-8"))
                cache[lib] = {str(c[1]): c for c in root[1:] if isinstance(c, list) and c and c[0] == "symbol"}
            else:
                cache[lib] = _library_symbols(lib)
        source = cache[lib].get(name)
        if source is None:
            raise InputError(None, "lib_id", f"symbol {name} not found in library {lib}", lib_id)
        if sexpr.child(source, "extends") is not None:
            raise InputError(None, "lib_id", "derived library symbols are not supported", lib_id)
        copy = sexpr.parse(sexpr.dump(source))
        copy[1] = sexpr.Quoted(lib_id)
        libs[i] = copy

# ------------------------------------------------------------------------------ layout (kicad-skip)
def _pt(v) -> tuple[float, float]:
    return round(float(v[0]), 4), round(float(v[1]), 4)

def _label_extent(at, text: str) -> list[tuple[float, float]]:
    """The corners a label's text covers, roughly: 1 mm per character along its direction."""
    x, y, angle = float(at[0]), float(at[1]), int(float(at[2])) % 360
    length = 1.0 * len(text) + 1.0
    dx, dy = {0: (length, 0), 180: (-length, 0), 90: (0, -length), 270: (0, length)}.get(angle, (length, 0))
    return [(x, y), (x + dx, y + dy)]

def _pin_points(symbol) -> list[tuple[float, float]]:
    """Absolute pin positions; kicad-skip knows them for library symbols. Power symbols and flags
    have their single pin on their origin."""
    pins = symbol.pin
    if hasattr(pins, "__len__") and len(pins) and hasattr(pins[0], "location"):
        return [_pt(pins[i].location.value) for i in range(len(pins))]
    at = symbol.at.value
    return [_pt(at)]

def _visible(prop) -> bool:
    return "hide" not in str(prop.raw if hasattr(prop, "raw") else "")

PREFIX_ORDER = ("U", "J", "Y", "R", "C", "NT", "JP", "H", "#FLG")

def _layout(sch, built: BuiltCircuit) -> tuple[float, float, list[tuple[str, float, float]]]:
    """Move every symbol, with its wires, labels and no-connect flags, into its block's row.
    Returns the used width and height and the block titles with their positions."""
    # Power symbols (#PWR) that SKiDL hangs on a pin travel with that pin's symbol.
    symbols = {str(s.property.Reference.value): s for s in sch.symbol if not str(s.property.Reference.value).startswith("#PWR")}
    power = [s for s in sch.symbol if str(s.property.Reference.value).startswith("#PWR")]
    owner_of_point: dict[tuple[float, float], str] = {}
    for ref, s in symbols.items():
        for point in _pin_points(s):
            owner_of_point[point] = ref
    owned: dict[str, dict[str, list]] = {ref: {"wire": [], "label": [], "no_connect": [], "power": []} for ref in symbols}
    label_at: dict[tuple[float, float], list] = {}
    for lb in sch.label:
        label_at.setdefault(_pt(lb.at.value), []).append(lb)
    power_at = {_pt(ps.at.value): ps for ps in power}
    for w in sch.wire:
        start, end = _pt(w.start.value), _pt(w.end.value)
        ref = owner_of_point.get(start) or owner_of_point.get(end)
        if ref is None:
            continue
        owned[ref]["wire"].append(w)
        far = end if owner_of_point.get(start) == ref else start
        owned[ref]["label"] += label_at.pop(far, [])
        if far in power_at:
            owned[ref]["power"].append(power_at.pop(far))
    for point, _ps in list(power_at.items()):
        if point in owner_of_point:
            owned[owner_of_point[point]]["power"].append(power_at.pop(point))
    if power_at:
        raise ValueError(f"power symbols attached to nothing at {sorted(power_at)}")
    for nc in sch.no_connect:
        ref = owner_of_point.get(_pt(nc.at.value))
        if ref is not None:
            owned[ref]["no_connect"].append(nc)

    def extent(ref: str) -> tuple[float, float, float, float]:
        s = symbols[ref]
        pts = _pin_points(s)
        at = s.at.value
        pts += [(float(at[0]) - GRID, float(at[1]) - GRID), (float(at[0]) + GRID, float(at[1]) + GRID)]
        for lb in owned[ref]["label"]:
            pts += _label_extent(lb.at.value, str(lb.value))
        for prop in (s.property.Reference, s.property.Value):
            if _visible(prop):
                px, py = float(prop.at.value[0]), float(prop.at.value[1])
                pts += [(px, py - 1.27), (px + 1.0 * len(str(prop.value)) + 1.27, py + 1.27)]
        for ps in owned[ref]["power"]:
            at = ps.at.value
            pts += [(float(at[0]) - 2 * GRID, float(at[1]) - 2 * GRID), (float(at[0]) + 2 * GRID, float(at[1]) + 2 * GRID)]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return min(xs), min(ys), max(xs), max(ys)

    blocks: dict[str, list[str]] = {}
    for ref in symbols:
        blocks.setdefault(built.block.get(ref, "Supplies"), []).append(ref)
    order = [b for b in BLOCK_ORDER if b in blocks] + sorted(b for b in blocks if b not in BLOCK_ORDER)

    def ref_key(ref: str):
        m = re.match(r"(#?[A-Za-z_]+?)(\d*)$", ref) or re.match(r"(#?[A-Za-z]+)(.*)", ref)
        prefix = m.group(1) if m else ref
        rank = next((i for i, p in enumerate(PREFIX_ORDER) if prefix.startswith(p)), len(PREFIX_ORDER))
        return rank, prefix, int(m.group(2)) if m and m.group(2).isdigit() else 0, ref

    boxes = {ref: extent(ref) for ref in symbols}
    margin, gap, band_gap, title_h = 15.24, 3.81, 7.62, 6.35
    for paper, paper_w, paper_h in PAPERS:
        plan, used_w, used_h = _plan(order, blocks, boxes, symbols, ref_key, paper_w - 2 * margin, margin, gap, band_gap, title_h)
        if os.environ.get("WATTCAD_DEBUG_LAYOUT"):
            print(paper, round(used_w), round(used_h))
        if used_w + margin <= paper_w and used_h + margin <= paper_h:
            break
    titles = []
    for name, bx, by, moves in plan:
        titles.append((name, bx, by))
        for ref, dx, dy in moves:
            s = symbols[ref]
            at = s.at.value
            s.move(float(at[0]) + dx, float(at[1]) + dy)
            for w in owned[ref]["wire"]:
                a, b = w.start.value, w.end.value
                w.start.value = [round(float(a[0]) + dx, 4), round(float(a[1]) + dy, 4)]
                w.end.value = [round(float(b[0]) + dx, 4), round(float(b[1]) + dy, 4)]
            for item in owned[ref]["label"] + owned[ref]["no_connect"] + owned[ref]["power"]:
                p = item.at.value
                item.move(round(float(p[0]) + dx, 4), round(float(p[1]) + dy, 4))
    return paper, titles

def _plan(order, blocks, boxes, symbols, ref_key, max_width, margin, gap, band_gap, title_h):
    """Blocks flow left to right in bands; in a block, symbols sit side by side with their origins
    on one line, so a row reads straight. Moves are whole grid steps, keeping pins on the grid."""
    x0, y0 = margin, margin + 5.08
    cursor_x, cursor_y, band_h = x0, y0, 0.0
    plan, used_w = [], 0.0
    for name in order:
        refs = sorted(blocks[name], key=ref_key)
        width = sum(boxes[r][2] - boxes[r][0] for r in refs) + gap * (len(refs) - 1)
        width = max(width, len(name) * 2.2)  # the title must fit too
        above = max(float(symbols[r].at.value[1]) - boxes[r][1] for r in refs)  # origin to top
        below = max(boxes[r][3] - float(symbols[r].at.value[1]) for r in refs)
        if cursor_x > x0 and cursor_x + width > x0 + max_width:
            cursor_x, cursor_y, band_h = x0, cursor_y + band_h + band_gap, 0.0
        origin_y = math.ceil((cursor_y + title_h + above) / GRID) * GRID
        x, moves = cursor_x, []
        for ref in refs:
            bx0, _, bx1, _ = boxes[ref]
            at = symbols[ref].at.value
            dx = math.ceil((x - bx0) / GRID) * GRID
            dy = origin_y - float(at[1])
            dy = round(dy / GRID) * GRID
            moves.append((ref, dx, dy))
            x = bx0 + dx + (bx1 - bx0) + gap
        plan.append((name, cursor_x, cursor_y, moves))
        used_w = max(used_w, x, cursor_x + width)
        cursor_x = max(x, cursor_x + width) + band_gap

        band_h = max(band_h, origin_y - cursor_y + below)
    return plan, used_w, cursor_y + band_h

def _postprocess(sch_path: Path, built: BuiltCircuit, work: Path, name: str) -> None:
    import skip

    tree = sexpr.parse(sch_path.read_text(encoding="utf-8"))
    _refresh_lib_symbols(tree, work)
    sch_path.write_text(sexpr.dump(tree) + "\n", encoding="utf-8")

    sch = skip.Schematic(str(sch_path))
    paper, titles = _layout(sch, built)
    p = built.params
    tb = sch.title_block
    tb.title.value = p.title
    tb.date.value = p.date
    tb.company.value = p.company
    comments = ["Generated by wattcad from examples/ade7816/data/board.yaml and examples/ade7816/circuit.py (SKiDL)",
                f"CT {p.ct_model}: burden {p.channels[0].burden_ohm:g} ohm, divider {p.divider_top_ohm:g}/{p.divider_bottom_ohm:g} ohm; "
                f"worst case <= {p.headroom:.0%} of {p.full_scale_v_peak} V peak",
                f"Interface: {p.interface.upper()} (solder jumpers JP1/JP2)", ""]
    for comment, text in zip(tb.comment, comments):
        comment.value = [comment.value[0], text]
    for s in sch.symbol:
        ref = str(s.property.Reference.value)
        if ref in built.mpn:
            prop = s.property.Datasheet.clone()
            prop.name = "MPN"
            prop.value = built.mpn[ref]
    sch.write(str(sch_path))

    # Revision, paper size and block titles: plain tree edits, then KiCad's own layout of the text.
    tree = sexpr.parse(sch_path.read_text(encoding="utf-8"))
    tb_node = sexpr.child(tree, "title_block")
    if sexpr.child(tb_node, "rev") is None:
        tb_node.insert(3, ["rev", sexpr.Quoted(p.revision)])
    sexpr.child(tree, "paper")[1] = sexpr.Quoted(paper)
    for node in sexpr.children(tree, "symbol"):
        for prop in sexpr.children(node, "property"):
            # Power symbols and flags show no reference, as KiCad draws them.
            if prop[1] == "Reference" and str(prop[2]).startswith("#"):
                effects = sexpr.child(prop, "effects")
                if effects is not None and sexpr.child(effects, "hide") is None:
                    effects.append(["hide", "yes"])
    for node in sexpr.children(tree, "symbol"):
        # Placed but not fitted (the I2C pull-ups of an SPI build): KiCad's own DNP flag, which the
        # netlist, the board and the BOM carry on.
        refs = [str(prop[2]) for prop in sexpr.children(node, "property") if prop[1] == "Reference"]
        if refs and refs[0] in built.dnp:
            dnp = sexpr.child(node, "dnp")
            if dnp is None:
                node.append(["dnp", "yes"])
            else:
                dnp[1] = "yes"
    sexpr.child(tree, "generator")[1] = sexpr.Quoted("wattcad")
    for text, x, y in titles:
        tree.append(["text", sexpr.Quoted(text), ["exclude_from_sim", "no"],
                     ["at", sexpr.fmt_mm(round(x / 1.27) * 1.27), sexpr.fmt_mm(round(y / 1.27) * 1.27), "0"],
                     ["effects", ["font", ["size", "2.54", "2.54"], ["thickness", "0.508"], "bold"], ["justify", "left", "bottom"]],
                     ["uuid", str(uuid.uuid5(UUID_NAMESPACE, f"{name}/block/{text}"))]])
    sch_path.write_text(sexpr.dump(tree) + "\n", encoding="utf-8")

# ------------------------------------------------------------------------------ project files
def _used_libraries(sch_path: Path) -> tuple[list[str], list[str]]:
    tree = sexpr.parse(sch_path.read_text(encoding="utf-8"))
    sym_libs, fp_libs = set(), set()
    for node in sexpr.children(tree, "symbol"):
        lib_id = sexpr.child(node, "lib_id")
        if lib_id is not None:
            sym_libs.add(str(lib_id[1]).split(":")[0])
        for prop in sexpr.children(node, "property"):
            if prop[1] == "Footprint" and ":" in str(prop[2]):
                fp_libs.add(str(prop[2]).split(":")[0])
    return sorted(sym_libs), sorted(fp_libs)

def _write_project_files(work: Path, name: str) -> None:
    sym_libs, fp_libs = _used_libraries(work / f"{name}.kicad_sch")
    rows = []
    for lib in sym_libs:
        uri = f"${{KIPRJMOD}}/{lib}.kicad_sym" if lib == SYMBOL_LIBRARY else f"${{KICAD9_SYMBOL_DIR}}/{lib}.kicad_sym"
        rows.append(f'  (lib (name "{lib}")(type "KiCad")(uri "{uri}")(options "")(descr ""))')
    (work / "sym-lib-table").write_text("(sym_lib_table\n  (version 7)\n" + "\n".join(rows) + "\n)\n", encoding="utf-8")
    rows = []
    for lib in fp_libs:
        uri = f"${{KIPRJMOD}}/{lib}.pretty" if lib == LIBRARY_NAME else f"${{KICAD9_FOOTPRINT_DIR}}/{lib}.pretty"
        rows.append(f'  (lib (name "{lib}")(type "KiCad")(uri "{uri}")(options "")(descr ""))')
    (work / "fp-lib-table").write_text("(fp_lib_table\n  (version 7)\n" + "\n".join(rows) + "\n)\n", encoding="utf-8")
    project = {"meta": {"filename": f"{name}.kicad_pro", "version": 3},
               "schematic": {"legacy_lib_dir": "", "legacy_lib_list": []},
               "sheets": [], "text_variables": {}}
    (work / f"{name}.kicad_pro").write_text(json.dumps(project, indent=2, sort_keys=True) + "\n", encoding="utf-8")

# ------------------------------------------------------------------------------ checks and exports
def load_waivers(path: Path = ERC_WAIVERS) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    waivers = data.get("waivers", [])
    for i, w in enumerate(waivers):
        for key in ("type", "reason"):
            if not w.get(key):
                raise InputError(path, f"waivers[{i}].{key}", "missing required key")
    return waivers

def _export(work: Path, name: str) -> None:
    sch = str(work / f"{name}.kicad_sch")
    steps = [
        ["sch", "export", "pdf", "--no-background-color", "-o", str(work / f"{name}-schematic.pdf"), sch],
        ["sch", "export", "svg", "--no-background-color", "-o", str(work / "svg"), sch],
        ["sch", "export", "bom", "-o", str(work / f"{name}-bom.csv"),
         "--fields", "Reference,Value,Footprint,MPN,${DNP},${QUANTITY}", "--labels", "Refs,Value,Footprint,MPN,DNP,Qty",
         "--group-by", "Value,Footprint,MPN,${DNP}", "--sort-field", "Reference", sch],
    ]
    for args in steps:
        run_kicad_cli(args, f"{' '.join(args[:3])} of {name}.kicad_sch", timeout_s=300)

def _normalise_timestamps(work: Path, date: str) -> None:
    """kicad-cli stamps PDFs and SVGs with the time of export; use the board's date instead so the
    outputs are reproducible (same length, so the PDF's cross-reference offsets stay valid)."""
    stamp = date.replace("-", "") + "000000"
    for pdf in work.glob("*.pdf"):
        data = re.sub(rb"/(CreationDate|ModDate) \(D:\d{14}", lambda m: b"/" + m.group(1) + b" (D:" + stamp.encode(), pdf.read_bytes())
        pdf.write_bytes(data)
    for svg in work.rglob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        svg.write_text(re.sub(r"date \d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}", "date " + date.replace("-", "/") + " 00:00:00", text),
                       encoding="utf-8")

def verify_circuit_footprints(work: Path, built: BuiltCircuit, name: str) -> list:
    """Every footprint the schematic names, loaded from the project's own tables, against the
    package spec of its part."""
    from wattcad.footprints.library import stock_footprint_dir
    from wattcad.footprints.model import read_kicad_mod
    from wattcad.footprints.spec import find_spec
    from wattcad.footprints.verify import verify_footprint

    tree = sexpr.parse((work / f"{name}.kicad_sch").read_text(encoding="utf-8"))
    reports = []
    for node in sexpr.children(tree, "symbol"):
        props = {str(p[1]): str(p[2]) for p in sexpr.children(node, "property")}
        ref, footprint = props.get("Reference", ""), props.get("Footprint", "")
        if ref.startswith("#") or ":" not in footprint:
            continue
        lib, _, fp_name = footprint.partition(":")
        lib_dir = work / f"{lib}.pretty" if lib == LIBRARY_NAME else stock_footprint_dir() / f"{lib}.pretty"
        fp = read_kicad_mod(lib_dir / f"{fp_name}.kicad_mod")
        fp.reference, fp.value = ref, props.get("Value", "")
        spec = find_spec(built.package[ref]) if ref in built.package else None
        reports.append(verify_footprint(fp, spec, subject=f"{name}.kicad_sch"))
    return reports

def generate_project(out_dir: str | Path, params_path: str | Path = BOARD_PARAMS,
                     parts_path: str | Path = PARTS_CATALOGUE) -> ProjectResult:
    """Build the KiCad project for the board into OUT_DIR, replacing it only when all is done."""
    params_path, parts_path = Path(params_path).resolve(), Path(parts_path).resolve()
    params = load_board_params(params_path)
    # Read the inputs here first: their errors name the file, before SKiDL runs in its process.
    PartsCatalogue(parts_path)
    load_pin_table(PIN_TABLE)
    out_dir = Path(out_dir).resolve()  # SKiDL runs in the scratch folder: paths must not be relative
    name = params.name
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        built = _run_skidl(params, Path(params_path), Path(parts_path), work, name)
        _fix_netlist_date(work / f"{name}.net", params.date)
        _postprocess(work / f"{name}.kicad_sch", built, work, name)
        write_library(list(builtin_specs()), work / "footprints")
        shutil.move(str(work / "footprints" / f"{LIBRARY_NAME}.pretty"), str(work / f"{LIBRARY_NAME}.pretty"))
        shutil.rmtree(work / "footprints")
        _write_project_files(work, name)
        erc = run_erc(work, name, load_waivers())
        write_atomic(work / f"{name}-erc.json", json.dumps(erc, indent=2, sort_keys=True) + "\n")
        if erc["errors"] or erc["unwaived_warnings"] or erc["library_issues"] or erc["missing_library_files"]:
            raise ErcFailed("ERC is not clean: " + "; ".join(
                (erc["library_issues"] + erc["missing_library_files"] + erc["errors"] + erc["unwaived_warnings"])[:8]))
        reports = verify_circuit_footprints(work, built, name)
        write_atomic(work / f"{name}-footprints.json",
                     json.dumps([r.to_json() for r in reports], indent=2, sort_keys=True) + "\n")
        failing = [r.summary() for r in reports if r.status in ("fail", "error")]
        if failing:
            raise ErcFailed("footprints do not match their parts: " + "; ".join(failing[:5]))
        _export(work, name)
        _normalise_timestamps(work, params.date)
        _replace_dir(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return ProjectResult(out_dir, out_dir / f"{name}.kicad_sch", out_dir / f"{name}.net", out_dir / f"{name}.kicad_pro",
                         out_dir / f"{name}-bom.csv", out_dir / f"{name}-schematic.pdf", erc, built)

def _replace_dir(new: Path, target: Path) -> None:
    """Swap a finished folder into place; the old one goes only once the new one is there."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

