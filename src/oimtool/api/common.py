"""What every command's run shares: the report, the sink that collects it, progress, the
number of workers, the orders files and the first look at the item files."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from ..errors import InputError
from ..format import shown_path
from ..problems import Change, Plan, Problem, Summary
from ..tuning import Tuning

Notify = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


class Progress(Protocol):
    """Where a long run reports how far it is (a progress bar)."""

    def update(self, fraction: float, rows: int) -> None: ...

    def clear(self) -> None: ...


class Report(NamedTuple):
    """The outcome of a run: every problem, the counts, every change (``fix``), and how a
    conversion read its export (``plan``)."""

    problems: list[Problem]
    summary: Summary
    changes: list[Change]
    plan: Plan | None = None

    @property
    def ok(self) -> bool:
        return self.summary.errors == 0


class Collector:
    """A sink that keeps everything, for ``Report``."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.changes: list[Change] = []
        self.summary = Summary()
        self.converted: Plan | None = None

    def begin(self, file: str, output: str | None = None) -> None:
        pass

    def plan(self, plan: Plan) -> None:
        self.converted = plan

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def change(self, change: Change) -> None:
        self.changes.append(change)

    def close(self, summary: Summary) -> None:
        self.summary = summary

    def report(self) -> Report:
        return Report(self.problems, self.summary, self.changes, self.converted)


def _jobs(jobs: int) -> int:
    if jobs:
        return jobs
    from ..workers import default_jobs

    return default_jobs()


def _load_orders(paths: Sequence[Path], jobs: int, tuning: Tuning) -> list[Any]:
    from ..orders import load_all

    return load_all(paths, jobs=_jobs(jobs), tuning=tuning)


def _item_files(paths: Sequence[Path], orders: Sequence[Path],
                names: Mapping[Path, str] = MappingProxyType({})) -> None:
    """Refuse, before any work, a file given as order items that is plainly something else: an
    export (convert it), an orders file (give it with --orders)."""
    from ..kinds import ORDERS, TEXT_EXPORT, WORKBOOK, as_export, kind_of

    for path in paths:
        kind = kind_of(path)
        shown = names.get(path) or shown_path(path)
        if kind in (WORKBOOK, TEXT_EXPORT):
            raise InputError(as_export(shown, kind))
        if kind == ORDERS:
            given = " (it is given with --orders too)" if path in orders else (
                f": give it with --orders {shown}")
            raise InputError(f"{shown} is an order migration file (its entries have "
                             f"\"number\", user, amount…, not \"order_number\"), not an "
                             f"order-item file{given}")
