"""wattcad's Blender add-on: File › Import › KiCad board (.kicad_pcb through kicad-cli, or a GLB).
Install the folder (zipped) from Preferences › Add-ons › Install from Disk, or run
`wattcad plugin install --blender`. bpy is imported only when Blender registers the add-on, so the
pure modules here (views, kicad_export) import anywhere."""

bl_info = {
    "name": "wattcad: KiCad board import",
    "author": "wattcad",
    "version": (0, 1, 0),
    "blender": (4, 2, 0),
    "location": "File > Import > KiCad board (.kicad_pcb/.glb)",
    "description": "Imports a KiCad 9 board with real-looking materials (mask, ENIG pads, silkscreen, parts)",
    "category": "Import-Export",
}


def register():
    from . import addon

    addon.register()


def unregister():
    from . import addon

    addon.unregister()
