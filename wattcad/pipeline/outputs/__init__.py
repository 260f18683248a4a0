"""What a build makes of each board: a registry of outputs (KiBot's `out_*` idea). An output is one
module that calls `register(Output(...))`; the built-in ones are imported here, and a package may add
its own through the `wattcad.outputs` entry point group (a module that registers when imported).
A project's wattcad.yaml `outputs:` names them, `wattcad build --help` lists them, and the index
page shows the pictures and files each declares."""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

from wattcad.pipeline.engine import SPECS, Outcome, Section, Step


@dataclass(frozen=True)
class Output:
    name: str
    title: str  # what the step does, on the console and in --help
    run: Callable[..., Outcome]  # run(pipeline, section)
    inputs: Callable[..., list[Path]] = lambda pipeline, section: []  # beyond the section's own files
    options: Callable[..., dict] = lambda pipeline, section: {}  # what else its result depends on
    after: tuple[str, ...] = ()  # outputs of the same section it reads, when they are made
    pictures: tuple[tuple[str, str], ...] = ()  # (path in the section's folder, caption) for the index
    files: tuple[tuple[str, str], ...] = ()  # (path, what it is); {name}: the project, {v}: the section
    default: bool = True  # made when wattcad.yaml does not list outputs
    module: str = field(default="", compare=False)  # where it was registered: a worker imports it


OUTPUTS: dict[str, Output] = {}


def register(output: Output) -> Output:
    """Adds OUTPUT to every build that asks for it; the module calling this is recorded, so a build's
    worker processes register it too."""
    module = output.module or getattr(output.run, "__module__", "")
    OUTPUTS[output.name] = Output(**{**output.__dict__, "module": module})
    return OUTPUTS[output.name]


BUILTIN = ("check", "fab", "enclosure", "render")


_declared: list[str] = []  # the modules imported for the registry, once a process (entry points scan metadata)


def load_outputs() -> dict[str, Output]:
    """The built-in outputs, then those other packages declare; the registry as it stands."""
    if not _declared:
        _declared.extend([f"{__name__}.{name}" for name in BUILTIN] + [ep.value for ep in entry_points(group="wattcad.outputs")])
        for module in _declared:
            importlib.import_module(module)
    return OUTPUTS


def output_names() -> tuple[str, ...]:
    return tuple(load_outputs())


def default_outputs() -> tuple[str, ...]:
    """What a build makes when wattcad.yaml does not say, in the registry's order."""
    return tuple(name for name, output in load_outputs().items() if output.default)


def output_steps(pipeline, section: Section) -> list[Step]:
    """The section's steps, one per output it asks for, each reading the section's files and SPECS."""
    load_outputs()
    steps = []
    for name in section.outputs:
        output = OUTPUTS[name]
        after = section.after + tuple(section.step_name(a) for a in output.after if a in section.outputs)

        def inputs(output=output):
            return [*section.inputs(), *SPECS, *output.inputs(pipeline, section)]

        steps.append(Step(section.step_name(name), f"{section.label}{output.title}", inputs,
                          lambda output=output: output.run(pipeline, section), output.options(pipeline, section),
                          after=after))
    return steps
