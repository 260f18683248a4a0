"""wattcad's KiCad adapters, in rooms by what they depend on (tests/test_architecture.py holds it):
- schematic (SKiDL, kicad-skip; never pcbnew): circuit, schematic, schematic_nets, skidl_run, symbol,
  netlist;
- board (pcbnew; never SKiDL): board, board_io, board_checks, boardmodel_reader, pcb_project,
  pcbnew_footprints, place_circle, route;
- kicad-cli (neither): kicad_cli, the one way kicad-cli is run, and drc and fab through it;
- plugins (pcbnew's action plugins, their loader and the PCM package): plugins/, install, pcm;
- data: params (board.yaml and parts.yaml through the parameter schema), data/, boards/."""
