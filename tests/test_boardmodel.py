"""The BoardModel contract, one file read by three hosts: plain Python (wattcad), Blender's Python
(the add-on as it is shipped) and FreeCAD's Python (build_fcstd.py). Each refuses a bad
boardmodel.json naming the file and the field, and each reads the same model back to the same JSON."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO
from wattcad.core.boardmodel import (
    CONTRACT_FILE,
    SCHEMA,
    VERSION,
    BoardModel,
    BoardModelError,
    Body,
    Hole,
    load,
)
from wattcad.core.errors import InputError

FREECAD_SCRIPT = REPO / "freecad" / "build_fcstd.py"


def sample() -> BoardModel:
    """Every kind of field: a cut-out, a plated hole, a bottom part, a connector and a stacked module."""
    module = Body(ref="A1", value="Some_Host_Module", footprint="Module:Some_Host", x_mm=70.0, y_mm=20.0, rotation_deg=90.0,
                  side="top", box_min_mm=(-1.27, -1.27), box_max_mm=(21.59, 49.53), height_mm=4.8, package="module-x",
                  stands_off_mm=8.5, role="module")
    jack = Body(ref="J1", value="SJ1-3533NG", footprint="x:jack", x_mm=30.0, y_mm=34.8, rotation_deg=180.0, side="top",
                box_min_mm=(-4.0, -5.2), box_max_mm=(4.2, 12.8), height_mm=6.1, opening="-y")
    cap = Body(ref="C9", value="470u", footprint="x:cap", x_mm=20.0, y_mm=20.0, rotation_deg=0.0, side="bottom",
               box_min_mm=(-4.0, -4.0), box_max_mm=(4.0, 4.0), height_mm=7.5)
    return BoardModel(name="sample", thickness_mm=1.6, outline=[(0.0, 0.0), (100.0, 0.0), (100.0, 40.0), (0.0, 40.0)],
                      cutouts=[[(40.0, 10.0), (50.0, 10.0), (50.0, 20.0)]],
                      holes=[Hole(4.0, 4.0, 3.2, ref="H1"), Hole(96.0, 4.0, 3.2, plated=True, ref="H2")],
                      bodies=[module, jack, cap], source="/somewhere/sample.kicad_pcb")


def _edited(change) -> str:
    data = json.loads(sample().to_json())
    change(data)
    return json.dumps(data)


# (what is wrong, the field the refusal must name, the edit that breaks the file)
BAD = [
    ("wrong schema", "schema", lambda d: d.update(schema="kicad.board")),
    ("the last version", "version", lambda d: d.update(version=1)),
    ("missing field", "bodies[1].height_mm", lambda d: d["bodies"][1].pop("height_mm")),
    ("missing top-level field", "thickness_mm", lambda d: d.pop("thickness_mm")),
    ("a number as text", "holes[0].diameter_mm", lambda d: d["holes"][0].update(diameter_mm="3.2")),
    ("a point of one number", "outline[2]", lambda d: d["outline"].__setitem__(2, [1.0])),
    ("an unknown role", "bodies[0].role", lambda d: d["bodies"][0].update(role="feather")),
    ("a misspelt field", "bodies[2].heigth_mm", lambda d: d["bodies"][2].update(heigth_mm=1.0)),
]


def test_the_model_round_trips_and_carries_the_module_as_data():
    model = sample()
    text = model.to_json()
    data = json.loads(text)
    assert data["schema"] == SCHEMA and data["version"] == VERSION == 3 and data["source"] == "sample.kicad_pcb"
    again = BoardModel.from_json(text)
    assert again.to_json() == text
    assert again.bodies == model.bodies and again.holes == model.holes and again.outline == model.outline
    assert again.body("A1").role == "module" and again.body("J1").role == ""
    assert again.body("J1").opening_axis()[1] == pytest.approx((0.0, 1.0), abs=1e-9)


@pytest.mark.parametrize("what, field, change", BAD, ids=[b[0] for b in BAD])
def test_a_bad_model_is_refused_naming_file_and_field(tmp_path, what, field, change):
    path = tmp_path / "boardmodel.json"
    path.write_text(_edited(change))
    with pytest.raises(BoardModelError) as info:
        BoardModel.from_json(path.read_text(), path)
    assert info.value.path == str(path) and info.value.field == field, what
    assert f"{path}: {field}:" in str(info.value)
    # wattcad's own reader: the same refusal as the InputError every front end exits 2 on.
    with pytest.raises(InputError) as info:
        load(path)
    assert info.value.field == field and f"{path}: {field}:" in str(info.value)


def test_not_json_and_no_file_are_named(tmp_path):
    path = tmp_path / "boardmodel.json"
    path.write_text("{not json")
    with pytest.raises(InputError, match=f"^{path}: not JSON"):
        load(path)
    with pytest.raises(InputError, match=f"^{tmp_path / 'absent.json'}: cannot read"):
        load(tmp_path / "absent.json")


# --- the other hosts: the same reader script in Blender's and FreeCAD's Python ---------------------

# argv: the folder to import from, the good file, the bad files. IMPORT binds `bm`, the contract module.
READER = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
IMPORT
out = {"file": bm.__file__, "good": bm.read(sys.argv[2]).to_json(), "bad": []}
for bad in sys.argv[3:]:
    try:
        bm.read(bad)
    except bm.BoardModelError as exc:
        out["bad"].append({"field": exc.field, "text": str(exc)})
AFTER
print("RESULT" + json.dumps(out))
"""


def _read_in(python: str, folder: Path, tmp_path: Path, imports: str, after: str = "", env=None) -> dict:
    """Run READER in another Python; check it read the good file to the same JSON and refused each
    bad one naming the file and the field; return what it said."""
    good = tmp_path / "good.json"
    good.write_text(sample().to_json())
    bad = [tmp_path / f"bad-{i}.json" for i in range(len(BAD))]
    for path, (_, _, change) in zip(bad, BAD):
        path.write_text(_edited(change))
    script = tmp_path / "read.py"
    script.write_text(READER.replace("IMPORT", imports).replace("AFTER", after))
    proc = subprocess.run([python, str(script), str(folder), str(good), *map(str, bad)], capture_output=True,
                          text=True, timeout=300, env=env, cwd=tmp_path, check=False)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")), None)
    assert line, proc.stderr[-2000:]
    out = json.loads(line[len("RESULT"):])
    assert out["good"] == good.read_text()
    assert [b["field"] for b in out["bad"]] == [field for _, field, _ in BAD]
    assert all(f"{path}: {b['field']}:" in b["text"] for path, b in zip(bad, out["bad"]))
    return out


@pytest.mark.blender
def test_blender_reads_the_same_model_and_refuses_bad_ones(tmp_path):
    """The module as the add-on ships it (the zip, unpacked), in Blender's Python."""
    from wattcad.blender_addon import extension_zip_bytes
    from wattcad.render_job import find_blender

    command = find_blender()
    if command[1:] != ["-c"]:
        pytest.fail(f"this test drives Blender as a Python module (bpy); found {command[0]}", pytrace=False)
    shipped = tmp_path / "addon"
    zipfile.ZipFile(io.BytesIO(extension_zip_bytes())).extractall(shipped)
    # bpy from the scene on: its own reader turns the refusal into its SceneError.
    after = ("from wattcad_blender import scene\ntry:\n    scene.read_board_model(sys.argv[3])\n"
             "except scene.SceneError as exc:\n    out['scene'] = str(exc)")
    out = _read_in(command[0], shipped, tmp_path, "from wattcad_blender import boardmodel as bm", after)
    assert out["file"].startswith(str(shipped))  # the zip's copy, not the checkout's
    assert out["scene"].startswith(f"{tmp_path / 'bad-0.json'}: schema:")


@pytest.mark.freecad
def test_freecad_reads_the_same_model_from_the_same_file(tmp_path):
    """build_fcstd.py's loader in FreeCAD's Python (the system python3), without the runner's
    variable: the contract found beside the script, as when FreeCAD runs it as a macro."""
    from wattcad.enclosure.freecad_job import FREECAD_PYTHON

    out = _read_in(FREECAD_PYTHON, FREECAD_SCRIPT.parent, tmp_path,
                   "import build_fcstd  # imports FreeCAD\nbm = build_fcstd.boardmodel_module()",
                   env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert Path(out["file"]).resolve() == CONTRACT_FILE.resolve()  # one source file, not a copy


@pytest.mark.freecad
@pytest.mark.parametrize("field, change", [("boardmodel.schema", lambda d: d.update(schema="x")),
                                           ("boardmodel.bodies[1].height_mm", lambda d: d["bodies"][1].pop("height_mm"))])
def test_freecad_job_with_a_bad_model_exits_2_naming_file_and_field(tmp_path, field, change):
    """The real job runner (wattcad's run_freecad): FreeCAD refuses before building anything, and
    wattcad reports it as bad input, naming the job file and the field."""
    from wattcad.enclosure.freecad_job import run_freecad

    data = json.loads(sample().to_json())
    change(data)
    job = tmp_path / "freecad-job.json"
    job.write_text(json.dumps({"boardmodel": data, "params": {}, "plan": {}, "assembly_step": "board-assembly.step",
                               "out": "enclosure.FCStd"}))
    with pytest.raises(InputError) as info:
        run_freecad([str(job)])
    assert f"{job}: {field}:" in str(info.value)
    assert not (tmp_path / "enclosure.FCStd").exists()


def test_the_contract_is_one_stdlib_file_owned_by_the_core_and_copied_into_the_addon():
    """The core owns it; the add-on zip carries it byte for byte; it imports nothing outside the
    standard library."""
    import ast

    from wattcad.blender_addon import extension_zip_bytes

    assert CONTRACT_FILE == REPO / "wattcad" / "core" / "boardmodel_contract.py"
    assert not (REPO / "blender" / "wattcad_blender" / "boardmodel.py").exists()  # one source
    packaged = zipfile.ZipFile(io.BytesIO(extension_zip_bytes()))
    assert packaged.read("wattcad_blender/boardmodel.py") == CONTRACT_FILE.read_bytes()
    tree = ast.parse(CONTRACT_FILE.read_text())
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
