"""Read any KiCad 9 .kicad_pcb into a BoardModel, through pcbnew (thin adapter)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from wattcad.core.boardmodel import BoardModel, Body, Hole
from wattcad.footprints.module import barrel_geometry, module_geometry
from wattcad.footprints.spec import spec_for_part

from .board_io import current_format_copy, load_board, read_outline
from .models3d import DEFAULT_HEIGHT_MM, body_height, exemption  # noqa: F401 (this reader's names too)
from .pcbnew_compat import pcbnew
from .pcbnew_footprints import footprint_from_pcbnew


def read_board_model(path: str | Path, shapes: bool = False) -> BoardModel:
    return read_board_model_report(path, shapes)[0]


def read_board_model_report(path: str | Path, shapes: bool = False) -> tuple[BoardModel, list[str]]:
    """The board's BoardModel, and what a reader of a fit should know: how the outline was read, how
    many footprints with pads got a body (from the fab outline, else the courtyard, else the pads, with
    a default height), and which stand for none by kind (mounting holes, fiducials, net ties...).
    With SHAPES, each body also names the STEP that draws it (models3d: its own 3D model, else
    wattcad's body from its spec, else its box), by absolute path."""
    path = Path(path)
    board = load_board(path)
    outline, cutouts, outline_note = read_outline(board, path)
    to_mm = pcbnew.ToMM
    model = BoardModel(name=path.stem, thickness_mm=to_mm(board.GetDesignSettings().GetBoardThickness()),
                       outline=outline, cutouts=cutouts, source=str(path))
    with_pads, from_pads, exempt = 0, [], {}
    for fp in sorted(board.GetFootprints(), key=lambda f: f.GetReference()):
        ref = fp.GetReference()
        for pad in fp.Pads():
            drill = pad.GetDrillSize()
            if drill.x >= pcbnew.FromMM(2.5):
                pos = pad.GetPosition()
                model.holes.append(Hole(round(to_mm(pos.x), 4), round(to_mm(pos.y), 4), round(to_mm(drill.x), 4),
                                        pad.GetAttribute() == pcbnew.PAD_ATTRIB_PTH, ref))
        if not len(fp.Pads()):
            continue  # a logo, a drawing: no part
        with_pads += 1
        kind = exemption(str(fp.GetFPID().GetLibItemName()), fp.GetValue())
        if kind:
            exempt[kind] = exempt.get(kind, 0) + 1
            continue
        ours = footprint_from_pcbnew(fp)
        box = ours.layer_bbox(".Fab") or ours.layer_bbox(".CrtYd")
        if box is None:  # no drawing of its body: its copper stands for it
            pads = [p.bbox() for p in ours.copper_pads()] or [p.bbox() for p in ours.pads]
            box = (min(b[0] for b in pads), min(b[1] for b in pads), max(b[2] for b in pads), max(b[3] for b in pads))
            from_pads.append(ref)
        spec = spec_for_part(fp.GetValue(), str(fp.GetFPID().GetLibItemName()))
        tht = any(p.GetAttribute() == pcbnew.PAD_ATTRIB_PTH for p in fp.Pads())
        pos = fp.GetPosition()
        if spec is not None and "module" in spec.options:
            model.bodies += module_bodies(fp, spec)
            continue
        fab = ours.layer_bbox(".Fab")
        barrel = barrel_geometry(fab, spec) if spec is not None and fab is not None else None
        plug = {} if barrel is None else {"plug_diameter_mm": barrel.diameter_mm, "plug_z_mm": barrel.axis_mm,
                                          "plug_at_mm": (round(barrel.x_mm, 4), round(barrel.tip_y, 4))}
        model.bodies.append(Body(
            ref=ref, value=fp.GetValue(), footprint=f"{fp.GetFPID().GetLibNickname()}:{fp.GetFPID().GetLibItemName()}",
            x_mm=round(to_mm(pos.x), 4), y_mm=round(to_mm(pos.y), 4), rotation_deg=round(fp.GetOrientation().AsDegrees(), 4),
            side="bottom" if fp.IsFlipped() else "top", box_min_mm=(round(box[0], 4), round(box[1], 4)),
            box_max_mm=(round(box[2], 4), round(box[3], 4)), height_mm=body_height(spec, tht, str(fp.GetFPID().GetLibItemName())),
            package=spec.name if spec else "", opening=(spec.options.get("opening", "") if spec else ""), **plug))
    if shapes:
        model.bodies = with_shapes(path, model.bodies)
    notes = [outline_note] if outline_note else []
    bodied = with_pads - sum(exempt.values())
    notes.append(f"bodies for {bodied} of the {with_pads} footprints with pads"
                 + (f" ({len(from_pads)} from their pads, {DEFAULT_HEIGHT_MM['smd']:g} mm SMD / "
                    f"{DEFAULT_HEIGHT_MM['through_hole']:g} mm through-hole high: {', '.join(from_pads[:8])})" if from_pads else "")
                 + (f"; none for {', '.join(f'{n} {k}' for k, n in sorted(exempt.items()))}" if exempt else ""))
    return model, notes


STEP_SUFFIXES = (".step", ".stp")


def kicad_text(board: Path, scratch: Path) -> Path | None:
    """None when wattcad's own reader reads BOARD; else KiCad's copy of it in SCRATCH (a stray
    expression KiCad tolerates, as on KiCad's RoyalBlue54L demo)."""
    from wattcad.core.errors import InputError

    from .models3d import read_board

    try:
        read_board(board)
        return None
    except InputError:
        return current_format_copy(board, scratch)[0]


def with_shapes(board: Path, bodies: list[Body]) -> list[Body]:
    """BODIES with the STEP that draws each (models3d's choice, drawn into its cache where needed).
    A module's own body takes its footprint's shape; its headers and connector stay boxes. A part
    whose model is not a STEP (a VRML) is fitted as its box, and says so by `drawn`."""
    import tempfile

    from .models3d import resolve_shapes

    with tempfile.TemporaryDirectory(prefix="wattcad-shapes-") as scratch:
        by_ref = {s.ref: s for s in resolve_shapes(board, draw=True, text_path=kicad_text(board, Path(scratch)))}
    out = []
    for body in bodies:
        shape = by_ref.get(body.ref)
        pick = next(((f, t) for f, t in zip(shape.files, shape.transforms) if Path(f).suffix.lower() in STEP_SUFFIXES),
                    None) if shape is not None else None
        if pick is None:
            out.append(body)
            continue
        file, t = pick
        out.append(replace(body, drawn=shape.drawn, shape=file, shape_offset_mm=t.offset_mm,
                           shape_rotation_deg=t.rotation_deg, shape_scale=t.scale))
    return out


def module_bodies(fp, spec) -> list[Body]:
    """A module stacked on its footprint (a spec with a `module` option, e.g. a Feather): the headers
    it stands on, its board with parts (role "module", named by the footprint's value) and its USB
    connector, all from its spec, in the footprint's frame (pin 1 at the origin of the spec's frame)."""
    geo = module_geometry(spec)
    pad1 = next((p for p in fp.Pads() if p.GetNumber() == spec.pins[0].number), None)
    shift = (0.0, 0.0)
    if pad1 is not None:  # the footprint's origin may not be pin 1
        rel = pad1.GetFPRelativePosition()
        shift = (pcbnew.ToMM(rel.x) - spec.pins[0].x_mm, pcbnew.ToMM(rel.y) - spec.pins[0].y_mm)
    pos = fp.GetPosition()
    footprint = f"{fp.GetFPID().GetLibNickname()}:{fp.GetFPID().GetLibItemName()}"
    side = "bottom" if fp.IsFlipped() else "top"

    def body(ref: str, value: str, box, height: float, stand: float = 0.0, opening: str = "", name: str = "",
             role: str = "") -> Body:
        x0, y0, x1, y1 = box
        return Body(ref=ref, value=value, footprint=name, x_mm=round(pcbnew.ToMM(pos.x), 4), y_mm=round(pcbnew.ToMM(pos.y), 4),
                    rotation_deg=round(fp.GetOrientation().AsDegrees(), 4), side=side,
                    box_min_mm=(round(x0 + shift[0], 4), round(y0 + shift[1], 4)),
                    box_max_mm=(round(x1 + shift[0], 4), round(y1 + shift[1], 4)), height_mm=height, package=spec.name,
                    opening=opening, stands_off_mm=stand, role=role)

    ref = fp.GetReference()
    bodies = [body(f"{ref}-H{i}", "female header", row, geo.header_height_mm) for i, row in enumerate(geo.header_rows, 1)]
    bodies.append(body(ref, fp.GetValue(), geo.board, geo.pcb_mm + geo.parts_mm, geo.stand_off_mm, name=footprint,
                       role="module"))
    bodies.append(body(f"{ref}-USB", "USB", geo.usb, geo.usb_height_mm, geo.stand_off_mm + geo.pcb_mm, geo.opening))
    return bodies
