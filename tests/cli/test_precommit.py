"""The pre-commit hooks: their definition, and a real run with ``pre-commit try-repo``."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, item, write_json

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def hook(hook_id: str) -> dict:
    [found] = [h for h in HOOKS if h["id"] == hook_id]
    return found


def test_check_hook_definition():
    check = hook("oimtool-check")
    assert check["entry"] == "oimtool check"
    assert check["language"] == "python"
    assert check["require_serial"] is True


def test_fix_hook_definition():
    fix = hook("oimtool-fix")
    assert fix["entry"] == "oimtool fix --in-place"
    assert fix["language"] == "python"
    assert fix["files"] == hook("oimtool-check")["files"]


@pytest.mark.parametrize(("path", "matches"), [
    ("items.json", True),
    ("data/order_items.json", True),
    ("data/order-items-2019.json", True),
    ("migration/part1.items.json", True),
    ("samples/items-broken.json", True),
    ("data/Items-2020.json", True),  # any letter case (issue 14: these were skipped)
    ("lines-2020.json", True),
    ("data/ORDER_ITEMS.JSON", True),
    ("OrderLines.json", True),
    ("order-line.json", True),
    ("exports/sales_lines.json", True),
    ("guidelines.json", False),  # "lines" inside a word
    ("data/lines/orders.json", False),  # the folder's name does not count
    ("item.json", False),
    ("orders.json", False),
    ("data/orders.json", False),
    ("items.csv", False),
    ("package.json", False),
])
def test_files_pattern(path, matches):
    assert bool(re.search(hook("oimtool-check")["files"], path)) is matches


def test_every_hook_entry_is_a_real_command(cli, tmp_path):
    good = write_json(tmp_path / "good.items.json", [item()])
    for definition in HOOKS:
        program, *arguments = definition["entry"].split()
        assert program == "oimtool"
        assert cli(*arguments, "--help").code == 0
        assert cli(*arguments, good, good).code == 0  # pre-commit passes several files


def pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
    except OSError:
        return False
    return True


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.network
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pre_commit_try_repo(tmp_path):
    """pre-commit builds the hook's environment from this repository and runs it on a good and
    a bad file. Needs PyPI for the hook's dependencies: deselect with -m 'not network'."""
    if not pypi_reachable():
        pytest.skip("PyPI is not reachable")
    work = tmp_path / "data-repo"
    work.mkdir()
    git("init", "-q", cwd=work)
    write_json(work / "orders.json", [{"number": "ORD1001"}])
    write_json(work / "good.items.json", [item()])
    write_json(work / "bad.items.json", [item(price="12,50")])
    write_json(work / "Lines-2020.json", [item(quantity=0)])  # taken in any letter case
    git("add", ".", cwd=work)

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "oimtool-check",
             "--verbose", "--files", *files],
            cwd=work, capture_output=True, text=True, timeout=900, check=False,
        )

    good = try_repo("good.items.json", "orders.json")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "oimtool check" in good.stdout
    assert "Passed" in good.stdout

    bad = try_repo("good.items.json", "bad.items.json")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "bad.items.json:7:14: OIM502" in bad.stdout
    assert "good.items.json:" not in bad.stdout.replace("good.items.json\n", "")

    capital = try_repo("Lines-2020.json")
    assert capital.returncode == 1, capital.stdout + capital.stderr
    assert "Lines-2020.json:6:17: OIM403" in capital.stdout
