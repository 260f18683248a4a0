"""A pipeline: the steps that make a project's sources (a generator's), then each section's outputs
(wattcad.pipeline.outputs), each step cached by what it reads. PIPELINES names each kind, so a
worker process makes the parent's pipeline again from its config."""
from __future__ import annotations

import importlib
from pathlib import Path

from wattcad.core.cache import BuildCache, StepRecord, content_hash
from wattcad.pipeline.engine import Outcome, Section, Step
from wattcad.pipeline.outputs import load_outputs, output_steps


class BasePipeline:
    """What every build shares. A pipeline has `config` (its own arguments, with "kind": a worker
    makes it again from them, see PIPELINES), `out`, `name`, `cache`, `code`, `final` and its
    sections; a generated project adds the steps that make its sources (`source_steps`)."""

    kind = ""
    out: Path
    name: str
    cache: BuildCache
    code: str
    final: bool = False

    def sections(self) -> list[Section]:
        raise NotImplementedError

    def source_steps(self) -> list[Step]:
        return []

    def index_extras(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """(heading, [(path in OUT, what it is)]) the index page adds for what source_steps make."""
        return []

    def base_config(self, **arguments) -> dict:
        """The config a worker makes this pipeline again from: its arguments, its kind, the module
        that registers the kind, and the modules that registered outputs."""
        modules = sorted({o.module for o in load_outputs().values()})
        return {"kind": self.kind, "module": type(self).__module__, "output_modules": modules,
                **{k: str(v) if isinstance(v, Path) else v for k, v in arguments.items()}}

    def steps(self) -> list[Step]:
        steps = self.source_steps()
        for section in self.sections():
            steps += output_steps(self, section)
        return steps

    def key(self, step: Step) -> str:
        return content_hash(step.inputs(), {"code": self.code, **step.options})

    def record(self, step: Step, outcome: Outcome, seconds: float, key: str | None = None) -> StepRecord:
        """KEY: the inputs' hash before the run; a step that updates its own inputs (the board) is
        hashed again after it, so the next run finds them as this one left them."""
        record = StepRecord(step.name, self.key(step) if step.updates_inputs or key is None else key,
                            sorted(str(Path(o).resolve().relative_to(self.out)) for o in outcome.outputs if o is not None),
                            outcome.status, outcome.detail, round(seconds, 1))
        self.cache.save(record)
        return record


# kind -> pipeline class, so a worker process makes the parent's pipeline again from its config.
PIPELINES: dict[str, type[BasePipeline]] = {}


def register_pipeline(cls: type[BasePipeline]) -> type[BasePipeline]:
    PIPELINES[cls.kind] = cls
    return cls


def make_pipeline(config: dict) -> BasePipeline:
    """A pipeline from its config (a worker's copy of the parent's); the module that defines its
    kind is imported first (a worker starts with none)."""
    args = dict(config)
    kind, module = args.pop("kind"), args.pop("module")
    importlib.import_module(module)
    for name in args.pop("output_modules", []):
        importlib.import_module(name)
    return PIPELINES[kind](**args)


