"""Hostile and broken inputs: each gets a clear message and its documented exit code; nothing
is written, nothing is left behind, and there is never a traceback."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from oimtool.jsonstream import pieces
from oimtool.tuning import Tuning

from conftest import ROOT, item, write_json

# -- the corpus: (name, file name, content builder, command, exit code, words in the report) --


def deep(levels: int) -> bytes:
    nested = b'{"a": ' * levels + b"1" + b"}" * levels
    return (b'[{"order_number": "A", "product": null, "sku": null, "quantity": 1, "price": 1, '
            b'"image_url": null, "extra_field": ' + nested + b"}, " + json.dumps(
                item(quantity=0)).encode() + b"]")


def xlsx_bytes(rows) -> bytes:
    import io

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (200 << 20) + b"/>")
    return buffer.getvalue()


def entity_expansion() -> bytes:
    import io

    source = xlsx_bytes([["Order No", "Qty", "Price"], ["A", 1, 2]])
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    entities = b'<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY %s "%s">' % (b"a" * (n + 1), (b"&" + b"a" * n + b";") * 10)
        for n in range(1, 9))
    sheet = files["xl/worksheets/sheet1.xml"]
    files["xl/worksheets/sheet1.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [' + entities + b"]>"
        + sheet.replace(b"<t>A</t>", b"<t>&aaaaaaaaa;</t>"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


GOOD_CSV = b"Order No,Product,SKU,Qty,Price,Image\r\nA,x,y,1,2,\r\n"
CORPUS = [
    # check
    ("empty json", "items.json", lambda: b"", "check", 1, "OIM001 the file is empty"),
    ("bom only json", "items.json", lambda: b"\xef\xbb\xbf", "check", 1, "the file is empty"),
    ("truncated json", "items.json", lambda: json.dumps([item(), item()]).encode()[:-30],
     "check", 1, "unexpected end of file"),
    ("binary json", "items.json", lambda: bytes(range(256)) * 40, "check", 1,
     "OIM001 not JSON: found byte 0x00"),
    ("nul bytes", "items.json", lambda: b'[{"order_number": "A\x00B"}]', "check", 1,
     "unexpected control character"),
    ("invalid utf-8 inside", "items.json",
     lambda: b"[" + json.dumps(item(product="x")).replace('"x"', '"\xff"').encode("latin-1")
     + b"," + json.dumps(item(quantity=0)).encode() + b"]", "check", 1, "OIM403"),
    ("10 MB line", "items.json", lambda: json.dumps([item(order_number=f"A{i}")
                                                     for i in range(55_000)]).encode(),
     "check", 0, "OK: 55,000 items"),
    ("100 MB cell", "items.json", lambda: json.dumps([item(product="x" * (100 << 20))]).encode(),
     "check", 1, "product is 104,857,600 characters long"),
    ("nested 10,000 deep", "items.json", lambda: deep(10_000), "check", 1,
     "OIM007 item 0 nests objects or arrays more than 254 levels deep"),
    ("integers beyond 64 bits", "items.json",
     lambda: json.dumps([item(order_number=2**70, quantity=2**65)]).encode(), "check", 1,
     f'write "{2**70}"'),
    ("duplicate keys", "items.json", lambda: b'[{"order_number": "A", "product": null, '
     b'"sku": null, "quantity": 1, "price": 9, "image_url": null, "extra_field": {}, '
     b'"price": 10}]', "check", 0, "OIM008"),
    ("duplicate keys, colon on the next line", "items.json", lambda: b'[{"order_number": "A",'
     b' "product": null, "sku": null, "quantity": 1, "price"\n\t: 9, "image_url": null,'
     b' "extra_field": {}, "price"\r\n  :  10}]', "check", 0,
     'items.json:2:45: OIM008 key "price" is written twice'),
    ("quantity of 5,000 digits as text", "items.json",
     lambda: json.dumps([item(quantity="9" * 5000)]).encode(), "check", 1,
     'OIM402 quantity "99999'),
    ("price of 5,000 digits as text", "items.json",
     lambda: json.dumps([item(price="9" * 5000 + ",50")]).encode(), "check", 1,
     'OIM505 price is the text "99999'),
    ("mixed line endings", "items.json",
     lambda: json.dumps([item(), item(quantity=0)], indent=1).replace("\n", "\r\n", 10).encode(),
     "check", 1, ":15:15: OIM403"),
    # convert
    ("empty csv", "s.csv", lambda: b"", "convert", 1, "the export is empty"),
    ("bom only csv", "s.csv", lambda: b"\xef\xbb\xbf", "convert", 1, "the export is empty"),
    ("unclosed quote", "s.csv", lambda: GOOD_CSV + b'B,"x,y,1,2,\r\nC,x,y,1,2,\r\n', "convert",
     1, "a quote opened in this row is never closed"),
    ("binary csv", "s.csv", lambda: bytes(range(1, 256)) * 100, "convert", 1,
     "OIM017 byte 0x81 on line 2 is not cp1254 text"),
    ("nul bytes csv", "s.csv", lambda: GOOD_CSV + b"B,x\x00,y,1,2,\r\n", "convert", 1, "NUL"),
    ("100 MB cell csv", "s.csv", lambda: GOOD_CSV + b'B,"' + b"x" * (100 << 20) + b'",y,1,2,\r\n',
     "convert", 1, "longer than 16,777,216 characters"),
    ("10 MB line csv", "s.csv", lambda: GOOD_CSV + b"B," + b"x" * (10 << 20) + b",y,1,2,\r\n",
     "convert", 1, "product is 10,485,760 characters long"),
    ("truncated csv", "s.csv", lambda: GOOD_CSV + b"B,x,y,1", "convert", 1,
     "s.csv:3:E: OIM502 price is null"),
    ("invalid utf-8 inside csv", "s.csv", lambda: GOOD_CSV + b"B,\xff\xfe,y,1,2,\r\n",
     "convert", 0, "OIM015 not UTF-8: read as Turkish Windows-1254 (cp1254)"),
    ("cells of 5,000 digits csv", "s.csv",
     lambda: GOOD_CSV + b"B,x,y," + b"9" * 5000 + b",2,\r\nC,x,y,1,\"" + b"9" * 5000
     + b',50",\r\n',
     "convert", 1, "s.csv:3:D: OIM405 quantity 99999999999999999999… (5,000 characters) is "
     "beyond 2,147,483,647"),
    ("empty xlsx", "s.xlsx", lambda: b"", "convert", 1, "not a workbook"),
    ("10,000 columns", "s.csv",
     lambda: (",".join(["Order No", "Qty", "Price"] + [f"c{i}" for i in range(9_997)]) + "\n"
              + ",".join(["A", "1", "2"] + ["v"] * 9_997) + "\n").encode(), "convert", 0,
     "1 row read: 1 item, 0 rejected"),
    ("mixed line endings csv", "s.csv", lambda: b"Order No,Qty,Price\nA,1,2\r\nB,0,2\rC,1,2\n",
     "convert", 1, "OIM403"),
    ("truncated xlsx", "s.xlsx",
     lambda: xlsx_bytes([["Order No", "Qty", "Price"], ["A", 1, 2]])[:2000], "convert", 1,
     "not a workbook"),
    ("zip bomb", "s.xlsx", zip_bomb, "convert", 1, "a zip bomb"),
    ("xml entity expansion", "s.xlsx", entity_expansion, "convert", 1, "cannot read"),
    ("password protected", "s.xlsx",
     lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 5000, "convert", 1, "encrypted"),
    # fix
    ("fix truncated json", "items.json", lambda: json.dumps([item(price="1")])[:-5].encode(),
     "fix", 1, "unexpected end of file"),
]


@pytest.mark.parametrize(("name", "file", "build", "command", "code", "words"), CORPUS,
                         ids=[c[0] for c in CORPUS])
def test_corpus(cli, tmp_path, name, file, build, command, code, words):
    source = tmp_path / file
    source.write_bytes(build())
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli(command, source, *(["--force"] if command != "check" else []))
    assert result.code == code, result.out[-2000:] + result.err
    assert words in result.out + result.err
    assert "Traceback" not in result.err
    after = sorted(p.name for p in tmp_path.iterdir())
    if code:  # nothing written (convert's output, fix's output, temporary files)
        assert after == before
    assert not [n for n in after if n.endswith(".tmp")]


@pytest.mark.parametrize(("raw", "code"), [
    (deep(10_000)[1:].split(b"}, {")[0] + b"}", "OIM007"),
    (json.dumps(item(product="x")).replace('"x"', '"\xff"').encode("latin-1"), "OIM004"),
    (deep(600)[1:].split(b"}, {")[0] + b"}", "OIM007"),  # read, but too deep to be written
])
def test_fix_keeps_items_it_cannot_read(cli, tmp_path, raw, code):
    """An item no parser reads cannot be fixed, but it is not dropped either: the output holds
    it byte for byte, in its place, and the check of the output reports it."""
    source = tmp_path / "items.json"
    one, two = (json.dumps(item(order_number=f" A{n} ")).encode() for n in (1, 2))
    source.write_bytes(b"[" + one + b",\n" + raw + b",\n" + two + b"]")
    result = cli("fix", source, "-f", "json")
    assert result.code == 1
    report = json.loads(result.out)
    assert [(p["code"], p["index"]) for p in report["problems"]] == [(code, 1)]
    assert [c["pointer"] for c in report["changes"]] == ["/0/order_number", "/2/order_number"]
    fixed = (tmp_path / "items.fixed.json").read_bytes()
    assert fixed.count(b"\n  " + raw + b",\n") == 1
    assert report["summary"]["items"] == 3
    again = cli("fix", tmp_path / "items.fixed.json", "-o", tmp_path / "again.json")
    assert again.code == 1
    assert (tmp_path / "again.json").read_bytes() == fixed


def nested(levels: int, kind: str) -> object:
    value: object = {} if kind == "object" else []
    for _ in range(levels - 1):
        value = {"a": value} if kind == "object" else [value]
    return value


@pytest.mark.parametrize("depth", [254, 255, 1000, 1024, 1025])
@pytest.mark.parametrize(("key", "kind"), [("extra_field", "object"), ("product", "array"),
                                            ("notes", "object")])
def test_nesting_at_the_limits(cli, tmp_path, depth, key, kind):
    """An item (level 1) may nest 254 levels: up to that every report writes its values; one
    level more is OIM007, whether orjson reads it (to 1,024) or not."""
    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(5000)  # json.dumps here, not oimtool, needs it
    try:
        text = json.dumps([item(**{key: nested(depth - 1, kind)}), item(order_number="B")])
    finally:
        sys.setrecursionlimit(limit)
    path = tmp_path / "items.json"
    path.write_text(text, encoding="utf-8")
    for fmt in ("json", "sarif", "csv", "text"):
        result = cli("check", path, "-f", fmt)
        assert result.code in (0, 1) and not result.err, result.err
    report = json.loads(cli("check", path, "-f", "json").out)
    codes = [(p["code"], p["index"]) for p in report["problems"]]
    if depth > 254:
        assert codes == [("OIM007", 0)]
    else:
        assert ("OIM007", 0) not in codes
    fixed = cli("fix", path, "-o", tmp_path / "fixed.json", "--unsafe", "-f", "json")
    assert fixed.code in (0, 1) and not fixed.err, fixed.err
    assert json.loads(fixed.out)["summary"]["items"] == 2


def test_merged_cells_and_hidden_sheets(cli, tmp_path):
    source = tmp_path / "s.xlsx"
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "Old"
    hidden.sheet_state = "hidden"
    sheet = book.create_sheet("Items")
    for row in [["Order No", "Qty", "Price"], ["A", 1, 2], ["B", 1, 3]]:
        sheet.append(row)
    sheet.merge_cells("A2:A3")
    book.save(source)
    result = cli("convert", source, "-f", "json")
    data = json.loads(result.out)
    notes = [p["message"] for p in data["problems"] if p["code"] == "OIM015"]
    assert any("merged cells" in n for n in notes)
    assert any("read sheet 'Items' of 2" in n for n in notes)
    assert [p["code"] for p in data["problems"] if p["severity"] == "error"] == ["OIM102"]


@pytest.mark.parametrize("command", ["check", "convert", "fix"])
def test_devices_and_fifos_are_refused(cli, tmp_path, command):
    fifo = tmp_path / ("export.csv" if command == "convert" else "items.json")
    os.mkfifo(fifo)
    result = cli(command, fifo)
    assert result.code == 2
    assert "it is a FIFO" in result.err
    result = cli(command, "/dev/zero")
    assert result.code == 2
    assert "it is a device" in result.err or "FILE" in result.err


def test_fifo_as_orders_file(cli, tmp_path):
    fifo = tmp_path / "orders.json"
    os.mkfifo(fifo)
    items = write_json(tmp_path / "items.json", [item()])
    result = cli("check", items, "--orders", fifo)
    assert result.code == 2
    assert "the orders file" in result.err and "FIFO" in result.err


def test_file_gone_while_workers_read_it(cli, tmp_path, monkeypatch):
    def vanished(path, offset, length):
        raise FileNotFoundError(2, "No such file or directory", path)

    monkeypatch.setattr(pieces, "read_piece", vanished)
    items = write_json(tmp_path / "items.json", [item(order_number=f"A{i}") for i in range(50)])
    result = cli("check", items, "-j", "2",
                 tuning=Tuning(parallel_min_bytes=0, piece_bytes=500))
    assert result.code == 2
    assert result.err.startswith(f"oimtool: error: cannot read {items}")


@pytest.mark.parametrize("args", [
    ["convert", "{csv}", "-o", "/proc/oimtool-none/items.json"],
    ["convert", "{csv}", "-o", "/proc/items.json"],  # a folder that takes no new file
    ["convert", "{csv}", "--rejects", "/proc/rejects.csv", "-o", "{json}", "--force"],
    ["convert", "{csv}", "--annotate", "/proc/marked.xlsx", "-o", "{json}", "--force"],
    ["fix", "{json}", "-o", "/proc/items.json"],
    ["check", "{json}", "--output", "/proc/oimtool-none/report.json"],
    ["fix", "{json}", "-o", "/proc/oimtool-none/items.json"],
])
def test_output_folder_that_cannot_be_written(cli, tmp_path, args):
    (tmp_path / "s.csv").write_bytes(GOOD_CSV)
    write_json(tmp_path / "items.json", [item()])
    argv = [a.format(csv=tmp_path / "s.csv", json=tmp_path / "items.json") for a in args]
    result = cli(*argv)
    assert result.code == 2
    assert result.err.startswith("oimtool: error: cannot write /proc/"), result.err
    assert result.out == ""  # refused before anything was read


@pytest.mark.parametrize(("args", "words"), [
    (["check", "{json}", "--output", "{json}"], "--output {json} would replace the input {json}"),
    (["check", "{json}", "--orders", "{orders}", "--output", "{orders}"],
     "--output {orders} would replace the input {orders}"),
    (["convert", "{csv}", "-o", "{csv}", "--force"], "--out {csv} would replace the input"),
    (["convert", "{csv}", "-o", "{out}", "--output", "{out}", "--force"],
     "--output {out} would replace the output of --out"),
    (["convert", "{csv}", "--rejects", "{csv}", "--force"], "--rejects {csv} would replace"),
    (["fix", "{json}", "--in-place", "--output", "{json}"], "--output {json} would replace"),
    (["fix", "{json}", "-o", "{orders}", "--orders", "{orders}", "--force"],
     "--out {orders} would replace the input {orders}"),
])
def test_an_output_never_replaces_an_input(cli, tmp_path, args, words):
    paths = {"csv": tmp_path / "s.csv", "json": tmp_path / "items.json",
             "orders": tmp_path / "orders.json", "out": tmp_path / "out.json"}
    paths["csv"].write_bytes(GOOD_CSV)
    write_json(paths["json"], [item()])
    write_json(paths["orders"], [{"number": "ORD1001"}])
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    result = cli(*[a.format(**paths) for a in args])
    assert result.code == 2
    assert result.err.startswith(f"oimtool: error: {words.format(**paths)}"), result.err
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_full_disk(tmp_path):
    """A file-size limit stands in for a full disk: the write fails, is reported, and the
    half-written file is gone."""
    rows = b"".join(b"A%d,x,y,1,2,\r\n" % i for i in range(20_000))
    (tmp_path / "s.csv").write_bytes(GOOD_CSV + rows)

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    result = subprocess.run([sys.executable, "-m", "oimtool", "convert", "s.csv"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            preexec_fn=limited, check=False)
    assert result.returncode == 2, result.stderr
    assert "cannot write" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv"]


# -- interruption ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def big_export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("big")
    path = folder / "big.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Order No,Product,SKU,Qty,Price,Image\n")
        for i in range(600_000):
            handle.write(f"O{i},Ürün {i},S{i},2,{i % 500}.5,https://cdn.example.com/{i}.jpg\n")
    return path


def interrupted(args: list[str], folder: Path, prefix: str, signum: int) -> tuple[int, str]:
    """Run oimtool, send ``signum`` once a temporary output named ``prefix``... appears in
    ``folder``; (exit code, standard error)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen([sys.executable, "-m", "oimtool", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for _ in range(600):  # wait until the output is being written
            if any(p.name.startswith(prefix) for p in folder.iterdir()):
                break
            if process.poll() is not None:
                pytest.fail("oimtool ended before it could be interrupted")
            time.sleep(0.05)
        else:
            pytest.fail("no temporary output appeared")
        process.send_signal(signum)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("oimtool: ")
    return process.returncode, err


@pytest.mark.parametrize(("signum", "code", "jobs"), [
    (signal.SIGINT, 130, "1"), (signal.SIGTERM, 143, "1"), (signal.SIGTERM, 143, "2"),
    (signal.SIGINT, 130, "2"),
])
def test_interrupted_conversion_leaves_nothing(tmp_path, big_export, signum, code, jobs):
    returncode, err = interrupted(
        ["convert", str(big_export), "-o", str(tmp_path / "items.json"), "-j", jobs,
         "--output", str(tmp_path / "report.txt")], tmp_path, ".items.json.", signum)
    assert returncode == code, err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def big_items(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bigitems")
    path = folder / "items.json"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[\n")
        handle.write(",\n".join(json.dumps(item(order_number=f"O{i}", price=f"{i % 500}.50"))
                                for i in range(300_000)))
        handle.write("\n]\n")
    return path


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.parametrize("in_place", [False, True])
def test_interrupted_fix_leaves_nothing(tmp_path, big_items, signum, code, in_place):
    source = tmp_path / "items.json"
    shutil.copyfile(big_items, source)
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    target = ["--in-place"] if in_place else ["-o", str(tmp_path / "fixed.json")]
    returncode, err = interrupted(
        ["fix", str(source), *target, "--output", str(tmp_path / "report.txt")], tmp_path,
        ".items.json." if in_place else ".fixed.json.", signum)
    assert returncode == code, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["items.json"]
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before


@pytest.mark.parametrize(("files", "args", "message"), [
    ({"oimtool.toml": "convert = 3\n"}, (), "convert must be a table"),
    ({"pyproject.toml": "[tool]\noimtool = 3\n"}, (), "[tool.oimtool] must be a table"),
    ({"oimtool.toml": "[convert\n"}, (), "cannot read the settings in"),
    ({"oimtool.toml": "[convert]\nextra = 3\n"}, (),
     "convert setting 'extra' must be a bool or list"),
    ({"oimtool.toml": "profile = 3\n"}, (), "[profile] must be a table"),
    ({"oimtool.toml": '[convert]\ndecimal = ";"\n'}, (), "'decimal' must be \",\" or \".\""),
    ({"oimtool.toml": '[convert]\nprofile = "nosuch"\n'}, (),
     "the settings file's profile nosuch: no such profile; the built-in ones are amazon"),
    ({"oimtool.toml": '[convert]\nprice = "x"\n'}, (),
     "oimtool.toml: convert setting 'price' is 'x': give \"paid\""),
    ({"oimtool.toml": '[convert]\ndelimiter = ";;"\n'}, (),
     "oimtool.toml: convert setting 'delimiter' is ';;': give one character"),
    ({"oimtool.toml": '[convert]\nencoding = "base64"\n'}, (),
     "oimtool.toml: convert setting 'encoding' is 'base64', which is not a text encoding"),
    ({"oimtool.toml": '[convert]\nencoding = "nosuch"\n'}, (),
     "oimtool.toml: convert setting 'encoding' is 'nosuch', which Python does not know"),
    ({"oimtool.toml": '[convert.map]\nprise = "Price"\n'}, (),
     "oimtool.toml: map.prise: 'prise' is not an order-item field (did you mean price?)"),
    ({}, ("--config", "nothere.toml"), "--config nothere.toml: no such file"),
    ({"a.toml": "[convert]\n"}, ("--config", "a.toml", "--no-config"),
     "give --config PATH or --no-config, not both"),
    ({"pyproject.toml": "[project]\n"}, ("--config", "pyproject.toml"),
     "pyproject.toml has no [tool.oimtool] table"),
    ({}, ("--encoding", "rot13"), "'rot13' is an unknown encoding, or not one of text"),
    ({}, ("--encoding", "base64"), "'base64' is an unknown encoding, or not one of text"),
])
def test_settings_and_encodings_that_cannot_be_used_are_usage_errors(
        cli, tmp_path, monkeypatch, files, args, message):
    """A malformed settings file, or an encoding that is no encoding of text: exit 2 with a
    message, never an internal error."""
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "a.csv").write_text("Order No,SKU,Qty,Price\nA,S,1,2\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("convert", "a.csv", *args)
    assert result.code == 2
    assert message in result.err
    assert not (tmp_path / "a.json").exists()


SPLIT_EXPORT = "Order No,SKU,Qty,Price\nA,S,1,2\nB,S,1,2\nC,S,1,2\n"


@pytest.mark.parametrize(("export", "orders", "out", "rows"), [
    ("items.part003.csv", None, "items.csv", 2),  # 2 parts written, part 3 "stale": removed
    ("items.part002.csv", None, "items.csv", 3),  # part 2 written over the export
    ("a.csv", "items.part002.json", "items.json", 1),  # the orders file "stale"
])
def test_split_never_replaces_or_removes_an_input(cli, tmp_path, monkeypatch, export, orders,
                                                  out, rows):
    """--split parts are checked against every file the run reads, with --force too."""
    monkeypatch.chdir(tmp_path)
    text = "Order No,SKU,Qty,Price\n" + "".join(f"{c},S,1,2\n" for c in "ABC"[:rows])
    (tmp_path / export).write_text(text, encoding="utf-8")
    args = ["convert", export, "-o", out, "--split", "1", "--force"]
    if orders:
        (tmp_path / orders).write_text('[{"number": "A"}]', encoding="utf-8")
        args += ["--orders", orders]
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = cli(*args)
    assert result.code == 2
    assert "is an input of this run" in result.err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing touched


def test_split_replaces_and_removes_earlier_parts_only_with_force(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.csv").write_text(SPLIT_EXPORT, encoding="utf-8")
    (tmp_path / "items.part002.json").write_text("[]\n", encoding="utf-8")
    (tmp_path / "items.part004.json").write_text("[]\n", encoding="utf-8")
    result = cli("convert", "a.csv", "-o", "items.json", "--split", "2")
    assert result.code == 2
    assert "items.part002.json exists (2 parts of an earlier run); use --force" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a.csv", "items.part002.json", "items.part004.json"]
    result = cli("convert", "a.csv", "-o", "items.json", "--split", "2", "--force")
    assert result.code == 0, result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a.csv", "items.part001.json", "items.part002.json"]
    assert ("oimtool: note: removed items.part004.json, a part of an earlier run beyond the "
            "last part written now") in result.err


def damaged_sheet(path: Path, rows: int = 2000) -> Path:
    """A workbook whose sheet's deflate stream is broken at its first bytes (an invalid block
    type), as a disk or a transfer damages a file: zlib's own error, not the zip's CRC."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Order No", "SKU", "Qty", "Price"])
    for i in range(rows):
        sheet.append([f"A{i}", f"S{i}", 1, 2.5])
    book.save(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start: start + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("streamed", [False, True])
def test_a_damaged_deflate_stream_is_unreadable_not_a_crash(cli, tmp_path, monkeypatch,
                                                           streamed):
    import oimtool.sources.workbook as workbook

    if streamed:
        monkeypatch.setattr(workbook, "STREAM_CELLS", 10)
    source = damaged_sheet(tmp_path / "d.xlsx")
    result = cli("convert", source, "-o", tmp_path / "d.json")
    assert result.code == 1, result.err
    assert ": OIM017 cannot read the workbook: Error -3 while decompressing data" in result.out
    assert not (tmp_path / "d.json").exists()


def test_annotate_an_export_that_breaks_off(cli, tmp_path):
    """The report says where the export breaks off (OIM017, exit 1); the annotated copy holds
    the rows before, and the problem."""
    source = tmp_path / "b.csv"
    source.write_text('Order No,SKU,Qty,Price\nA,S,1,2\nB,"S,1,2\nC,S,1,2\n', encoding="utf-8")
    result = cli("convert", source, "--annotate", tmp_path / "m.xlsx")
    assert result.code == 1, result.err
    marked = openpyxl.load_workbook(tmp_path / "m.xlsx")
    rows = [[c.value for c in row] for row in marked.worksheets[0].iter_rows()]
    assert rows[:2] == [["Order No", "SKU", "Qty", "Price"], ["A", "S", "1", "2"]]
    problems = [[c.value for c in row] for row in marked["Problems"].iter_rows()]
    assert any("OIM017" in str(cell) for row in problems for cell in row)


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "sarif", "github", "junit"])
def test_a_file_name_that_is_no_utf8_is_shown_escaped(cli, tmp_path, fmt):
    """A name with byte 0xff (a Latin-1 file system): every report is written, as UTF-8, with
    the byte as an escape."""
    name = os.fsdecode(b"bad\xff.json")
    path = tmp_path / name
    write_json(path, [item(quantity=0)])
    result = cli("check", path, "--format", fmt)
    assert result.code == 1, result.err
    shown = str(tmp_path / "bad") + "\\xff.json"
    if fmt == "json":
        assert {p["file"] for p in json.loads(result.out)["problems"]} == {shown}
    elif fmt == "sarif":  # a URI: the escape's backslash percent-encoded
        assert "bad%5Cxff.json" in json.loads(result.out)["runs"][0]["results"][0][
            "locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    else:
        assert shown in result.out
    if fmt == "junit":
        import xml.dom.minidom

        xml.dom.minidom.parseString(result.out)


def test_a_source_name_that_is_no_utf8_converts(cli, tmp_path):
    source = tmp_path / os.fsdecode(b"sat\xfd\xfelar.csv")
    source.write_bytes(b"Order No,SKU,Qty,Price\nA,S,0,2\n")
    result = cli("convert", source, "-f", "json", "-o", tmp_path / "out.json")
    assert result.code == 1
    assert {p["file"] for p in result.json()["problems"]} == {
        str(tmp_path / "sat") + "\\xfd\\xfelar.csv"}


def test_an_output_made_meanwhile_is_not_replaced_without_force(tmp_path):
    """Two runs to one new output, neither with --force: the one that ends second does not
    replace the other's file (the check at the start cannot see the race)."""
    from oimtool.errors import OutputError
    from oimtool.output import ItemsWriter

    target = tmp_path / "items.json"
    writer = ItemsWriter(target, overwrite=False)
    writer.write(item())
    target.write_text("[]\n", encoding="utf-8")  # the other run, finished meanwhile
    with pytest.raises(OutputError, match="exists \\(written meanwhile by another run\\)"):
        writer.commit()
    assert target.read_text(encoding="utf-8") == "[]\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["items.json"]  # no temporary file


def test_fix_in_place_through_a_symlink_fixes_the_file_it_names(cli, tmp_path):
    real = write_json(tmp_path / "real.json", [item(order_number=" ORD-1 ")])
    link = tmp_path / "link.json"
    link.symlink_to(real.name)
    result = cli("fix", link, "--in-place")
    assert result.code == 0, result.out + result.err
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert json.loads(real.read_text(encoding="utf-8"))[0]["order_number"] == "ORD-1"


def test_fix_in_place_refuses_a_file_with_hard_links(cli, tmp_path):
    real = write_json(tmp_path / "real.json", [item(product=" Tişört ")])
    os.link(real, tmp_path / "other.json")
    before = real.read_bytes()
    result = cli("fix", real, "--in-place")
    assert result.code == 2
    assert "has 1 other name (hard links), which would keep the old items" in result.err
    assert real.read_bytes() == before


def test_an_interrupt_after_fix_wrote_says_what_was_written(cli, tmp_path, monkeypatch):
    """Ctrl-C while fix checks the file it has written: the message says it was written."""
    from oimtool.check import Checker
    from oimtool.errors import Interrupted

    def stop(self, path):
        raise Interrupted(signal.SIGINT)
        yield

    source = write_json(tmp_path / "items.json", [item(order_number=" ORD-1 ")])
    monkeypatch.setattr(Checker, "check_file", stop)
    result = cli("fix", source, "-o", tmp_path / "fixed.json")
    assert result.code == 130
    assert result.err == ("oimtool: interrupted; already written, before their check ended: "
                          f"{tmp_path / 'fixed.json'}\n")
    assert json.loads((tmp_path / "fixed.json").read_text())[0]["order_number"] == "ORD-1"
