"""wattcad's pcbnew action plugins as KiCad's Plugin and Content Manager installs them: this file is
the package's plugins/__init__.py (kicad/pcm.py copies it), which KiCad imports from
3rdparty/plugins/io_github_wattcad_plugins/. It holds no wattcad code: it finds a wattcad
installation, puts it on KiCad's Python path and registers the plugins from there.

Where wattcad is looked for, first hit wins:
  1. already importable by KiCad's Python;
  2. $WATTCAD_PYTHON: the python of an environment wattcad is installed in;
  3. the `wattcad` command on PATH, then ~/.local/bin/wattcad (pipx): the interpreter its
     shebang names.
That interpreter must be KiCad's Python's major.minor (Debian's KiCad 9: 3.11): wattcad's compiled
dependencies (numpy, numba, OCP) would not load in another. Failing all, an ImportError says how to
install; KiCad lists it under Tools > External Plugins > plugin errors.

Only the standard library here: this runs before wattcad is found."""
from __future__ import annotations

import importlib
import json
import os
import re
import shlex
import shutil
import site
import subprocess
import sys
from pathlib import Path

ENV_VAR = "WATTCAD_PYTHON"
NOT_INSTALLED = ("wattcad is not installed: `pipx install wattcad` (Python {major}.{minor}) or set "
                 "WATTCAD_PYTHON to the python of an environment where wattcad is installed")
QUERY_TIMEOUT_S = 30
# Run by the found interpreter: its version, site folders and whether wattcad is there (find_spec
# does not import it).
QUERY = ("import importlib.util, json, sys, sysconfig; p = sysconfig.get_paths(); "
         "print(json.dumps({'version': list(sys.version_info[:2]), 'purelib': p['purelib'], 'platlib': p['platlib'], "
         "'wattcad': importlib.util.find_spec('wattcad') is not None}))")


def interpreter_from_script(script: Path) -> str | None:
    """The interpreter a pip/pipx console script runs, from its first lines; None if it has none."""
    try:
        with open(script, "rb") as fh:
            lines = fh.read(2048).decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    if not lines or not lines[0].startswith("#!"):
        return None
    try:
        words = shlex.split(lines[0][2:].strip())
        if words and Path(words[0]).name == "sh" and len(lines) > 1:
            # pip's form for a path too long for a shebang or holding spaces:
            #   #!/bin/sh
            #   '''exec' "/path/to/python" "$0" "$@"
            m = re.match(r"^'''exec' (.+?) \"\$0\" \"\$@\"", lines[1])
            return shlex.split(m.group(1))[0] if m else None
    except ValueError:  # unbalanced quotes: not a script of pip's
        return None
    if words and Path(words[0]).name == "env":  # #!/usr/bin/env python3.11
        names = [w for w in words[1:] if not w.startswith("-")]
        return shutil.which(names[0]) if names else None
    return words[0] if words else None


def candidates() -> list[tuple[str, str]]:
    """(interpreter, where it came from), in the order they are tried."""
    env = os.environ.get(ENV_VAR)
    if env:  # set: the user's choice, and the only one tried
        return [(env, f"{ENV_VAR}={env}")]
    found = []
    scripts = [shutil.which("wattcad"), str(Path.home() / ".local" / "bin" / "wattcad")]
    for script in dict.fromkeys(s for s in scripts if s and Path(s).is_file()):
        python = interpreter_from_script(Path(script))
        if python:
            found.append((python, f"the shebang of {script}"))
    return found


def query(python: str, origin: str) -> dict:
    """Ask `python` for its version and site folders; ImportError naming `origin` if it cannot answer."""
    if not (Path(python).is_file() and os.access(python, os.X_OK)):
        raise ImportError(f"{origin}: {python} is not an executable file")
    try:
        result = subprocess.run([python, "-c", QUERY], capture_output=True, text=True, timeout=QUERY_TIMEOUT_S,
                                env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")})
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ImportError(f"{origin}: cannot run {python} ({exc})") from None
    if result.returncode != 0:
        raise ImportError(f"{origin}: {python} failed: {result.stderr.strip()[-500:]}")
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise ImportError(f"{origin}: {python} did not answer like a Python: {result.stdout.strip()[-200:]!r}") from None


def first_usable(same_python: bool) -> tuple[str, str, dict]:
    """(interpreter, where it came from, its answers) of the first candidate with wattcad installed
    (SAME_PYTHON: and this Python's major.minor, to import wattcad here); ImportError saying how to
    install it, with why each candidate was passed over, when none is."""
    here = list(sys.version_info[:2])
    problems = []
    for python, origin in candidates():
        try:
            info = query(python, origin)
        except ImportError as exc:
            problems.append(str(exc))
            continue
        if same_python and info["version"] != here:
            problems.append(f"{origin}: {python} is Python {'.'.join(map(str, info['version']))}, but KiCad's Python "
                            f"is {'.'.join(map(str, here))}: wattcad's compiled dependencies would not load; install "
                            f"wattcad with a Python {'.'.join(map(str, here))}")
        elif not info["wattcad"]:
            problems.append(f"{origin}: wattcad is not installed for {python}")
        else:
            return python, origin, info
    hint = NOT_INSTALLED.format(major=here[0], minor=here[1])
    raise ImportError(hint + "".join(f"\n  - {p}" for p in problems))


def find_wattcad() -> str:
    """Make `import wattcad` work in this Python; returns where it was found."""
    try:
        import wattcad  # noqa: F401
        return "already importable"
    except ImportError:
        pass
    python, origin, info = first_usable(same_python=True)
    # addsitedir, not sys.path.append: it also reads the .pth files (editable installs). Then the
    # new entries go first: behind Debian's dist-packages, wattcad would get numpy 1.24, Pillow 9.
    before = list(sys.path)
    for folder in dict.fromkeys((info["purelib"], info["platlib"])):
        site.addsitedir(folder)
    added = [p for p in sys.path if p not in before]
    sys.path[:] = added + [p for p in sys.path if p not in added]
    importlib.invalidate_caches()
    import wattcad  # noqa: F401
    return f"{origin} ({python})"


# As the PCM package's __init__ only: not wattcad's own copy, nor the IPC plugin's (wattcad_locator.py, a top-level module).
if __package__ and __name__ != "wattcad.kicad.plugins.pcm_init":
    found_in = find_wattcad()
    from wattcad.kicad.plugins import register_all

    plugins = register_all(icon_dir=Path(__file__).resolve().parent / "icons")
