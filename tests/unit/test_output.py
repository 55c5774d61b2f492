"""Outputs put in place whole or not at all: a split output as one (every step that can fail
fails in turn, and the earlier parts are back as they were), no temporary file left by a stop
that comes as one is made, and ``written`` naming what is in place."""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

import pytest

from oimtool import output
from oimtool.errors import Interrupted, OutputError, interrupt, signals_held, stop_pending
from oimtool.output import ItemsWriter, RejectsWriter, atomic_output


@pytest.fixture(autouse=True)
def _fresh_journal():
    output.written.clear()
    yield
    output.written.clear()


def items(prefix: str, count: int) -> list[dict[str, str]]:
    return [{"order_number": f"{prefix}{i}"} for i in range(count)]


def write_split(folder: Path, prefix: str, count: int, *, overwrite: bool = True) -> ItemsWriter:
    writer = ItemsWriter(folder / "items.json", split=2, overwrite=overwrite)
    for entry in items(prefix, count):
        writer.write(entry)
    return writer


def folder_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def earlier(tmp_path) -> dict[str, bytes]:
    """Four parts of an earlier run, one of them read-only."""
    write_split(tmp_path, "O", 8).commit()
    os.chmod(tmp_path / "items.part002.json", 0o444)
    output.written.clear()
    return folder_state(tmp_path)


def modes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mode & 0o777 for p in folder.iterdir()}


def test_a_split_replaces_the_earlier_parts_as_one(tmp_path, earlier):
    writer = write_split(tmp_path, "N", 5)  # 3 parts: part004 goes
    before = modes(tmp_path)
    assert writer.commit() == [tmp_path / f"items.part00{n}.json" for n in (1, 2, 3)]
    assert writer.removed == [tmp_path / "items.part004.json"]
    assert sorted(os.listdir(tmp_path)) == [f"items.part00{n}.json" for n in (1, 2, 3)]
    assert b'"N4"' in (tmp_path / "items.part003.json").read_bytes()
    assert modes(tmp_path) == {n: m for n, m in before.items() if n != "items.part004.json"}
    assert output.written == [str(tmp_path / f"items.part00{n}.json") for n in (1, 2, 3)]


def failing_at(calls: int, real):
    """``real``, failing with a full disk at its call number ``calls`` (from 1)."""
    count = [0]

    def step(*args, **kwargs):
        count[0] += 1
        if count[0] == calls:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    return step


@pytest.mark.parametrize("links", [True, False])
@pytest.mark.parametrize(("step", "calls"), [
    ("_aside", 1), ("_aside", 3), ("_aside", 4),  # linking the earlier parts aside
    ("_place", 1), ("_place", 2), ("_place", 3),  # renaming the new parts into place
])
def test_a_split_that_fails_half_way_leaves_the_earlier_parts(tmp_path, earlier, monkeypatch,
                                                              step, calls, links):
    """Each step that can fail, failing: the earlier parts are back, with their modes; no part
    of the new run and no second name is left."""
    if not links:  # a file system without hard links: earlier parts are moved aside
        def no_link(*args, **kwargs):
            raise OSError(errno.EPERM, "Operation not permitted")

        monkeypatch.setattr(os, "link", no_link)
    writer = write_split(tmp_path, "N", 5)
    before = modes(tmp_path)
    monkeypatch.setattr(output, step, failing_at(calls, getattr(output, step)))
    with pytest.raises(OutputError) as raised:
        writer.commit()
    assert str(raised.value) == (f"cannot write the parts of {tmp_path / 'items.json'}: No "
                                 "space left on device; no part was put in place, the earlier "
                                 "parts are as they were")
    assert folder_state(tmp_path) == earlier
    assert modes(tmp_path) == before
    assert output.written == []


def test_a_split_whose_name_was_taken_meanwhile_takes_back_its_parts(tmp_path):
    """Without --force, a part another run made meanwhile is not replaced: the parts already
    in place are taken back."""
    writer = write_split(tmp_path, "N", 5, overwrite=False)
    (tmp_path / "items.part003.json").write_text("theirs")
    with pytest.raises(OutputError) as raised:
        writer.commit()
    assert str(raised.value) == (f"{tmp_path / 'items.part003.json'} exists (written meanwhile "
                                 "by another run); use --force to replace it; no part was put "
                                 "in place")
    assert folder_state(tmp_path) == {"items.part003.json": b"theirs"}


def test_a_stop_while_the_parts_go_in_place_puts_the_earlier_ones_back(tmp_path, earlier,
                                                                        monkeypatch):
    """Ctrl-C while the parts are renamed: the earlier set is put back, then the stop ends the
    run (here it is only pending: nothing raises it)."""
    writer = write_split(tmp_path, "N", 5)
    monkeypatch.setattr(output, "stop_pending", lambda: True)
    assert writer.commit() == []
    assert folder_state(tmp_path) == earlier
    assert output.written == []


@pytest.fixture
def ctrl_c(monkeypatch):
    """Ctrl-C raises Interrupted, as the command line sets it; ``ctrl_c(module, name)`` makes
    ``module.name`` send Ctrl-C to this process as it runs."""
    previous = signal.signal(signal.SIGINT, interrupt)

    def send_in(target, name):
        real = getattr(target, name)

        def sending(*args, **kwargs):
            result = real(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGINT)
            return result

        monkeypatch.setattr(target, name, sending)

    yield send_in
    signal.signal(signal.SIGINT, previous)


def test_a_stop_as_a_part_is_made_leaves_no_temporary_file(tmp_path, ctrl_c):
    """Ctrl-C the moment the temporary file of a part exists: it is known, and removed."""
    writer = ItemsWriter(tmp_path / "items.json", split=1)
    writer.write_json(b'  {"a": 1}', 1)
    ctrl_c(output.tempfile, "mkstemp")
    with pytest.raises(Interrupted):
        writer.write_json(b'  {"a": 2}', 1)  # part 2 is made
    assert len(list(tmp_path.iterdir())) == 2
    writer.abort()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("made_by", ["atomic_output", "rejects", "probe"])
def test_no_output_leaves_a_temporary_file_to_a_stop_as_it_is_made(tmp_path, ctrl_c, made_by):
    ctrl_c(output.tempfile, "mkstemp")
    with pytest.raises(Interrupted):
        if made_by == "atomic_output":
            with atomic_output(tmp_path / "report.txt") as handle:
                handle.write(b"never")
        elif made_by == "rejects":
            rejects = RejectsWriter(tmp_path / "rejects.csv", ["a"])
            try:
                rejects.add(["x"], [])
            finally:
                rejects.abort()
        else:
            output.probe_folder(tmp_path / "items.json")
    assert list(tmp_path.iterdir()) == []


def test_a_stop_held_back_comes_when_the_block_ends():
    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        with pytest.raises(Interrupted), signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            assert stop_pending()
            done = True
        assert done
    finally:
        signal.signal(signal.SIGINT, previous)
    assert not stop_pending()
