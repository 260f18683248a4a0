"""Runs a pipeline's steps in order of their `after`, up to `jobs` at once in worker processes, each
when what it reads is made; cached steps are decided in the parent. Ctrl-C (SIGINT) and SIGTERM stop
a build at once: every worker and the tools it started (kicad-cli, Blender, FreeCAD) are killed,
steps that finished stay cached, and the build ends with Interrupted (exit 130 or 143). A worker
never outlives its build, even one killed with SIGKILL (wattcad.core.processes)."""
from __future__ import annotations

import os
import signal
import time
import traceback

from wattcad.core.cache import StepRecord
from wattcad.core.errors import Interrupted, WattcadError
from wattcad.core.processes import die_with_parent, interrupts_raise
from wattcad.pipeline.base import BasePipeline, make_pipeline
from wattcad.pipeline.engine import Outcome, Step, say


def worker_init(parent_pid: int) -> None:
    """A worker leads a process group of its own (the tools it starts join it, so the parent stops
    them all with one kill), ignores the terminal's Ctrl-C (the parent decides) and dies with the parent."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent_pid)


def run_in_worker(config: dict, step_name: str) -> tuple[Outcome | None, float, str | None, int]:
    """One step in a worker process: the same pipeline made again from its config. A failure comes
    back as text and an exit code (an exception of the worker may not cross the process boundary)."""
    started = time.perf_counter()
    try:
        pipeline = make_pipeline(config)
        step = next(s for s in pipeline.steps() if s.name == step_name)
        return step.run(), time.perf_counter() - started, None, 0
    except WattcadError as exc:
        return None, time.perf_counter() - started, str(exc), exc.exit_code
    except BaseException:  # noqa: BLE001 - reported whole in the parent, which stops the build
        return None, time.perf_counter() - started, traceback.format_exc(), -1


class StepFailed(WattcadError):
    """A step raised in a worker: its message, with the exit code it would have had in one process."""

    def __init__(self, step: str, message: str, exit_code: int):
        super().__init__(f"{step}: {message}")
        self.exit_code = exit_code if exit_code > 0 else 1


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class Runner:
    def __init__(self, pipeline: BasePipeline, steps: list[Step], jobs: int):
        self.pipeline, self.steps, self.jobs = pipeline, steps, max(1, jobs)
        self.number = {s.name: i for i, s in enumerate(steps, 1)}
        self.records: dict[str, StepRecord] = {}
        self.keys: dict[str, str] = {}  # each step's inputs hashed when it was found not cached
        self.running: list[str] = []

    def say(self, step: Step, text: str) -> None:
        say(f"[{self.number[step.name]:2d}/{len(self.steps)}] {step.title}: {text}")

    def ready(self, step: Step) -> bool:
        return all(a in self.records for a in step.after if a in self.number)

    def cached(self, step: Step) -> StepRecord | None:
        """The step's record when its inputs are as they were; else None, the key kept for its record."""
        self.keys[step.name] = self.pipeline.key(step)
        record = self.pipeline.cache.fresh(step.name, self.keys[step.name])
        if record is not None:
            record.cached = True
            self.records[step.name] = record
            self.say(step, "up to date")
        return record

    def finish(self, step: Step, outcome: Outcome, seconds: float) -> None:
        for note in outcome.notes:
            say(f"        {note}")
        record = self.pipeline.record(step, outcome, seconds, self.keys.get(step.name))
        self.records[step.name] = record
        self.say(step, f"{outcome.status} in {record.seconds} s: {outcome.detail}")

    def run(self) -> list[StepRecord]:
        try:
            with interrupts_raise():
                if self.jobs == 1:
                    self._run_here()
                else:
                    self._run_parallel()
        except Interrupted as exc:
            left = [s.name for s in self.steps if s.name not in self.records and s.name not in self.running]
            say(f"interrupted ({exc.signal_name}): stopped {', '.join(self.running) or 'no step'}"
                + (f"; not started: {', '.join(left)}" if left else "")
                + f"; {len(self.records)} finished step(s) stay cached")
            raise
        return [self.records[s.name] for s in self.steps]

    def _run_here(self) -> None:
        for step in self.steps:
            if self.cached(step) is None:
                self.say(step, "...")
                self.running = [step.name]
                started = time.perf_counter()
                outcome = step.run()
                self.running = []
                self.finish(step, outcome, time.perf_counter() - started)

    def _run_parallel(self) -> None:
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        waiting, running = list(self.steps), {}
        # spawn: each worker starts clean (pcbnew, OCCT and Blender's exporter are not fork-safe)
        pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("spawn"), initializer=worker_init,
                                   initargs=(os.getpid(),))
        try:
            while waiting or running:
                ready = [s for s in waiting if self.ready(s)]
                # A step is handed to a worker only when one is free, so "started" means running, and a
                # step still waiting at Ctrl-C never starts.
                while ready and len(running) < self.jobs:
                    for step in ready:
                        if len(running) >= self.jobs:
                            break
                        waiting.remove(step)
                        if self.cached(step) is None:
                            self.say(step, "started")
                            running[pool.submit(run_in_worker, self.pipeline.config, step.name)] = step
                    ready = [s for s in waiting if self.ready(s)]
                self.running = [s.name for s in running.values()]
                if not running:
                    if waiting:  # a step waiting on one that never finishes
                        raise WattcadError(f"build steps cannot start: {[s.name for s in waiting]}")
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    step = running.pop(future)
                    outcome, seconds, error, code = future.result()
                    if error is not None:
                        raise StepFailed(step.name, error, code)
                    self.finish(step, outcome, seconds)
                self.running = [s.name for s in running.values()]
        except BaseException:
            stop_workers(pool)
            raise
        pool.shutdown()


def stop_workers(pool) -> None:
    """Each worker's process group killed (the worker and the tools it started), then the pool let go
    without waiting for steps that will never report."""
    processes = dict(getattr(pool, "_processes", None) or {})  # the executor keeps its workers by pid
    for pid in processes:
        for kill in (os.killpg, os.kill):  # the group; the worker alone if it had not made its group yet
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes.values():
        process.join(timeout=5)
