"""Where triage's tasks run: worker processes, or this process for ``--jobs 1``.

Processes, never threads: importing dtschema outside the main thread raises.
``REVIEWTOOL_TRIAGE_START=fork|spawn`` picks the multiprocessing start method
(default: fork where available, measured faster, see benchmarks/bench_triage.py).
"""

from __future__ import annotations

import os

from ..errors import InputError
from .workers import init_child


def start_method() -> str:
    import multiprocessing

    wanted = os.environ.get("REVIEWTOOL_TRIAGE_START", "")
    methods = multiprocessing.get_all_start_methods()
    if wanted:
        if wanted not in methods:
            raise InputError(f"REVIEWTOOL_TRIAGE_START={wanted!r}: choose from {', '.join(methods)}")
        return wanted
    return "fork" if "fork" in methods else "spawn"


class Inline:
    """The executor calls triage needs, run in this process (``--jobs 1``)."""

    def map(self, fn, items):
        return map(fn, items)

    def run_all(self, calls):
        for i, (fn, arg) in enumerate(calls):
            yield i, fn(arg)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


class Pool:
    """Worker processes; ``run_all`` yields (index, result) as they finish."""

    def __init__(self, jobs: int, init: tuple) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._ex = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(start_method()),
                                       initializer=init_child, initargs=init)

    def map(self, fn, items):
        return self._ex.map(fn, items)

    def run_all(self, calls):
        from concurrent.futures import as_completed

        futures = {self._ex.submit(fn, arg): i for i, (fn, arg) in enumerate(calls)}
        for fut in as_completed(futures):
            yield futures.pop(fut), fut.result()

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        self._ex.shutdown(wait=wait, cancel_futures=cancel_futures)
