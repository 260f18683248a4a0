"""wattcad's core: the pure logic every front end shares — errors and exit codes, atomic and
reproducible files, the BoardModel contract, placement, board-plan and routing math, the build
cache, parameter schemas, the analog budget. No module here imports a host application (pcbnew,
SKiDL, CadQuery, FreeCAD, bpy), not even lazily: tests/test_architecture.py holds that."""
