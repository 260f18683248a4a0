"""The board in pcbnew: from KiCad's netlist to a placed .kicad_pcb, or an update of a board a person
has already worked on, behaving like KiCad's "Update PCB from Schematic": new parts are added and
placed, removed parts are removed, changed values and footprints are updated; positions, tracks,
vias, zones and the outline a person made are kept."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from wattcad.ade7816.board_layout import PartGeom, Placed, boxes_overlap, layout, placed_box
from wattcad.ade7816.board_plan import BoardPlan, plan_board
from wattcad.core.errors import InputError
from wattcad.core.placement import natural_key
from wattcad.footprints.generate import LIBRARY_NAME
from wattcad.footprints.library import stock_footprint_dir
from wattcad.footprints.model import read_kicad_mod
from wattcad.footprints.module import module_geometry
from wattcad.footprints.spec import spec_for_part
from wattcad.kicad.board_io import load_board, save_board
from wattcad.kicad.netlist import Netlist
from wattcad.kicad.pcbnew_compat import footprint_field, pcbnew, set_zone_fills_allowed

AREA_PREFIX = "wattcad-"  # rule areas the build owns: redrawn from the parts on every build


def rules_text(routing: dict) -> str:
    """The board's .kicad_dru: rules beyond the net classes. The area rules name rule areas the build
    draws (`_add_rule_areas`); wattcad's router honours them and KiCad's DRC checks them."""
    clock = " && ".join(f"A.NetName != '{n}'" for n in routing["crystal_nets"])
    planes = "".join(f"""(rule "wattcad: no other net's track across the {n.strip('/')} plane"
  (layer B.Cu)
  (condition "A.NetName != '{n}' && A.intersectsArea('{n.strip('/')}')")
  (constraint disallow track))
""" for n in routing["whole_planes"])
    return f"""(version 1)
# wattcad design rules beyond the net classes; kicad-cli ignores a broken rules file silently, so the
# tests check that this one is really applied.
(rule "wattcad: analog clearance"
  (condition "A.NetClass == 'Analog' && B.NetClass != 'Analog' && !(A.Type == 'Pad' && B.Type == 'Pad')")
  (constraint clearance (min 0.25mm)))
(rule "wattcad: AGND/DGND plane separation"
  (layer B.Cu)
  (condition "A.Type == 'Zone' && B.Type == 'Zone' && A.NetName != B.NetName")
  (constraint clearance (min 0.5mm)))
(rule "wattcad: nothing but the clock between the crystal and the chip"
  (condition "{clock} && A.NetClass != 'Power' && A.intersectsArea('{AREA_PREFIX}crystal')")
  (constraint disallow track via))
(rule "wattcad: digital tracks off the analog area"
  (condition "A.NetClass == 'Default' && A.intersectsArea('{AREA_PREFIX}analog')")
  (constraint disallow track via))
(rule "wattcad: analog tracks off the digital plane"
  (condition "A.NetClass == '{routing["analog_class"]}' && A.intersectsArea('{AREA_PREFIX}digital')")
  (constraint disallow track via))
{planes}"""


@dataclass
class BoardChange:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    created: bool = False
    rerouted: str = ""  # what the re-route after a circuit change did

    @property
    def circuit_changed(self) -> bool:
        return not self.created and bool(self.added or self.removed or self.updated)

    def summary(self) -> str:
        if self.created:
            return f"new board: {len(self.added)} footprints placed"
        return (f"updated: {len(self.added)} added {self.added}, {len(self.removed)} removed {self.removed}, "
                f"{len(self.updated)} changed {self.updated}, {len(self.kept)} kept as they were") + \
            (f"; {self.rerouted}" if self.rerouted else "")


def _mm(v: float) -> int:
    return pcbnew.FromMM(v)


def _library_dir(lib: str, project_dir: Path) -> Path:
    return project_dir / f"{lib}.pretty" if lib == LIBRARY_NAME else stock_footprint_dir() / f"{lib}.pretty"


def part_geometry(ref: str, footprint: str, project_dir: Path) -> PartGeom:
    lib, _, name = footprint.partition(":")
    fp = read_kicad_mod(_library_dir(lib, project_dir) / f"{name}.kicad_mod")
    box = fp.layer_bbox(".CrtYd")
    pads = {}
    for p in fp.pads:
        if p.number and p.number not in pads:
            pads[p.number] = (p.x_mm, p.y_mm)
    if box is None:
        boxes = [p.bbox() for p in fp.pads] or [(-0.5, -0.5, 0.5, 0.5)]
        box = (min(b[0] for b in boxes) - 0.25, min(b[1] for b in boxes) - 0.25,
               max(b[2] for b in boxes) + 0.25, max(b[3] for b in boxes) + 0.25)
    return PartGeom(ref, box, pads)


def _load_footprint(footprint: str, project_dir: Path, field_where: str) -> pcbnew.FOOTPRINT:
    lib, _, name = footprint.partition(":")
    lib_dir = _library_dir(lib, project_dir)
    fp = pcbnew.FootprintLoad(str(lib_dir), name) if (lib_dir / f"{name}.kicad_mod").exists() else None
    if fp is None:
        raise InputError(None, field_where, f"footprint not found in {lib_dir}", footprint)
    fp.SetFPID(pcbnew.LIB_ID(lib, name))
    return fp


def _apply_rules(board, pcb: dict) -> None:
    ds = board.GetDesignSettings()
    r = pcb["rules"]
    ds.m_TrackMinWidth = _mm(r["min_track_mm"])
    ds.m_MinClearance = _mm(r["min_clearance_mm"])
    ds.m_MinThroughDrill = _mm(r["min_drill_mm"])
    ds.m_ViasMinSize = _mm(r["min_via_diameter_mm"])
    ds.m_ViasMinAnnularWidth = _mm(r["min_annular_ring_mm"])
    ds.m_HoleToHoleMin = _mm(r["min_hole_to_hole_mm"])
    ds.m_CopperEdgeClearance = _mm(r["min_copper_edge_clearance_mm"])
    ds.SetBoardThickness(_mm(pcb["thickness_mm"]))
    ns = ds.m_NetSettings
    ns.ClearNetclassPatternAssignments()
    for name, spec in sorted(pcb["netclasses"].items()):
        nc = ns.GetDefaultNetclass() if name == "Default" else pcbnew.NETCLASS(name)
        nc.SetTrackWidth(_mm(spec["track_mm"]))
        nc.SetClearance(_mm(spec["clearance_mm"]))
        nc.SetViaDiameter(_mm(spec["via_diameter_mm"]))
        nc.SetViaDrill(_mm(spec["via_drill_mm"]))
        if name != "Default":
            ns.SetNetclass(name, nc)
            for pattern in spec.get("nets", []):
                ns.SetNetclassPatternAssignment(pattern, name)


def _add_outline(board, plan) -> None:
    o = plan.outline
    width = _mm(0.1)
    if o.kind == "circle":
        s = pcbnew.PCB_SHAPE(board, pcbnew.SHAPE_T_CIRCLE)
        s.SetCenter(pcbnew.VECTOR2I(_mm(o.cx_mm), _mm(o.cy_mm)))
        s.SetEnd(pcbnew.VECTOR2I(_mm(o.cx_mm + o.radius_mm), _mm(o.cy_mm)))
        shapes = [s]
    else:
        x0, y0, x1, y1, r = o.x_mm, o.y_mm, o.x_mm + o.width_mm, o.y_mm + o.height_mm, o.corner_radius_mm
        shapes = []
        for (ax, ay), (bx, by) in (((x0 + r, y0), (x1 - r, y0)), ((x1, y0 + r), (x1, y1 - r)),
                                   ((x1 - r, y1), (x0 + r, y1)), ((x0, y1 - r), (x0, y0 + r))):
            s = pcbnew.PCB_SHAPE(board, pcbnew.SHAPE_T_SEGMENT)
            s.SetStart(pcbnew.VECTOR2I(_mm(ax), _mm(ay)))
            s.SetEnd(pcbnew.VECTOR2I(_mm(bx), _mm(by)))
            shapes.append(s)
        if r > 0:
            k = 1 - 1 / math.sqrt(2)
            for (sx, sy), (mx, my), (ex, ey) in (
                    ((x0, y0 + r), (x0 + r * k, y0 + r * k), (x0 + r, y0)),
                    ((x1 - r, y0), (x1 - r * k, y0 + r * k), (x1, y0 + r)),
                    ((x1, y1 - r), (x1 - r * k, y1 - r * k), (x1 - r, y1)),
                    ((x0 + r, y1), (x0 + r * k, y1 - r * k), (x0, y1 - r))):
                s = pcbnew.PCB_SHAPE(board, pcbnew.SHAPE_T_ARC)
                s.SetArcGeometry(pcbnew.VECTOR2I(_mm(sx), _mm(sy)), pcbnew.VECTOR2I(_mm(mx), _mm(my)),
                                 pcbnew.VECTOR2I(_mm(ex), _mm(ey)))
                shapes.append(s)
    for s in shapes:
        s.SetLayer(pcbnew.Edge_Cuts)
        s.SetWidth(width)
        board.Add(s)


def _add_ground_zones(board, plan, nets: dict, host_boxes: list) -> None:
    """AGND under the analog side, DGND under the digital side (the host module's area on the
    round board), both on the bottom layer; they meet only at the net tie."""
    o = plan.outline
    if o.kind == "rect" and host_boxes:
        # DGND under the host in the top right corner; AGND everywhere else, the CT jacks included
        # (a split at a fixed x put the last two jacks' signals over the digital plane).
        right, bottom = o.x_mm + o.width_mm, o.y_mm + o.height_mm
        hx0, hy1 = min(b[0] for b in host_boxes) - 1.5, max(b[3] for b in host_boxes) + 1.5
        areas = {"/AGND": [(o.x_mm, o.y_mm), (hx0 - 1.0, o.y_mm), (hx0 - 1.0, hy1 + 1.0), (right, hy1 + 1.0),
                           (right, bottom), (o.x_mm, bottom)],
                 "/DGND": [(hx0, o.y_mm), (right, o.y_mm), (right, hy1), (hx0, hy1)]}
    elif o.kind == "rect":
        split = o.x_mm + o.width_mm * 0.58
        areas = {"/AGND": [(o.x_mm, o.y_mm), (split, o.y_mm), (split, o.y_mm + o.height_mm), (o.x_mm, o.y_mm + o.height_mm)],
                 "/DGND": [(split + 1.0, o.y_mm), (o.x_mm + o.width_mm, o.y_mm), (o.x_mm + o.width_mm, o.y_mm + o.height_mm),
                           (split + 1.0, o.y_mm + o.height_mm)]}
    else:
        cx, cy, r = o.cx_mm, o.cy_mm, o.radius_mm
        if host_boxes:  # DGND under the host, from the edge it sits on; AGND around it
            x1 = max(b[2] for b in host_boxes) + 1.5
            y0, y1 = min(b[1] for b in host_boxes) - 1.5, max(b[3] for b in host_boxes) + 1.5
            areas = {"/AGND": [(cx - r, cy - r), (cx + r, cy - r), (cx + r, cy + r), (cx - r, cy + r), (cx - r, y1 + 1.0),
                               (x1 + 1.0, y1 + 1.0), (x1 + 1.0, y0 - 1.0), (cx - r, y0 - 1.0)],
                     "/DGND": [(cx - r, y0), (x1, y0), (x1, y1), (cx - r, y1)]}
        else:
            split = cy + 9.0
            areas = {"/AGND": [(cx - r, cy - r), (cx + r, cy - r), (cx + r, split), (cx - r, split)],
                     "/DGND": [(cx - r, split + 1.0), (cx + r, split + 1.0), (cx + r, cy + r), (cx - r, cy + r)]}
    for net_name, pts in areas.items():
        if net_name not in nets:
            continue
        zone = pcbnew.ZONE(board)
        zone.SetLayer(pcbnew.B_Cu)
        zone.SetNet(nets[net_name])
        zone.SetZoneName(net_name.strip("/"))
        zone.SetLocalClearance(_mm(0.3))
        zone.SetMinThickness(_mm(0.25))
        zone.SetThermalReliefGap(_mm(0.5))
        zone.SetThermalReliefSpokeWidth(_mm(0.5))
        if net_name == "/DGND":
            # The host's header pads sit 0.94 mm apart: thermal spokes between them end on slivers
            # the fill drops (KiCad: starved thermal). The small digital plane joins them solid.
            zone.SetPadConnection(pcbnew.ZONE_CONNECTION_FULL)
        outline = zone.Outline()
        outline.NewOutline()
        for x, y in pts:
            outline.Append(_mm(x), _mm(y))
        board.Add(zone)


def _add_rule_areas(board, routing: dict, geoms: dict) -> None:
    """The named areas of the routing rules, redrawn from where the parts are now: `crystal`, the
    hull of the centres of the clock pads of the parts on both clock nets (the crystal and the
    chip: the chip's other pins can still leave beside it); `digital`, the digital plane's outline;
    `analog`, the courtyard box (grown by a margin) of every part whose pads all carry analog or
    ground nets."""
    analog_nets = set(routing["ground_nets"])
    for fp in board.GetFootprints():
        for pad in fp.Pads():
            if str(pad.GetNetClassName()).split(",")[0] == routing["analog_class"]:
                analog_nets.add(pad.GetNetname())
    areas: list[tuple[str, list]] = []
    clock_centres = []
    grow = _mm(routing["analog_margin_mm"])
    for fp in sorted(board.GetFootprints(), key=lambda f: natural_key(f.GetReference())):
        pads = [p for p in fp.Pads() if p.GetAttribute() != pcbnew.PAD_ATTRIB_NPTH]
        on_clock = [p for p in pads if p.GetNetname() in routing["crystal_nets"]]
        if len({p.GetNetname() for p in on_clock}) == len(routing["crystal_nets"]):
            clock_centres += [(p.GetPosition().x, p.GetPosition().y) for p in on_clock]
        if pads and all(p.GetNetname() in analog_nets or not p.GetNetname() for p in pads) and \
                any(p.GetNetname() in analog_nets - set(routing["ground_nets"]) for p in pads):
            if fp.GetReference() not in geoms:
                continue
            # The courtyard box from wattcad's own reading of the footprint (pcbnew's GetCourtyard
            # hands back a shared_ptr SWIG cannot free, and SWIG's type table breaks after it).
            x0, y0, x1, y1 = (_mm(v) for v in placed_box(geoms[fp.GetReference()], _footprint_pose(fp)))
            x0, y0, x1, y1 = x0 - grow, y0 - grow, x1 + grow, y1 + grow
            areas.append(("analog", [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]))
    if clock_centres:
        areas.append(("crystal", _hull(clock_centres)))
    # The digital plane's outline on every copper layer: a rule's intersectsArea() only sees items on
    # the area's own layers, and the plane is on the bottom only.
    for z in board.Zones():
        if not z.GetIsRuleArea() and str(z.GetZoneName()) == routing["digital_plane"] and z.Outline().OutlineCount():
            ring = z.Outline().Outline(0)
            areas.append(("digital", [(ring.CPoint(i).x, ring.CPoint(i).y) for i in range(ring.PointCount())]))
    ours = [z for z in board.Zones() if z.GetIsRuleArea() and str(z.GetZoneName()).startswith(AREA_PREFIX)]
    have = sorted((str(z.GetZoneName())[len(AREA_PREFIX):], [(p.x, p.y) for p in
                   (z.Outline().Outline(0).CPoint(i) for i in range(z.Outline().Outline(0).PointCount()))]) for z in ours)
    if have == sorted((name, [(int(x), int(y)) for x, y in pts]) for name, pts in areas):
        return  # unchanged: the file stays byte for byte the same
    for z in ours:
        board.Delete(z)  # Delete, not Remove: a removed zone left to Python confuses SWIG's later lookups
    for name, pts in areas:
        zone = pcbnew.ZONE(board)
        zone.SetIsRuleArea(True)
        zone.SetDoNotAllowTracks(False)
        zone.SetDoNotAllowVias(False)
        zone.SetDoNotAllowPads(False)
        set_zone_fills_allowed(zone, True)
        zone.SetDoNotAllowFootprints(False)
        zone.SetLayerSet(pcbnew.LSET.AllCuMask())
        zone.SetZoneName(AREA_PREFIX + name)
        outline = zone.Outline()
        outline.NewOutline()
        for x, y in pts:
            outline.Append(int(x), int(y))
        board.Add(zone)


def _hull(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Convex hull (monotone chain), counter-clockwise, from the lowest-leftmost point."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _footprint_pose(fp) -> Placed:
    pos = fp.GetPosition()
    return Placed(pcbnew.ToMM(pos.x), pcbnew.ToMM(pos.y), fp.GetOrientation().AsDegrees() % 360.0)


def _set_pose(fp, pose: Placed) -> None:
    fp.SetPosition(pcbnew.VECTOR2I(_mm(pose.x_mm), _mm(pose.y_mm)))
    fp.SetOrientation(pcbnew.EDA_ANGLE(pose.angle_deg, pcbnew.DEGREES_T))


def _set_fields(fp, comp) -> None:
    fp.SetReference(comp.ref)
    fp.SetValue(comp.value)
    fp.SetPath(pcbnew.KIID_PATH(comp.path))
    # Attributes the symbol sets, so schematic parity finds nothing to report.
    fp.SetExcludedFromBOM("exclude_from_bom" in comp.properties)
    fp.SetDNP("dnp" in comp.properties)
    fp.SetBoardOnly(False)
    # The symbol's Datasheet and Description, as KiCad's Update PCB from Schematic copies them:
    # KiCad 10's parity reports a footprint whose fields differ from its symbol's.
    for name in ("Datasheet", "Description"):
        if name in comp.fields:
            fp.SetField(name, comp.fields[name])
    mpn = comp.fields.get("MPN")
    if mpn:
        fp.SetField("MPN", mpn)
        field_ = footprint_field(fp, "MPN")
        if field_ is not None:
            field_.SetVisible(False)
            field_.SetLayer(pcbnew.F_Fab)


def build_or_update_board(source: Path, netlist: Netlist, variant: str, pcb: dict, project_dir: Path,
                          params_path: Path | None = None) -> BoardChange:
    """Create SOURCE from the netlist, or bring an existing SOURCE up to date with it; SOURCE is
    backed up before it is overwritten, and written atomically. PARAMS_PATH: the board.yaml PCB
    came from, named in its errors."""
    change = BoardChange(created=not source.exists())
    before = b"" if change.created else source.read_bytes()
    board = _open_board(source, change.created, pcb)
    nets = _add_nets(board, netlist, change.created)
    on_board = _remove_parts_gone(board, netlist, change)
    geoms, plan, module_boxes = _plan(netlist, variant, pcb, project_dir, params_path)
    to_place, swapped = _update_footprints(board, netlist, on_board, project_dir, change)
    pin_net = netlist.pin_net()
    _connect_pads(board, on_board, pin_net, nets)
    _place_parts(on_board, to_place, swapped, geoms, pin_net, plan, pcb["placement"], change)
    _add_outline_and_areas(board, plan, nets, module_boxes, pcb["routing"], geoms)
    _save_filled(board, source, before, change)
    _write_rules(source, pcb["routing"])
    if change.created:
        # One update pass on the new board: it settles the zone fill in the state every later
        # update reproduces, so rebuilding an unchanged design leaves the file byte for byte alike.
        build_or_update_board(source, netlist, variant, pcb, project_dir, params_path)
        backup = source.with_name(source.name + ".bak")
        if backup.exists():
            backup.unlink()
    return change


def _open_board(source: Path, created: bool, pcb: dict):
    """SOURCE as it is, or a new board (saved to SOURCE at the end), with two layers and PCB's rules."""
    board = pcbnew.NewBoard(str(source.with_name(f".new-{source.name}"))) if created else load_board(source)
    board.SetCopperLayerCount(2)
    _apply_rules(board, pcb)
    return board


def _add_nets(board, netlist: Netlist, created: bool) -> dict:
    """Every net of the netlist on the board; name -> the board's net."""
    nets = {} if created else {n.GetNetname(): n for n in board.GetNetsByName().values()}
    for name in sorted(netlist.nets):
        if name not in nets:
            net = pcbnew.NETINFO_ITEM(board, name)
            board.Add(net)
            nets[name] = net
    return nets


def _remove_parts_gone(board, netlist: Netlist, change: BoardChange) -> dict:
    """Parts that came from the schematic (they carry a symbol path) and left it go; a person's own
    additions (logos, test points without a symbol) stay. Returns reference -> footprint left."""
    on_board = {fp.GetReference(): fp for fp in board.GetFootprints()}
    for ref, fp in sorted(on_board.items()):
        if ref not in netlist.components and str(fp.GetPath().AsString()).strip("/"):
            board.Remove(fp)
            change.removed.append(ref)
            del on_board[ref]
    return on_board


def _plan(netlist: Netlist, variant: str, pcb: dict, project_dir: Path,
          params_path: Path | None) -> tuple[dict[str, PartGeom], BoardPlan, list]:
    """Every part's courtyard and pads, where the plan fixes parts, and the boxes of the stacked
    modules it places (the digital plane goes under them)."""
    geoms = {ref: part_geometry(ref, comp.footprint, project_dir) for ref, comp in netlist.components.items()}
    openings, modules = {}, {}
    for ref, comp in netlist.components.items():
        spec = spec_for_part(comp.value, comp.footprint)
        if spec is not None and "opening" in spec.options:
            openings[ref] = spec.options["opening"]
        if spec is not None and "module" in spec.options:
            modules[ref] = module_geometry(spec).opening_reach_mm
    plan = plan_board(variant, pcb, geoms, openings, modules, params_path=params_path)
    return geoms, plan, [placed_box(geoms[r], plan.fixed[r]) for r in sorted(modules) if r in plan.fixed]


def _update_footprints(board, netlist: Netlist, on_board: dict, project_dir: Path,
                       change: BoardChange) -> tuple[list[str], list[str]]:
    """Add the netlist's new parts, swap changed footprints, set every part's fields; returns the
    parts to place and those whose footprint was swapped (they may no longer fit where they are)."""
    to_place, swapped = [], []
    for ref in sorted(netlist.components, key=natural_key):
        comp = netlist.components[ref]
        fp = on_board.get(ref)
        if fp is None:
            fp = _load_footprint(comp.footprint, project_dir, f"{ref} footprint")
            board.Add(fp)
            to_place.append(ref)
            change.added.append(ref)
        else:
            changes = []
            current = f"{fp.GetFPID().GetLibNickname()}:{fp.GetFPID().GetLibItemName()}"
            old_value = fp.GetValue()
            if current != comp.footprint:
                fp = _swap_footprint(board, fp, _load_footprint(comp.footprint, project_dir, f"{ref} footprint"))
                changes.append(f"{ref}: footprint {current} -> {comp.footprint}")
                if not fp.IsLocked():
                    swapped.append(ref)
            if old_value != comp.value:
                changes.append(f"{ref}: value {old_value} -> {comp.value}")
            if changes:
                change.updated += changes
            else:
                change.kept.append(ref)
        _set_fields(fp, comp)
        on_board[ref] = fp
    return to_place, swapped


def _swap_footprint(board, old, new):
    """NEW in OLD's place: its position, orientation, side and lock."""
    new.SetPosition(old.GetPosition())
    new.SetOrientation(old.GetOrientation())
    if old.IsFlipped():
        new.Flip(new.GetPosition(), pcbnew.FLIP_DIRECTION_TOP_BOTTOM)
    new.SetLocked(old.IsLocked())
    board.Remove(old)
    board.Add(new)
    return new


def _connect_pads(board, on_board: dict, pin_net: dict, nets: dict) -> None:
    for ref, fp in on_board.items():
        for pad in fp.Pads():
            net = pin_net.get((ref, pad.GetNumber()))
            pad.SetNet(nets[net] if net else nets.get("", board.FindNet(0)))


def _place_parts(on_board: dict, to_place: list[str], swapped: list[str], geoms: dict, pin_net: dict, plan,
                 placement: dict, change: BoardChange) -> None:
    """Place the new parts: the plan's fixed parts where it puts them (on an existing board, unless
    that spot is taken), the rest round them (`layout`)."""
    # A larger footprint in an old spot may now overlap its neighbours: unless a person locked it
    # there, it moves to the nearest free spot beside what it connects to.
    poses_now = {r: _footprint_pose(on_board[r]) for r in on_board if r in geoms and r not in to_place}
    for ref in swapped:
        others = {r: p for r, p in poses_now.items() if r != ref}
        if _collides_with(poses_now[ref], ref, others, geoms):
            to_place.append(ref)
            del poses_now[ref]
            change.updated.append(f"{ref}: moved, its new footprint did not fit where the old one was")
    if not to_place:
        return
    fixed = {r: _footprint_pose(on_board[r]) for r in on_board if r not in to_place}
    for ref in to_place:
        if ref in plan.fixed and (change.created or not _collides_with(plan.fixed[ref], ref, fixed, geoms)):
            fixed[ref] = plan.fixed[ref]
    result = layout(geoms, pin_net, plan.outline, fixed, plan.root, clearance_mm=placement["part_gap_mm"],
                    root_keepout_mm=placement["root_keepout_mm"])
    change.unplaced = result.unplaced
    for ref in to_place:
        if ref in result.poses:
            _set_pose(on_board[ref], result.poses[ref])


def _add_outline_and_areas(board, plan: BoardPlan, nets: dict, module_boxes: list, routing: dict, geoms: dict) -> None:
    """The outline and the ground planes, unless the board has its own (a person's are kept), and
    the routing rules' areas, redrawn from where the parts are now."""
    if not _has_outline(board):
        _add_outline(board, plan)
    if not any(not z.GetIsRuleArea() or not str(z.GetZoneName()).startswith(AREA_PREFIX) for z in board.Zones()):
        _add_ground_zones(board, plan, nets, module_boxes)
    _add_rule_areas(board, routing, geoms)


def _save_filled(board, source: Path, before: bytes, change: BoardChange) -> None:
    """Save BOARD to SOURCE (backing an existing one up), its zones filled."""
    save_board(board, source, backup=not change.created)
    # Fill the zones on the board as KiCad loads it: filled in the process that built it, the
    # fill misses the knock-outs around unplated holes.
    board = load_board(source)
    pcbnew.ZONE_FILLER(board).Fill(board.Zones())
    save_board(board, source, backup=False)
    if not change.created and not change.circuit_changed and _without_fills(source.read_bytes()) == _without_fills(before):
        # Nothing changed but the fill: KiCad's refill of the round board flips one vertex between
        # two states, which made every build see a new board. The user's file stays as it was.
        source.write_bytes(before)
    for stray in source.parent.glob(f".new-{source.stem}.*"):
        stray.unlink()


def _write_rules(source: Path, routing: dict) -> None:
    """The board's .kicad_dru beside it, written only when its text changes."""
    rules, text = source.with_suffix(".kicad_dru"), rules_text(routing)
    if not rules.exists() or rules.read_text() != text:
        rules.write_text(text)


def _without_fills(data: bytes) -> bytes:
    """A saved board without its zones' filled polygons (KiCad writes each as an indented
    `(filled_polygon` block closed by `)` at the same indent)."""
    kept, closing = [], None
    for line in data.splitlines(keepends=True):
        if closing is not None:
            if line.rstrip(b"\r\n") == closing:
                closing = None
            continue
        stripped = line.lstrip()
        if stripped.startswith(b"(filled_polygon") and not line.rstrip().endswith(b")" * 2):
            closing = line[:len(line) - len(stripped)] + b")"
            continue
        kept.append(line)
    return b"".join(kept)


def _collides_with(pose, ref, fixed, geoms) -> bool:
    box = placed_box(geoms[ref], pose)
    return any(boxes_overlap(box, placed_box(geoms[other], p)) for other, p in fixed.items() if other in geoms)


def _has_outline(board) -> bool:
    return any(d.GetLayer() == pcbnew.Edge_Cuts for d in board.GetDrawings())
