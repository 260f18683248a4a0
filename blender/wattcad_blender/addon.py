"""The add-on's operator: the same import and materials as the render command (scene.py)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import bpy
from bpy.props import EnumProperty, StringProperty
from bpy_extras.io_utils import ImportHelper

from . import scene
from .kicad_export import ExportError, export_glb


def import_kicad_board(path: Path, enclosure_dir: Path | None = None, enclosure_style: str = "translucent") -> scene.Assembly:
    """A .kicad_pcb (exported to GLB by kicad-cli) or a .glb, into the current scene."""
    path = Path(path)
    if path.suffix.lower() == ".kicad_pcb":
        with tempfile.TemporaryDirectory() as tmp:
            models = path.parent / "3dmodels"
            glb = export_glb(path, Path(tmp) / f"{path.stem}.glb", models if models.is_dir() else None).path
            asm = scene.import_board(glb)
    elif path.suffix.lower() == ".glb":
        asm = scene.import_board(path)
    else:
        raise scene.SceneError(f"{path}: not a .kicad_pcb or .glb file")
    if enclosure_dir:
        scene.import_enclosure(asm, Path(enclosure_dir), enclosure_style)
    return asm


class ImportKicadBoard(bpy.types.Operator, ImportHelper):
    """Import a KiCad board with its 3D bodies and real-looking materials"""

    bl_idname = "import_scene.wattcad_kicad"
    bl_label = "Import KiCad board"
    bl_options = {"REGISTER", "UNDO"}

    filter_glob: StringProperty(default="*.kicad_pcb;*.glb", options={"HIDDEN"})
    enclosure_dir: StringProperty(name="Enclosure folder", description="wattcad enclosure output (base.stl, lid.stl, fit.json)",
                                  subtype="DIR_PATH", default="")
    enclosure_style: EnumProperty(name="Enclosure", items=[(s, s.title(), "") for s in scene.ENCLOSURE_STYLES],
                                  default="translucent")

    def execute(self, context):
        try:
            asm = import_kicad_board(Path(self.filepath), Path(self.enclosure_dir) if self.enclosure_dir else None,
                                     self.enclosure_style)
        except (scene.SceneError, ExportError) as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        self.report({"INFO"}, f"imported {Path(self.filepath).name}: {len(asm.parts)} parts")
        return {"FINISHED"}


def _menu(self, context):
    self.layout.operator(ImportKicadBoard.bl_idname, text="KiCad board (.kicad_pcb/.glb)")


def register():
    bpy.utils.register_class(ImportKicadBoard)
    bpy.types.TOPBAR_MT_file_import.append(_menu)


def unregister():
    bpy.types.TOPBAR_MT_file_import.remove(_menu)
    bpy.utils.unregister_class(ImportKicadBoard)
