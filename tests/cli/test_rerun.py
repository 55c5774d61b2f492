"""Running the same command again: an output this command wrote, unchanged since, is replaced
without --force (oimtool marks what it writes with an extended attribute of its size and
time); a file it did not write, or that was changed since, still needs --force."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from oimtool.output import STAMP

from conftest import SAMPLES, item, write_json


def _marks(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    probe.write_text("x")
    try:
        os.setxattr(probe, STAMP, b"1")
    except (OSError, AttributeError):
        return False
    finally:
        probe.unlink()
    return True


@pytest.fixture
def marked(tmp_path: Path) -> Path:
    if not _marks(tmp_path):
        pytest.skip("this file system keeps no extended attributes")
    return tmp_path


def test_convert_again_replaces_its_own_outputs(cli: Any, marked: Path) -> None:
    args = ["convert", SAMPLES / "satislar-2019.csv", "-o", marked / "items.json",
            "--rejects", marked / "rejects.csv", "--output", marked / "report.txt"]
    assert cli(*args).code == 0
    again = cli(*args)
    assert again.code == 0, again.err
    assert "exists" not in again.err
    with open(marked / "items.json", "a", encoding="utf-8") as edited:
        edited.write(" ")  # changed by hand since: not replaced without --force
    third = cli(*args)
    assert third.code == 2
    assert f"{marked / 'items.json'} exists; use --force to replace it" in third.err
    assert (marked / "items.json").read_text(encoding="utf-8").endswith("]\n ")


def test_split_again_replaces_its_own_parts(cli: Any, marked: Path) -> None:
    args = ["convert", SAMPLES / "satislar-2019.csv", "-o", marked / "items.json",
            "--split", "3"]
    assert cli(*args).code == 0
    assert sorted(p.name for p in marked.glob("*.json")) == [
        "items.part001.json", "items.part002.json", "items.part003.json"]
    assert cli(*args).code == 0
    (marked / "items.part004.json").write_text("[]")  # not this command's
    refused = cli(*args)
    assert refused.code == 2
    assert "use --force to replace them" in refused.err


def test_fix_again_replaces_its_own_output(cli: Any, marked: Path) -> None:
    items = write_json(marked / "items.json", [item(price="1.50")])
    assert cli("fix", items).code == 0
    again = cli("fix", items)
    assert again.code == 0, again.err
    (marked / "items.fixed.json").write_text("[]")  # written by someone else
    assert cli("fix", items).code == 2


def test_a_file_oimtool_did_not_write_needs_force(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "items.json").write_text("[]")
    result = cli("convert", SAMPLES / "satislar-2019.csv", "-o", tmp_path / "items.json")
    assert result.code == 2
    assert "exists; use --force to replace it" in result.err
    assert (tmp_path / "items.json").read_text() == "[]"


def test_an_input_fixed_in_place_stays_the_users_file(cli: Any, marked: Path) -> None:
    from oimtool.output import ours

    items = write_json(marked / "items.json", [item(price="1.50")])
    assert cli("fix", items, "--in-place").code == 0
    assert not ours(items)  # another command's output there still needs --force
    result = cli("convert", SAMPLES / "satislar-2019.csv", "-o", items)
    assert result.code == 2 and "use --force" in result.err
