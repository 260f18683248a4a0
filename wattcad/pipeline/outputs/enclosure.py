"""The enclosure output: a CadQuery enclosure around the board (and the parametric FreeCAD document
when asked), with its fit check."""
from __future__ import annotations

from wattcad.pipeline.engine import Outcome
from wattcad.pipeline.outputs import Output, register


def parameters_file(section):
    """The enclosure parameters the section asks for: its parameters file, or wattcad.yaml's values
    with that file over them, merged into one file in the section's folder; None: wattcad's defaults."""
    from wattcad.core.fileio import read_yaml_mapping, write_atomic
    from wattcad.enclosure.params import load_params

    if section.enclosure_params:
        load_params(section.enclosure_params)  # a bad value is named in the user's own file, not the merged one
    if not section.enclosure_overrides:
        return section.enclosure_params
    import yaml

    merged = {**section.enclosure_overrides,
              **(read_yaml_mapping(section.enclosure_params, "enclosure parameters") if section.enclosure_params else {})}
    return write_atomic(section.dir / "enclosure-params.yaml", yaml.safe_dump(merged, sort_keys=True))


def run(pipeline, section) -> Outcome:
    from wattcad.enclosure_job import build_enclosure

    params = parameters_file(section)
    e = build_enclosure(section.enclosure_board or section.board, section.dir / "enclosure", params, freecad=section.freecad)
    made = [*e.files, *([params] if params is not None and params.is_relative_to(section.dir) else [])]
    return Outcome(made, "pass" if e.fit["fits"] else "fail",
                   f"{'fits' if e.fit['fits'] else 'DOES NOT FIT'}, clearance {e.fit['min_clearance_mm']} mm")


register(Output("enclosure", "enclosure (CadQuery, FreeCAD when asked) and fit check", run,
                inputs=lambda pipeline, section: [section.enclosure_params] if section.enclosure_params else [],
                options=lambda pipeline, section: {"freecad": section.freecad, "enclosure": section.enclosure_overrides},
                pictures=(("enclosure/enclosure-iso.png", "Enclosure (CadQuery)"),),
                files=(("enclosure/base.step", "enclosure base STEP"), ("enclosure/lid.step", "enclosure lid STEP"),
                       ("enclosure/base.stl", "base STL (print)"), ("enclosure/lid.stl", "lid STL (print)"),
                       ("enclosure/enclosure.FCStd", "FreeCAD document (parametric)"), ("enclosure/fit.json", "fit check"))))
