"""The pcbnew action plugins as a KiCad Plugin and Content Manager (PCM) package: a zip for
Tools > Plugin and Content Manager > Install from File...

Layout (KiCad's add-on format, https://dev-docs.kicad.org/en/addons/):
    metadata.json            validated against KiCad's pcm.v1.schema.json
    plugins/__init__.py      kicad/plugins/pcm_init.py: finds wattcad, registers the plugins
    plugins/icons/*.png      the 24x24 toolbar icons (light and dark)
    plugins/ipc/             the IPC-API "Check board" action (kicad/ipc/): KiCad 10 finds its
                             plugin.json under 3rdparty/ and runs it in a venv of its own
    resources/icon.png       the 64x64 icon the PCM dialog shows
The PCM unpacks plugins/ into ${KICAD9_3RD_PARTY}/plugins/<identifier, dots as underscores>/ and
pcbnew imports that folder as a package. The package holds no wattcad code: wattcad itself is
installed with pip/pipx, so the plugins always run the installed version."""
from __future__ import annotations

import json
from pathlib import Path

import wattcad
from wattcad.core.errors import InputError
from wattcad.kicad.plugins import PLUGINS

IDENTIFIER = "io.github.wattcad.plugins"
KICAD_VERSION = "9.0"
KICAD_PCM_SCHEMA = Path("/usr/share/kicad/schemas/pcm.v1.schema.json")
PLUGINS_DIR = Path(__file__).resolve().parent / "plugins"
ICONS_DIR = PLUGINS_DIR / "icons"


def install_dir_name(identifier: str = IDENTIFIER) -> str:
    """The folder the PCM installs a plugin package's plugins/ into, under 3rdparty/plugins/."""
    return identifier.replace(".", "_")


def metadata(version: str = wattcad.__version__) -> dict:
    return {
        "$schema": "https://go.kicad.org/pcm/schemas/v1",
        "name": "wattcad action plugins",
        "description": "Verify footprints, place on a circle, check and route the board, from wattcad",
        "description_full": (
            "pcbnew action plugins from wattcad (KiCad projects checked, routed and placed as code):\n"
            "- Verify footprints: every footprint against its package spec, its name and IPC-7351B\n"
            "- Place on circle: the selected footprints on a circle, one undo step\n"
            "- Check board: ERC, DRC with parity, fabrication readiness, analog budget (`wattcad check`)\n"
            "- Route: the unrouted connections with wattcad's grid router (`wattcad route`)\n\n"
            "Needs wattcad itself, installed for KiCad's Python version (3.11 on Debian 12): "
            "`pipx install wattcad`, or set WATTCAD_PYTHON to the python of an environment where it is "
            "installed. The plugins find it at start-up; if they cannot, KiCad's plugin errors say how."),
        "identifier": IDENTIFIER,
        "type": "plugin",
        "author": {"name": "wattcad contributors", "contact": {}},
        "license": "MIT",
        "resources": {},
        "tags": ["footprints", "placement", "drc", "routing"],
        "versions": [{"version": version, "status": "stable", "kicad_version": KICAD_VERSION, "runtime": "swig",
                      "platforms": ["linux"]}],
    }


def schema_errors(data: dict, schema_path: Path = KICAD_PCM_SCHEMA) -> list[str]:
    """Where `data` breaks KiCad's PCM schema, one line each ('versions/0/version: ...'); [] if valid."""
    import jsonschema

    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)  # the schema's own $schema
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '(top level)'}: {e.message}" for e in validator.iter_errors(data))


def check_metadata(data: dict, schema_path: Path = KICAD_PCM_SCHEMA) -> None:
    """InputError naming the field and value KiCad would refuse; checked against KiCad's own schema
    where it is installed."""
    version = data["versions"][0]["version"]
    if not all(part.isdigit() for part in version.split(".")) or len(version.split(".")) > 3:
        raise InputError("wattcad/__init__.py", "__version__", "KiCad's PCM takes only major[.minor[.patch]] digits",
                         version)
    if Path(schema_path).is_file():
        errors = schema_errors(data, schema_path)
        if errors:
            raise InputError(schema_path, "metadata.json", "not valid: " + "; ".join(errors))


def pcm_entries() -> dict[str, bytes]:
    """Archive name -> content."""
    data = metadata()
    check_metadata(data)
    entries = {"metadata.json": (json.dumps(data, indent=2) + "\n").encode("utf-8"),
               "plugins/__init__.py": (PLUGINS_DIR / "pcm_init.py").read_bytes(),
               "resources/icon.png": (ICONS_DIR / "package.png").read_bytes()}
    for module, _cls in PLUGINS:
        for name in (f"{module}.png", f"{module}_dark.png"):
            entries[f"plugins/icons/{name}"] = (ICONS_DIR / name).read_bytes()
    entries.update({f"plugins/ipc/{name}": content for name, content in ipc_plugin_files().items()})
    return entries


IPC_DIR = Path(__file__).resolve().parent / "ipc"
IPC_IDENTIFIER = "io.github.wattcad.ipc"


def ipc_plugin_files() -> dict[str, bytes]:
    """The IPC-API plugin's files (name in its folder -> content): plugin.json, the action, its
    requirements, the locator it shares with the SWIG package (pcm_init.py, as wattcad_locator.py)
    and the icons plugin.json names."""
    files = {name: (IPC_DIR / name).read_bytes() for name in ("plugin.json", "check_board.py", "requirements.txt")}
    files["wattcad_locator.py"] = (PLUGINS_DIR / "pcm_init.py").read_bytes()
    action = json.loads(files["plugin.json"])["actions"][0]
    for icon in action["icons-light"] + action["icons-dark"]:
        files[icon] = (ICONS_DIR / Path(icon).name).read_bytes()
    return files


def build_pcm_zip(out: Path) -> Path:
    """Write the PCM package zip to `out`, atomically; fixed dates and sorted names (zip_bytes), so
    the same code zips to the same bytes."""
    from wattcad.core.fileio import write_atomic
    from wattcad.core.reproducible import zip_bytes

    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise InputError(out, "--zip", "the KiCad PCM package must be a .zip file", out.name)
    return write_atomic(out, zip_bytes(pcm_entries()))
