"""Where an export's seconds went: ``query`` (reading the store), ``write`` (the file or the
warehouse), ``views`` (the warehouse's rollup views and final commit).

The clock comes in (``time.monotonic`` in use, a fake in tests). Reads are timed by wrapping
the store's row stream (:meth:`Stopwatch.iterate`: the time spent waiting for the next row);
``write`` is what is left of the elapsed time, so the stages add up to the run's duration.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

EXPORT_STAGES = ("query", "write", "views")
REST = "write"


@dataclass(slots=True)
class Stopwatch:
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)
    spent: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def add(self, stage: str, seconds: float) -> None:
        self.spent[stage] = self.spent.get(stage, 0.0) + max(0.0, seconds)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        begin = self.clock()
        try:
            yield
        finally:
            self.add(stage, self.clock() - begin)

    def iterate(self, stage: str, items: Iterable[T]) -> Iterator[T]:
        """``items`` unchanged, the time spent producing each counted under ``stage``."""
        it = iter(items)
        while True:
            begin = self.clock()
            try:
                item = next(it)
            except StopIteration:
                self.add(stage, self.clock() - begin)
                return
            self.add(stage, self.clock() - begin)
            yield item

    def elapsed(self) -> float:
        return max(0.0, self.clock() - self.started)

    def stage_seconds(self) -> dict[str, float]:
        """The timed stages, and ``write`` as the rest of the elapsed time (rounded)."""
        return split(self.elapsed(), self.spent)


def split(elapsed: float, spent: dict[str, float]) -> dict[str, float]:
    """Pure: the stages in ``spent`` but ``write``, and ``write`` as what is left of ``elapsed``
    (the stages then add up to the run's duration)."""
    known = {k: v for k, v in spent.items() if k != REST and v > 0}
    rest = max(0.0, elapsed - sum(known.values()))
    return {k: round(v, 4) for k, v in {**known, REST: rest}.items()}
