"""`wattcad plugin install`: the pcbnew action plugins, KiCad's PCM package, the Blender add-on."""
from __future__ import annotations

from pathlib import Path

from wattcad.core.errors import EXIT_OK, InputError


def cmd_plugin_install(args) -> int:
    dest = Path(args.dest) if args.dest else None
    if args.blender:
        from wattcad.blender_addon import install_blender_addon, zip_blender_addon

        print(zip_blender_addon(Path(args.zip)) if args.zip else install_blender_addon(dest))
        return EXIT_OK
    if args.kicad_pcm:
        if not args.zip:
            raise InputError(None, "--kicad-pcm", "give the package file to write: --zip FILE.zip")
        from wattcad.kicad.pcm import build_pcm_zip

        print(build_pcm_zip(Path(args.zip)))
        return EXIT_OK
    if args.zip:
        raise InputError(None, "--zip", "only with --blender or --kicad-pcm", args.zip)
    if args.kicad_ipc:
        from wattcad.kicad.install import install_ipc_plugin

        for path in install_ipc_plugin(dest):
            print(path)
        return EXIT_OK
    from wattcad.kicad.install import install_plugins

    for path in install_plugins(dest):
        print(path)
    return EXIT_OK


def add(sub) -> None:
    pl = sub.add_parser("plugin", help="KiCad action plugins and the Blender add-on")
    plsub = pl.add_subparsers(dest="plugin_command", required=True)
    pi = plsub.add_parser("install", help="install the pcbnew action plugins into the installed KiCad's plugin folder")
    pi.add_argument("--dest", help="plugin folder (default: ~/.local/share/kicad/<KiCad's major>.0/scripting/plugins, "
                                   "with --blender ~/.config/blender/5.0/scripts/addons)")
    target = pi.add_mutually_exclusive_group()
    target.add_argument("--blender", action="store_true", help="install the Blender add-on (File › Import › KiCad board) instead")
    target.add_argument("--kicad-pcm", action="store_true",
                        help="with --zip: write the pcbnew plugins as a KiCad Plugin and Content Manager package, for "
                             "Tools › Plugin and Content Manager › Install from File (it finds wattcad via "
                             "import, $WATTCAD_PYTHON, or the `wattcad` command's interpreter on PATH or ~/.local/bin)")
    target.add_argument("--kicad-ipc", action="store_true",
                        help="install the IPC-API \"Check board\" plugin (KiCad 10+; KiCad 11 drops the SWIG plugins) into "
                             "~/.local/share/kicad/10.0/plugins/ (or --dest); turn on Preferences › Plugins › Enable "
                             "KiCad API; KiCad installs its kicad-python into a venv of the plugin's own")
    pi.add_argument("--zip", metavar="FILE.zip", help="with --blender: write the add-on as a zip for Install from Disk; "
                                                      "with --kicad-pcm: write the PCM package")
    pi.set_defaults(func=cmd_plugin_install)
