"""`wattcad build`'s last mile: a pipeline's steps run (wattcad.pipeline.runner), then its index page
and summary written."""
from __future__ import annotations

import time

from wattcad.core.errors import EXIT_MISMATCH, EXIT_OK
from wattcad.core.fileio import write_atomic
from wattcad.kicad.versions import kicad_release
from wattcad.pipeline.base import BasePipeline
from wattcad.pipeline.engine import summary_table
from wattcad.pipeline.index import index_html
from wattcad.pipeline.runner import Runner, default_jobs


def run_pipeline(pipeline: BasePipeline, jobs: int | None = None) -> int:
    started = time.perf_counter()
    steps = pipeline.steps()
    records = Runner(pipeline, steps, jobs or default_jobs()).run()
    index = write_atomic(pipeline.out / "index.html", index_html(pipeline, records))
    print(summary_table(records))
    print(f"\n[wattcad] built in {time.perf_counter() - started:.1f} s with KiCad {kicad_release() or '?'} "
          f"into {pipeline.out}/ — open {index}")
    for r in records:
        if r.status == "blocked":
            print(f"[wattcad] {r.step}: {r.detail}")
    return EXIT_MISMATCH if any(r.status == "fail" for r in records) else EXIT_OK


