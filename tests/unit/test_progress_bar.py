"""The progress bar's timing, on a clock the test moves: shown after its delay, at most five times
a second, cleared before a report line; never when disabled."""

from __future__ import annotations

import io

from oimtool.cli.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def bar(delay: float = 1.0, enabled: bool = True) -> tuple[Progress, Clock, io.StringIO]:
    clock, out = Clock(), io.StringIO()
    return Progress("sales.csv", enabled, delay=delay, clock=clock, out=out), clock, out


def test_nothing_before_the_delay_then_the_bar():
    progress, clock, out = bar()
    clock.now += 0.9
    progress.update(0.1, 1000)
    assert out.getvalue() == ""
    clock.now += 0.2
    progress.update(0.5, 5000)
    assert out.getvalue() == ("\r\033[Kconverting sales.csv [###############               ]"
                              "  50% 5,000 rows")


def test_at_most_five_times_a_second():
    progress, clock, out = bar(delay=0)
    for _ in range(10):  # ten updates 1/16 s apart: drawn at 0, 0.25 and 0.5 s
        progress.update(0.5, 10)
        clock.now += 0.0625
    assert out.getvalue().count("converting") == 3


def test_cleared_before_a_report_line_and_at_the_end():
    progress, _, out = bar(delay=0)
    report = io.BytesIO()
    stream = progress.around(report)
    progress.update(1.0, 20_000)
    stream.write(b"line\n")
    assert out.getvalue().endswith("\r\033[K")
    assert report.getvalue() == b"line\n"
    progress.clear()  # nothing shown any more: nothing written
    assert out.getvalue().count("\r\033[K") == 2


def test_disabled_draws_nothing_and_leaves_the_stream_alone():
    progress, clock, out = bar(delay=0, enabled=False)
    report = io.BytesIO()
    assert progress.around(report) is report
    clock.now += 5
    progress.update(0.5, 10)
    progress.clear()
    assert out.getvalue() == ""


def test_the_upload_bar_shows_the_part_and_all_parts():
    from pathlib import Path

    from oimtool.cli.upload import Events, bar_line
    from oimtool.upload import Counts, Part

    part = Part(2, Path("items.json"), 1000, 1000, Path("p"), "0" * 64, 10)
    assert bar_line(part, Counts(1000, 450, 3), 1450, 5000) == (
        "part 2 [#############                 ]  45% 450 of 1,000 items, 3 errors; "
        "all parts 1,450 of 5,000")
    alone = Part(1, Path("items.json"), 0, 1000, Path("p"), "0" * 64, 10)
    assert bar_line(alone, Counts(0, 0, 0), 0, 1000) == (
        "part 1 [                              ]   0% 0 of 0 items, 0 errors")
    out = io.StringIO()
    events = Events(out, bar=True)
    events.progress(alone, Counts(1000, 1000, 0), 1000, 1000)
    events.say("part 1: accepted")
    assert out.getvalue().endswith("1,000 of 1,000 items, 0 errors\r\033[Koimtool: part 1: "
                                   "accepted\n")
    quiet = io.StringIO()
    Events(quiet, bar=False).progress(alone, Counts(1000, 5, 0), 5, 1000)
    assert quiet.getvalue() == ""
