"""oimtool fix: exact fixed files, every change listed, idempotent, the input left alone."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oimtool.fields import ordered
from oimtool.fix import fix_item
from oimtool.problems import ABSENT
from oimtool.validate import explain
from strategies import items as near_valid_items

from conftest import SAMPLES, item, write_json


def fixed_items(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_safe_fixes_exact_file(cli, tmp_path):
    source = write_json(tmp_path / "items.json", [
        {"price": "123.90", "order_number": 100023.0, "quantity": 2.0, "product": 4711,
         "image_url": " https://cdn.example.com/a b.jpg", "sku": None},
        item(),
    ], indent=None)
    before = source.read_bytes()
    result = cli("fix", source)
    assert result.code == 0, result.out
    assert source.read_bytes() == before  # never touched without --in-place
    assert (tmp_path / "items.fixed.json").read_text(encoding="utf-8") == (
        "[\n"
        "  {\n"
        '    "order_number": "100023",\n'
        '    "product": "4711",\n'
        '    "sku": null,\n'
        '    "quantity": 2,\n'
        '    "price": 123.9,\n'
        '    "image_url": "https://cdn.example.com/a%20b.jpg",\n'
        '    "extra_field": {}\n'
        "  },\n"
        "  {\n"
        '    "order_number": "ORD1001",\n'
        '    "product": "Pamuklu Tişört",\n'
        '    "sku": "TSH-1001",\n'
        '    "quantity": 1,\n'
        '    "price": 123.9,\n'
        '    "image_url": "https://cdn.example.com/tsh-1001.jpg",\n'
        '    "extra_field": {}\n'
        "  }\n"
        "]\n"
    )
    assert result.out.splitlines() == [
        f'{source} /0/order_number: 100023.0 → "100023" (OIM102)',
        f'{source} /0/product: 4711 → "4711" (OIM202)',
        f"{source} /0/quantity: 2.0 → 2 (OIM402)",
        f'{source} /0/price: "123.90" → 123.9 (OIM502)',
        f'{source} /0/image_url: " https://cdn.example.com/a b.jpg" → '
        '"https://cdn.example.com/a%20b.jpg" (OIM603)',
        f"{source} /0/extra_field: (absent) → {{}} (OIM701)",
        f"6 changes in 2 items in 1 file, written to {tmp_path}/items.fixed.json. No problems "
        "remain.",
    ]


def test_unsafe_fixes_need_unsafe(cli, tmp_path):
    orders = write_json(tmp_path / "orders.json", [{"number": "ORD1001"}, {"number": "A-7"}])
    source = write_json(tmp_path / "items.json", [
        item(price=123.905), item(order_number="a-7"), {**item(), "colour": "red"},
    ])
    result = cli("fix", source, "--orders", orders)
    assert result.code == 1
    assert [i["price"] for i in fixed_items(tmp_path / "items.fixed.json")] == [
        123.905, 123.9, 123.9]
    result = cli("fix", source, "--orders", orders, "--unsafe", "--force", "-f", "json")
    assert result.code == 0
    data = json.loads(result.out)
    assert [(c["pointer"], c["op"], c["old"], c["new"], c["code"])
            for c in data["changes"]] == [
        ("/0/price", "replace", 123.905, 123.91, "OIM504"),
        ("/1/order_number", "replace", "a-7", "A-7", "OIM105"),
        ("/2/colour", "remove", "red", None, "OIM801"),
        ("/2/extra_field", "replace", {}, {"colour": "red"}, "OIM801"),
    ]
    assert data["problems"] == []
    assert data["summary"]["changes"] == 4
    assert fixed_items(tmp_path / "items.fixed.json")[2] == item(extra_field={"colour": "red"})


def test_rename_an_unknown_key_that_names_a_missing_field(tmp_path):
    fixed, changes = fix_item({**item(price=...), "Fiyat": 5}, 0, file="f", unsafe=True)
    assert fixed == item(price=5)
    assert [(c.pointer, c.old, c.new) for c in changes] == [
        ("/0/Fiyat", 5, ABSENT), ("/0/price", ABSENT, 5)]


def test_remaining_problems_are_located_in_the_output(cli, tmp_path):
    source = write_json(tmp_path / "items.json", [item(quantity="0")], indent=None)
    result = cli("fix", source, "-f", "json")
    assert result.code == 1
    data = json.loads(result.out)
    assert [(p["file"], p["code"], p["line"], p["column"]) for p in data["problems"]] == [
        (str(tmp_path / "items.fixed.json"), "OIM403", 6, 17)]
    assert [c["new"] for c in data["changes"]] == [0]


def test_in_place(cli, tmp_path):
    source = write_json(tmp_path / "items.json", [item(price="1.50")])
    assert cli("fix", source, "--in-place").code == 0
    assert fixed_items(source) == [item(price=1.5)]
    assert not (tmp_path / "items.fixed.json").exists()
    # nothing to fix: the file is left exactly as it is, formatting and all
    source.write_text(json.dumps([item()]), encoding="utf-8")
    before = source.read_bytes()
    assert cli("fix", source, "--in-place").code == 0
    assert source.read_bytes() == before


def test_dry_run_shows_a_diff_and_writes_nothing(cli, tmp_path):
    source = write_json(tmp_path / "items.json", [item(), item(price="1.50", quantity=2.0)])
    result = cli("fix", source, "--dry-run")
    assert result.code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["items.json"]
    assert result.out.splitlines() == [
        f"--- {source}",
        f"+++ {tmp_path / 'items.fixed.json'}",
        "@@ -12,8 +12,8 @@",
        '     "order_number": "ORD1001",',
        '     "product": "Pamuklu Tişört",',
        '     "sku": "TSH-1001",',
        '-    "quantity": 2.0,',
        '-    "price": "1.50",',
        '+    "quantity": 2,',
        '+    "price": 1.5,',
        '     "image_url": "https://cdn.example.com/tsh-1001.jpg",',
        '     "extra_field": {}',
        "   }",
        "2 changes in 2 items in 1 file. No problems remain.",
    ]


@pytest.mark.parametrize(("args", "words"), [
    (["--in-place", "-o", "x.json"], "not both"),
    (["-o", "items.json"], "is the input: use --in-place"),
])
def test_usage_errors(cli, tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    write_json(tmp_path / "items.json", [item()])
    result = cli("fix", "items.json", *args)
    assert result.code == 2
    assert words in result.err


def test_existing_output_needs_force(cli, tmp_path):
    source = write_json(tmp_path / "items.json", [item()])
    (tmp_path / "items.fixed.json").write_text("keep")
    assert cli("fix", source).code == 2
    assert (tmp_path / "items.fixed.json").read_text() == "keep"
    assert cli("fix", source, "--force").code == 0


def test_unreadable_file_writes_nothing(cli, tmp_path):
    source = tmp_path / "items.json"
    source.write_text('[{"price": "1.50"}, oops]')
    result = cli("fix", source, "-f", "json")
    assert result.code == 1
    assert [p["code"] for p in json.loads(result.out)["problems"]] == ["OIM001"]
    assert not (tmp_path / "items.fixed.json").exists()


def test_bom_and_utf16_become_utf8(cli, tmp_path):
    source = tmp_path / "items.json"
    source.write_bytes(b"\xff\xfe" + json.dumps([item()], ensure_ascii=False).encode("utf-16-le"))
    result = cli("fix", source)
    assert result.code == 0
    assert result.out.splitlines()[0] == (
        f"{source}: is UTF-16 text → UTF-8 without a byte order mark (OIM005)")
    assert fixed_items(tmp_path / "items.fixed.json") == [item()]


def test_in_place_drops_a_bom_even_when_nothing_else_changes(cli, tmp_path):
    source = tmp_path / "items.json"
    body = json.dumps([item()], ensure_ascii=False, indent=2).encode()
    source.write_bytes(b"\xef\xbb\xbf" + body)
    result = cli("fix", source, "--in-place")
    assert result.code == 0
    assert "(OIM005)" in result.out.splitlines()[0]
    assert source.read_bytes()[:1] == b"["
    assert json.loads(source.read_bytes()) == [item()]


def test_integers_beyond_64_bits_are_written_back_exact(cli, tmp_path):
    source = tmp_path / "items.json"
    source.write_text(json.dumps([item(extra_field={"low": -(2**63) - 1, "high": 2**64,
                                                    "ok": -(2**63)}, order_number=" A ")]),
                      encoding="utf-8")
    assert cli("fix", source).code == 0
    assert json.loads((tmp_path / "items.fixed.json").read_text())[0]["extra_field"] == {
        "low": -(2**63) - 1, "high": 2**64, "ok": -(2**63)}


def test_several_files_in_place(cli, tmp_path):
    a = write_json(tmp_path / "a.items.json", [item(price="2")])
    b = write_json(tmp_path / "b.items.json", [item(quantity=0)])
    result = cli("fix", a, b, "--in-place")
    assert result.code == 1
    assert fixed_items(a) == [item(price=2.0)]
    assert (f"1 change in 2 items in 2 files, written to {a}. 1 error remains."
            in result.out)  # b, with nothing to fix, is left as it was


def test_fixed_broken_sample_is_idempotent(cli, tmp_path):
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    cli("fix", SAMPLES / "items-broken.json", "-o", first, "--unsafe")
    cli("fix", first, "-o", second, "--unsafe")
    assert second.read_bytes() == first.read_bytes()


# -- properties ------------------------------------------------------------------------------

def fixable(findings, unsafe):
    return [f for f in findings if f.fix is not None and (f.fix.safe or unsafe)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_valid_items(), st.booleans())
def test_fixing_twice_changes_nothing(value, unsafe):
    once, _ = fix_item(value, 0, file="f", unsafe=unsafe)
    twice, changes = fix_item(once, 0, file="f", unsafe=unsafe)
    assert changes == []
    assert ordered(twice) == ordered(once)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_valid_items(), st.booleans())
def test_what_remains_is_what_had_no_fix(value, unsafe):
    before = explain(value)
    fixed, changes = fix_item(value, 0, file="f", unsafe=unsafe)
    after = explain(fixed)
    assert fixable(after, unsafe) == []
    unfixed = {(f.code, f.location.field) for f in before if f not in fixable(before, unsafe)}
    remaining = {(f.code, f.location.field) for f in after}
    # nothing new appears but what a fix of the same field revealed
    fixed_keys = {c.pointer.split("/")[2] for c in changes}
    assert {r for r in remaining - unfixed if r[1] not in fixed_keys} == set()


@settings(max_examples=300, deadline=None)
@given(near_valid_items())
def test_an_item_without_a_problem_is_not_changed(value):
    if explain(value) == []:
        fixed, changes = fix_item(value, 0, file="f", unsafe=True)
        assert changes == []
        assert fixed == value


def test_dry_run_diff_applies_with_patch(cli, tmp_path):
    """Hunks carry their own old and new line numbers (an item that grows moves the ones after
    it) and the "," between items: patch turns the laid-out input into the output."""
    import shutil
    import subprocess

    if shutil.which("patch") is None:
        pytest.skip("no patch program")
    items = [item(order_number=" A "), item(product=...), item(quantity=2.0), item(sku=12)]
    source = tmp_path / "items.json"
    source.write_bytes(b"[\n" + b",\n".join(
        b"  " + b"\n  ".join(json.dumps(i, indent=2, ensure_ascii=False).encode().split(b"\n"))
        for i in items) + b"\n]\n")
    result = cli("fix", source, "--dry-run")
    diff = result.out[result.out.index("--- "):result.out.rindex("\n", 0, -1) + 1]
    assert [line for line in diff.splitlines() if line.startswith("@@")] == [
        "@@ -2,5 +2,5 @@", "@@ -11,5 +11,6 @@",  # item 1 gains "product": null,
        "@@ -20,7 +21,7 @@", "@@ -28,7 +29,7 @@"]  # so the items after it move a line down
    patched = tmp_path / "patched.json"
    shutil.copy(source, patched)
    subprocess.run(["patch", "-s", str(patched)], input=diff, text=True, check=True)
    assert cli("fix", source).code == 0
    assert patched.read_bytes() == (tmp_path / "items.fixed.json").read_bytes()


def test_keys_written_twice_each_listed(cli, tmp_path):
    """A key written twice, at the top or deep in extra_field: the dropped value is listed."""
    source = tmp_path / "items.json"
    source.write_text(
        '[{"order_number": "A", "product": null, "sku": null, "quantity": 1, "price": 9,'
        ' "price": 10, "image_url": null, "extra_field": {"size": "M", "tags": [{"k": 1,'
        ' "k": 2}], "size": "L"}}]\n', encoding="utf-8")
    result = cli("fix", source)
    assert result.code == 0, result.out
    assert result.out.splitlines()[:3] == [
        f"{source} /0/price: 9 → 10 (OIM008)",
        f'{source} /0/extra_field/size: "M" → "L" (OIM008)',
        f"{source} /0/extra_field/tags/0/k: 1 → 2 (OIM008)",
    ]
    assert fixed_items(tmp_path / "items.fixed.json") == [
        item(order_number="A", product=None, sku=None, quantity=1, price=10, image_url=None,
             extra_field={"size": "L", "tags": [{"k": 2}]})]
    again = cli("fix", tmp_path / "items.fixed.json", "-o", tmp_path / "again.json")
    assert again.code == 0
    assert (tmp_path / "again.json").read_bytes() == (tmp_path / "items.fixed.json").read_bytes()


def test_no_fix_for_numbers_out_of_range_written_as_text(cli, tmp_path):
    """"12345678901,5" or thousands of digits: no number to write (not null, not infinity)."""
    source = write_json(tmp_path / "items.json", [item(price="9" * 5000),
                                                  item(price="12345678901,5")])
    result = cli("fix", source, "--unsafe")
    assert result.code == 1
    assert fixed_items(tmp_path / "items.fixed.json") == [item(price="9" * 5000),
                                                         item(price="12345678901,5")]
    assert [line.split(" OIM")[1][:3] for line in result.out.splitlines()[:2]] == ["505",
                                                                                 "505"]
    assert result.out.splitlines()[-1] == (
        f"Nothing to fix in 2 items in 1 file (written unchanged to {tmp_path}/items.fixed.json)."
        " 2 errors remain.")
