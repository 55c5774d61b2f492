"""Folders: ``oimtool check data/`` and ``oimtool fix data/`` take the item files under them, by
the pre-commit hooks' pattern (issue 14, points 3 and 4)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from oimtool.cli.files import ITEM_FILES

from conftest import ROOT, item, write_json


def codes(result) -> list[tuple[str, str]]:
    return [(Path(p["file"]).name, p["code"]) for p in result.json()["problems"]]


def tree(tmp_path: Path) -> Path:
    """A folder as a repository holds it: item files named every which way, an orders file
    whose name looks like an item file's, hidden folders, files that are not item files."""
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    write_json(data / "Items-2020.json", [item(quantity=0)])  # OIM403
    write_json(data / "sub" / "lines-2020.json", [item(price="1,5")])  # OIM502
    write_json(data / "sub" / "Order_Lines.json", [item(sku=None, quantity=None)])  # OIM404
    write_json(data / "orders-of-items.json", [{"number": "ORD1001"}])
    for hidden in (".git", ".oimtool"):
        (data / hidden).mkdir()
        write_json(data / hidden / "items.json", [item(quantity=0)])
    write_json(data / ".items.json", [item(quantity=0)])
    write_json(data / "guidelines.json", [item(quantity=0)])  # "lines" inside a word
    write_json(data / "item.json", [item(quantity=0)])
    write_json(data / "orders.json", [item(quantity=0)])
    (data / "items.csv").write_text("not json")
    return data


def test_check_a_folder_takes_its_item_files_as_the_hooks_do(cli, tmp_path):
    data = tree(tmp_path)
    result = cli("check", data, "--orders", data / "orders-of-items.json", "-f", "json")
    assert result.code == 1, result.err
    assert codes(result) == [("Items-2020.json", "OIM403"), ("Order_Lines.json", "OIM404"),
                             ("lines-2020.json", "OIM502")]
    assert result.json()["summary"]["files"] == 3


def test_a_file_given_is_taken_whatever_its_name_and_once(cli, tmp_path):
    data = tree(tmp_path)
    result = cli("check", data / "guidelines.json", data, data / "Items-2020.json", "-f", "json",
                 "--orders", data / "orders-of-items.json")
    assert [p["file"] for p in result.json()["problems"]] == [
        str(data / "guidelines.json"), str(data / "Items-2020.json"),
        str(data / "sub" / "Order_Lines.json"), str(data / "sub" / "lines-2020.json"),
        str(data / "Items-2020.json")]  # given twice on the command line: twice, as before


def test_fix_a_folder_leaves_its_own_outputs_out(cli, tmp_path):
    data = tmp_path / "data"
    (data / "more").mkdir(parents=True)
    write_json(data / "items.json", [item(price="1.50")])
    write_json(data / "more" / "order-items.json", [item(price="2.50")])
    first = cli("fix", data)
    assert (first.code, first.out.splitlines()[-1]) == (
        0, f"2 changes in 2 items in 2 files, written to {data}/items.fixed.json and "
        f"{data}/more/order-items.fixed.json. No problems remain.")
    assert (data / "items.fixed.json").is_file()
    assert (data / "more" / "order-items.fixed.json").is_file()
    again = cli("fix", data, "--force")  # the .fixed.json files are not taken as inputs
    assert (again.code, again.out.splitlines()[-1]) == (0, first.out.splitlines()[-1])
    assert sorted(p.name for p in data.rglob("*.json")) == [
        "items.fixed.json", "items.json", "order-items.fixed.json", "order-items.json"]


def test_a_folder_without_item_files_is_a_usage_error(cli, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    write_json(folder / "orders.json", [{"number": "1"}])
    result = cli("check", folder)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"oimtool: error: {folder} holds no order-item file: a folder gives the JSON files "
        "whose name holds items, order-item(s), order-line(s) or lines (docs/cli.md#folders); "
        "name the files instead\n")


def test_the_pattern_is_defined_once():
    """The hooks, pre-commit.md and cli.md say the walker's pattern, character for character."""
    for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")):
        assert hook["files"] == ITEM_FILES, hook["id"]
    for doc in ("pre-commit.md", "cli.md"):
        assert ITEM_FILES in (ROOT / "docs" / doc).read_text(encoding="utf-8"), doc


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_folder_walk_takes_regular_files_only(cli, tmp_path):
    """A FIFO named like an item file would block the read; a link to a folder above would
    loop: neither is taken, nor a dangling link."""
    data = tmp_path / "data"
    data.mkdir()
    write_json(data / "items.json", [item()])
    os.mkfifo(data / "fifo-items.json")
    (data / "loop").symlink_to(data)
    (data / "gone-items.json").symlink_to(tmp_path / "nowhere.json")
    (data / "link-items.json").symlink_to(data / "items.json")  # the same file: once
    result = cli("check", data)
    assert (result.code, result.out) == (0, "OK: 1 item in 1 file, no problems.\n")
