"""Outputs that are not regular files: a device or a FIFO is written into (never replaced by a
file), a symbolic link's file is replaced (the link stays), a socket is refused; '-' is
standard output for a report too."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from conftest import SAMPLES

EXPORT = SAMPLES / "satislar-2019.csv"


def test_a_fifo_is_written_into(cli: Any, tmp_path: Path) -> None:
    fifo = tmp_path / "items.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = cli("convert", EXPORT, "-o", fifo)
    reader.join(60)
    assert result.code == 0, result.err
    assert [item["order_number"] for item in json.loads(got[0])][:2] == [
        "ORD-2019-000101", "ORD-2019-000101"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert f"7 items written to {fifo}." in result.out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["items.fifo"]  # no temporary file


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device needs root")
def test_a_device_is_written_into_and_stays_a_device(cli: Any, tmp_path: Path) -> None:
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # as /dev/null
    for args in (["-o", device], ["--rejects", device, "-o", tmp_path / "i.json"],
                 ["--output", device, "-o", tmp_path / "i.json", "--force"]):
        result = cli("convert", EXPORT, *args)
        assert result.code == 0, (args, result.err)
        assert stat.S_ISCHR(device.stat().st_mode), args
    assert "exists" not in result.err


def test_a_symlinks_file_is_replaced_and_the_link_kept(cli: Any, tmp_path: Path) -> None:
    real = tmp_path / "data" / "items.json"
    real.parent.mkdir()
    real.write_text("[]")
    link = tmp_path / "items.json"
    link.symlink_to(real)
    result = cli("convert", EXPORT, "-o", link, "--force")
    assert result.code == 0, result.err
    assert link.is_symlink() and link.resolve() == real
    assert len(json.loads(real.read_text())) == 7
    assert f"7 items written to {real}." in result.out


def test_a_socket_is_refused(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        result = cli("convert", EXPORT, "-o", path)
    finally:
        server.close()
    assert result.code == 2
    assert f"{path} is neither a file nor a device or FIFO to write into" in result.err


def test_dash_is_standard_output_for_a_report(cli: Any, tmp_path: Path) -> None:
    items = SAMPLES / "items.json"
    result = cli("check", items, "--output", "-", "-f", "json")
    assert result.code == 0
    assert json.loads(result.out)["summary"]["items"] == 14
    assert not (Path.cwd() / "-").exists()
    assert "the report is in" not in result.err
