"""wattcad's KiCad adapters, for any project, in rooms by what they depend on
(tests/test_architecture.py holds it):
- schematic (never pcbnew): erc (ERC through kicad-cli), schematic_nets, netlist;
- board (pcbnew; never SKiDL): board_io, board_checks, boardmodel_reader, pcbnew_footprints,
  place_circle, route (with route_rules, route_zones);
- kicad-cli (neither): kicad_cli, the one way kicad-cli is run, and drc and fab through it;
  models3d, which shape draws each part (the board read as text), for kicad-cli's 3D exports;
- plugins (pcbnew's action plugins, their loader and the PCM package): plugins/, install, pcm.
The ADE7816 example's own generators (SKiDL circuit, symbol, board builder) are in examples/ade7816."""
