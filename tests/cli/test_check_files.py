"""oimtool check on whole files: parse errors, encodings, cross-file checks, exit codes."""

from __future__ import annotations

import json
import os

import pytest

from conftest import SAMPLES, item, problems, write_json


def report(cli, *args):
    result = cli("check", *args, "--format", "json")
    return result, result.json()


@pytest.mark.parametrize(("text", "code", "line", "column", "words"), [
    (b"", "OIM001", 1, 1, "the file is empty"),
    (b"  \n\n ", "OIM001", 1, 1, "the file is empty"),
    (b'[\n  {"order_number": "A"\n  "quantity": 1}\n]', "OIM001", 3, 3, "expected ',' or '}'"),
    (b'[\n  {"a": 1},\n]\n', "OIM001", 2, 11, "trailing comma"),
    (b'[\n  {"a": 1}\n  {"b": 2}\n]', "OIM001", 3, 3, "expected ',' or ']' after item 0"),
    (b'[{"a": "unterminated}]', "OIM001", 1, 23, "unexpected end of file"),
    (b'[{"a": 1}', "OIM001", 1, 10, "the array is not closed"),
    (b'[{"a": [1}]', "OIM001", 1, 10, "unexpected '}'"),
    (b"<html>oops</html>", "OIM001", 1, 1, "found '<'"),
    (b'[{"a": 1}]\n[]', "OIM001", 2, 1, "after the end of the array"),
    (b'{"order_number": "A"}', "OIM002", 1, 1, "the top level is an object"),
    (b'"ORD1"', "OIM002", 1, 1, "the top level is a string"),
    (b" 12.5 ", "OIM002", 1, 2, "the top level is a single value"),
    (b"null", "OIM002", 1, 1, "the top level is a single value"),
    (b"nope", "OIM001", 1, 1, "not JSON: found 'nope' where '[' should start the array"),
    (b"123abc\n", "OIM001", 1, 1, "not JSON: found '123abc' where '['"),
    (b"truex", "OIM001", 1, 1, "not JSON: found 'truex'"),
    (b"  []  ", "OIM003", 1, 3, "the array is empty"),
])
def test_file_level_problems(cli, tmp_path, text, code, line, column, words):
    path = tmp_path / "items.json"
    path.write_bytes(text)
    result, data = report(cli, path)
    [found] = [p for p in data["problems"] if p["index"] is None]
    assert (found["code"], found["line"], found["column"]) == (code, line, column)
    assert words in found["message"]
    assert result.code == 1


def test_syntax_error_after_good_items_keeps_their_problems(cli, tmp_path):
    text = json.dumps([item(), item(quantity=0)], indent=2)
    path = tmp_path / "items.json"
    path.write_text(text.removesuffix("\n]") + ',\n  {oops}\n]\n', encoding="utf-8")
    _result, data = report(cli, path)
    assert problems(data, "index", "code", "line", "column") == [
        (1, "OIM403", 15, 17), (None, "OIM001", 20, 4),
    ]
    assert data["summary"]["items"] == 2


def test_syntax_error_message_in_text_format(cli, tmp_path):
    path = tmp_path / "items.json"
    path.write_bytes(b'[\n  {"order_number": "A",\n   "price": 1,,}\n]')
    result = cli("check", path)
    assert result.out.splitlines()[0] == (
        f"{path}:3:15: OIM001 not valid JSON in item 0: unexpected character, expected a string "
        "key"
    )
    assert result.code == 1


def test_items_that_are_not_objects(cli, tmp_path):
    path = write_json(tmp_path / "items.json", [item(), [1, 2], None, "x"])
    _result, data = report(cli, path)
    assert problems(data, "index", "code", "line", "column") == [
        (1, "OIM006", 11, 3), (2, "OIM006", 15, 3), (3, "OIM006", 16, 3),
    ]


def test_invalid_utf8_is_reported_in_its_item_and_reading_goes_on(cli, tmp_path):
    path = tmp_path / "items.json"
    good = json.dumps(item(), ensure_ascii=False).encode()
    bad = json.dumps(item(product="Pijama")).encode().replace(b"Pijama", "Pijama ğ".encode(
        "cp1254"))
    path.write_bytes(b"[\n" + good + b",\n" + bad + b",\n" + good.replace(b"ORD1001", b"B")
                     + b"\n]\n")
    result, data = report(cli, path)
    assert problems(data, "index", "code", "line", "column") == [(1, "OIM004", 3, 48)]
    assert "cp1254" in data["problems"][0]["message"]
    assert data["summary"]["items"] == 3
    assert result.code == 1


@pytest.mark.parametrize(("encoding", "bom", "words"), [
    ("utf-8", b"\xef\xbb\xbf", "UTF-8 byte order mark"),
    ("utf-16-le", b"\xff\xfe", "UTF-16 text"),
    ("utf-16-be", b"\xfe\xff", "UTF-16 text"),
    ("utf-32-le", b"\xff\xfe\x00\x00", "UTF-32 text"),
    ("utf-16-le", b"", "UTF-16 text without a byte order mark"),
    ("utf-16-be", b"", "UTF-16 text without a byte order mark"),
    ("utf-32-le", b"", "UTF-32 text without a byte order mark"),
    ("utf-32-be", b"", "UTF-32 text without a byte order mark"),
])
def test_boms_and_utf16_are_read_with_a_warning(cli, tmp_path, encoding, bom, words):
    text = json.dumps([item(product="Örgü Kazak"), item(quantity=0)], ensure_ascii=False,
                      indent=2)
    path = tmp_path / "items.json"
    path.write_bytes(bom + text.encode(encoding))
    result, data = report(cli, path)
    assert problems(data, "index", "code", "line", "column") == [
        (None, "OIM005", 1, 1), (1, "OIM403", 15, 17),
    ]
    assert words in data["problems"][0]["message"]
    assert data["problems"][0]["fix"] == {"value": "utf-8", "safe": True}
    assert result.code == 1


def test_line_and_column_count_characters_not_bytes(cli, tmp_path):
    path = tmp_path / "items.json"
    path.write_text('[{"product": "Çağrı İğne", "order_number": "A", "quantity": 0, "price": 1,'
                    ' "image_url": null, "extra_field": {}, "sku": null}]', encoding="utf-8")
    _, data = report(cli, path)
    assert problems(data, "code", "line", "column") == [("OIM403", 1, 61)]


def test_unknown_key_points_at_the_key(cli, tmp_path):
    path = write_json(tmp_path / "items.json", [{**item(), "Sipariş No": "x"}])
    _, data = report(cli, path)
    assert problems(data, "field", "code", "line", "column", "pointer") == [
        ("Sipariş No", "OIM801", 10, 5, "/0/Sipariş No"),
    ]
    assert 'did you mean "order_number"' in data["problems"][0]["message"]


def test_pointer_escapes_slash_and_tilde(cli, tmp_path):
    path = write_json(tmp_path / "items.json", [{**item(), "a/b~c": 1}])
    _, data = report(cli, path)
    assert data["problems"][0]["pointer"] == "/0/a~1b~0c"


# -- cross-file --------------------------------------------------------------------------------

def orders_file(tmp_path, *numbers, name="orders.json"):
    return write_json(tmp_path / name, [{"number": n, "user": "C1"} for n in numbers])


def test_near_match_ignoring_whitespace_inside(cli, tmp_path):
    orders = orders_file(tmp_path, "ORD 1001", "ORD-1002")
    items = write_json(tmp_path / "items.json", [item(order_number="ORD1001"),
                                                 item(order_number="ORD - 1002")])
    result, data = report(cli, items, "--orders", orders)
    assert result.code == 1
    assert problems(data, "index", "code", "fix") == [
        (0, "OIM105", {"value": "ORD 1001", "safe": False}),
        (1, "OIM105", {"value": "ORD-1002", "safe": False}),
        (None, "OIM901", None),  # neither order has an item, as written
    ]
    assert 'did you mean "ORD 1001"?' in data["problems"][0]["message"]


def test_unknown_order_number_with_near_match_hints(cli, tmp_path):
    orders = orders_file(tmp_path, "ORD1001", "100023", "AB-7", "ab-7 ", "000555")
    items = write_json(tmp_path / "items.json", [
        item(order_number="ord1001"),  # case
        item(order_number="100023.0"),  # a trailing .0
        item(order_number="555"),  # leading zeros
        item(order_number="AB7"),  # no near match
        item(order_number="Ab-7"),  # two near matches
        item(order_number="ORD1001"),
    ])
    result, data = report(cli, items, "--orders", orders)
    assert problems(data, "index", "code", "line", "column") == [
        (0, "OIM105", 3, 21), (1, "OIM105", 12, 21), (2, "OIM105", 21, 21),
        (3, "OIM105", 30, 21), (4, "OIM105", 39, 21), (None, "OIM901", 1, 1),
    ]
    messages = [p["message"] for p in data["problems"]]
    assert 'did you mean "ORD1001"?' in messages[0]
    assert 'did you mean "100023"?' in messages[1]
    assert 'did you mean "000555"?' in messages[2]
    assert "upload its order first" in messages[3]
    assert 'near matches: "AB-7", "ab-7"' in messages[4]
    assert [p["fix"] for p in data["problems"][:5]] == [
        {"value": "ORD1001", "safe": False}, {"value": "100023", "safe": False},
        {"value": "000555", "safe": False}, None, None,
    ]
    assert data["problems"][5]["file"] == str(orders)
    assert data["problems"][5]["message"].startswith("4 of 5 orders have no items")
    assert result.code == 1


def test_order_number_fixed_safely_is_looked_up_as_fixed(cli, tmp_path):
    orders = orders_file(tmp_path, "100023", "ORD1")
    items = write_json(tmp_path / "items.json", [
        item(order_number=100023), item(order_number=" ORD1"),
    ])
    _, data = report(cli, items, "--orders", orders)
    assert problems(data, "index", "code") == [(0, "OIM102"), (1, "OIM104")]


def test_orders_numbers_are_trimmed_as_omnitron_trims_them(cli, tmp_path):
    orders = orders_file(tmp_path, " ORD1001 ", "ORD1002\t")
    items = write_json(tmp_path / "items.json", [item(), item(order_number="ORD1002")])
    result, data = report(cli, items, "--orders", orders)
    assert data["problems"] == []
    assert result.code == 0


def test_unreferenced_orders_are_one_warning(cli, tmp_path):
    orders = orders_file(tmp_path, *[f"O{i}" for i in range(10)])
    items = write_json(tmp_path / "items.json", [item(order_number="O3"), item(order_number="O7")])
    result, data = report(cli, items, "--orders", orders)
    assert problems(data, "file", "index", "pointer", "code", "value") == [
        (str(orders), None, "", "OIM901", 8),
    ]
    assert data["problems"][0]["message"].startswith('8 of 10 orders have no items in the files '
                                                     'checked ("O0", "O1", "O2", …)')
    assert result.code == 0
    assert cli("check", items, "--orders", orders, "--strict").code == 1


def test_items_spread_over_files_and_orders_over_files(cli, tmp_path):
    orders_a = orders_file(tmp_path, "A1", "A2", name="orders-a.json")
    orders_b = orders_file(tmp_path, "B1", name="orders-b.json")
    part1 = write_json(tmp_path / "part1.json", [item(order_number="A1"), item(order_number="B1")])
    part2 = write_json(tmp_path / "part2.json", [item(order_number="A2"), item(order_number="C")])
    _result, data = report(cli, part1, part2, "--orders", orders_a, "--orders", orders_b)
    assert problems(data, "file", "index", "code") == [(str(part2), 1, "OIM105")]
    assert "not in " + str(orders_a) + " or " + str(orders_b) in data["problems"][0]["message"]
    assert data["summary"] == {"files": 2, "items": 4, "errors": 1, "warnings": 0, "fixable": 0}


def test_duplicate_order_numbers_warned(cli, tmp_path):
    orders = orders_file(tmp_path, "A", "B", "A")
    items = write_json(tmp_path / "items.json", [item(order_number="A"), item(order_number="B")])
    _, data = report(cli, items, "--orders", orders)
    assert problems(data, "file", "index", "pointer", "code", "line", "column") == [
        (str(orders), 2, "/2/number", "OIM902", 11, 15),
    ]


@pytest.mark.parametrize(("content", "words"), [
    (b"[{oops", "cannot use the orders file"),
    (b'{"number": "A"}', "the top level is an object; the file must be a JSON array of orders:"),
    (b"", "the file is empty; it must hold a JSON array of orders"),
    (b"nope", "not JSON: found 'nope' where '[' should start the array of orders"),
    (b'[{"number": "A"}, {"user": "x"}, {"number": 7}, {"number": " "}]',
     'order 1 (line 1) has no "number"; order 2 (line 1) has "number" 7; order 3'),
])
def test_unusable_orders_file_is_a_usage_error(cli, tmp_path, content, words):
    orders = tmp_path / "orders.json"
    orders.write_bytes(content)
    items = write_json(tmp_path / "items.json", [item()])
    result = cli("check", items, "--orders", orders)
    assert result.code == 2
    assert result.out == ""
    assert words in result.err
    assert result.err.startswith("oimtool: error: ")
    assert "Traceback" not in result.err


def test_empty_orders_file_is_said_once_not_for_every_item(cli, tmp_path):
    orders = tmp_path / "orders.json"
    orders.write_text("[]")
    items = write_json(tmp_path / "items.json", [item(), item(order_number="B")])
    _, data = report(cli, items, "--orders", orders)
    assert problems(data, "code") == [("OIM003",)]  # issue 11: one error, on the orders file


# -- exit codes and usage ------------------------------------------------------------------------

def test_clean_sample_exits_0(cli):
    result = cli("check", SAMPLES / "items.json", "--orders", SAMPLES / "orders.json")
    assert result.code == 0
    assert result.out == "OK: 14 items in 1 file, no problems.\n"


def test_broken_sample_shows_every_item_rule(cli):
    result, data = report(cli, SAMPLES / "items-broken.json", "--orders", SAMPLES / "orders.json")
    codes = {p["code"] for p in data["problems"]}
    numbers = (6, 101, 102, 103, 104, 105, 201, 202, 203, 301, 302, 303, 401, 402, 403, 404, 405,
               501, 502, 503, 504, 505, 506, 601, 602, 603, 604, 605, 606, 607, 701, 702, 703,
               801, 802, 803, 901)
    expected = {f"OIM{n:03}" for n in numbers}
    assert codes == expected
    assert result.code == 1


@pytest.mark.parametrize("args", [
    ("check",),
    ("check", "missing.json"),
    ("check", "src"),  # a folder with no item file
    ("check", "samples/items.json", "--orders", "missing.json"),
    ("check", "samples/items.json", "--format", "yaml"),
    ("check", "samples/items.json", "--no-such-option"),
    ("frobnicate",),
])
def test_usage_errors_exit_2(cli, args, monkeypatch):
    monkeypatch.chdir(SAMPLES.parent)
    result = cli(*args)
    assert result.code == 2
    assert result.out == ""
    assert "Traceback" not in result.err
    assert result.err


def test_unreadable_file_is_a_usage_error(cli, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = write_json(tmp_path / "items.json", [item()])
    path.chmod(0)
    assert cli("check", path).code == 2


def test_json_report_to_output_file(cli, tmp_path):
    out = tmp_path / "report.json"
    items = write_json(tmp_path / "items.json", [item(quantity=0)])
    result = cli("check", items, "--format", "json", "--output", out)
    assert result.code == 1
    assert result.out == ""
    assert json.loads(out.read_text())["summary"]["errors"] == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_json_report_envelope(cli, tmp_path):
    items = write_json(tmp_path / "items.json", [item(price="123.90")])
    data = cli("check", items, "-f", "json").json()
    assert data == {
        "version": 1,
        "summary": {"files": 1, "items": 1, "errors": 1, "warnings": 0, "fixable": 1},
        "problems": [{
            "file": str(items), "index": 0, "pointer": "/0/price", "field": "price",
            "line": 7, "column": 14, "code": "OIM502", "severity": "error",
            "message": 'price is the text "123.90"; write the number 123.9',
            "value": "123.90", "fix": {"value": 123.9, "safe": True},
        }],
    }


def test_text_report_lines_and_summary(cli, tmp_path):
    items = write_json(tmp_path / "items.json", [item(price="123.90"), item(quantity=None)])
    result = cli("check", items)
    assert result.out.splitlines() == [
        f'{items}:7:14: OIM502 price is the text "123.90"; write the number 123.9 (safe fix)',
        f"{items}:15:17: OIM404 quantity is null; Omnitron accepts it, but the order line will "
        "show no quantity",
        "1 error and 1 warning in 2 items in 1 file. 1 fixable with `oimtool fix`.",
    ]


def test_no_colour_when_not_a_terminal(cli, tmp_path):
    items = write_json(tmp_path / "items.json", [item(quantity=0)])
    assert "\033[" not in cli("check", items).out


def run_in_terminal(args, env):
    """Run oimtool with stdout on a pseudo-terminal; returns what it wrote there."""
    import pty
    import subprocess
    import sys

    main, secondary = pty.openpty()
    try:
        process = subprocess.run([sys.executable, "-m", "oimtool", *map(str, args)],
                                 stdout=secondary, stderr=subprocess.PIPE, env=env, timeout=60,
                                 check=False)
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the terminal is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(main)
    return process.returncode, b"".join(chunks).decode()


@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("1", False)])
def test_colour_only_on_a_terminal_without_no_color(tmp_path, no_color, coloured):
    items = write_json(tmp_path / "items.json", [item(quantity=0), item(quantity=None)])
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color:
        env["NO_COLOR"] = no_color
    code, out = run_in_terminal(["check", items], env)
    assert code == 1
    assert ("\033[31mOIM403\033[0m" in out) is coloured
    assert ("\033[33mOIM404\033[0m" in out) is coloured
    assert ("\033[" in out) is coloured
