"""Every example in the README and docs/ is run, and shows what the program prints.

A fenced block is an example of one of these kinds (docs/rules.md's examples are run by
test_docs.py):

- a session: its first line starts with ``$ ``. Each ``$`` line is run by the shell in the
  document's folder, with ``oimtool`` on the PATH; the lines after it are what it prints
  (standard output and error together). A line ``...`` stands for any number of lines left out,
  ``...`` inside a line for any text left out of it; nothing else is skipped.
- commands (``sh``): the block is run as a bash script (a pipe fails when any of its commands
  fails); every oimtool command in it, and the script, must run as asked (exit 0 or 1, never a
  traceback).
- Python (``python``): run with the interpreter oimtool is installed in; it must exit 0.
- data (TOML, YAML, JSON, XML): parsed;
- a synopsis (``oimtool COMMAND [OPTIONS]``): the command must exist.

Any other block says what it is with a comment.

An HTML comment just before a block says more (it is not shown by a Markdown viewer):

- ``<!-- example: file NAME [ENCODING] -->``: the block is the content of NAME; it is written
  into the document's folder, for the examples after it; ``<!-- example: then COMMAND -->``
  with it runs COMMAND on it, which must exit 0;
- ``<!-- example: output of COMMAND -->``: the block is what COMMAND prints, compared as a
  session's output is (``output of python``: what the last ``python`` block printed);
- ``<!-- example: with FOLDER -->``: the files of the repository's FOLDER are copied into the
  document's folder first (the platforms' exports of tests/data/exports, for docs/profiles.md);
- ``<!-- example: setup COMMAND -->``: COMMAND is run first, unseen (it must succeed);
- ``<!-- example: needs TOOL -->``: the block is run only where TOOL is installed (jq);
- ``<!-- example: not run: REASON -->``: the block is shown only, for the reason given.

Each document runs in a folder of its own that holds a copy of samples/, and, for the commands
written with the generic names the docs use (items.json, orders.json, data/, sales.xlsx…),
copies of the samples under those names.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from oimtool.config import _tomllib

from conftest import ROOT

DOCUMENTS = [ROOT / "README.md", *sorted(
    p for p in (ROOT / "docs").glob("*.md") if p.name != "rules.md")]  # rules: test_docs.py

FENCE = re.compile(
    r"(?:^ *<!-- example: (?P<directives>[^\n]*?) -->\n(?: *<!-- example: [^\n]*? -->\n)*\n?)?"
    r"^(?P<indent> *)```(?P<lang>[\w-]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S)
DIRECTIVE = re.compile(r"^ *<!-- example: (.*?) -->$", re.M)

# The generic names the docs' command examples use, and the sample each one is a copy of.
WORLD = {
    "items.json": "samples/items.json",
    "orders.json": "samples/orders.json",
    "items-broken.json": "samples/items-broken.json",
    "order-items-2019.json": "samples/items.json",
    "order-items-2020.json": "samples/items-broken.json",
    "orders-2019.json": "samples/orders.json",
    "orders-2020.json": "samples/orders.json",
    "data/order-items-2019.json": "samples/items.json",
    "data/order-items-2020.json": "samples/items-broken.json",
    "data/orders.json": "samples/orders.json",
    "sales.xlsx": "samples/sales-2019.xlsx",
    "sales-2019.xlsx": "samples/sales-2019.xlsx",
    "satislar.csv": "samples/satislar-2019.csv",
    "all-orders.csv": "samples/satislar-2019.csv",
}
BIN = Path(sys.executable).parent
# The export of convert.md's --map examples: headers no table knows.
BELGE = """Belge No;Ürün;Miktar;Tutar
ORD-2019-000101;Pamuklu Tişört;2;199,90
ORD-2019-000102;Keten Gömlek;1;449,00
"""


@dataclass
class Block:
    document: Path
    line: int
    lang: str
    body: str
    directives: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"

    def directive(self, name: str) -> str | None:
        return next((d[len(name):].strip() for d in self.directives if d.startswith(name)), None)


def blocks(document: Path) -> list[Block]:
    text = document.read_text(encoding="utf-8")
    found = []
    for m in FENCE.finditer(text):
        head = text[m.start(): m.start("indent")]
        body = "\n".join(line[len(m["indent"]):] for line in m["body"].splitlines())
        found.append(Block(document, text.count("\n", 0, m.start("indent")) + 1, m["lang"],
                           body + "\n", DIRECTIVE.findall(head)))
    return found


def make_world(folder: Path) -> None:
    shutil.copytree(ROOT / "samples", folder / "samples",
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for name, sample in WORLD.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / sample, folder / name)
    (folder / "belge.csv").write_text(BELGE, encoding="utf-8")
    profile = next(b for b in blocks(ROOT / "docs" / "profiles.md")
                   if b.directive("file ") == "my-shop.toml")
    (folder / "my-shop.toml").write_text(profile.body, encoding="utf-8")
    # oimtool, as the docs write it (and as the README's .venv/bin/oimtool): the installed
    # command, through a script that notes every run and its exit code, for the sh blocks.
    wrapper = folder / ".venv" / "bin" / "oimtool"
    wrapper.parent.mkdir(parents=True)
    wrapper.write_text(f'#!/bin/sh\n"{BIN / "oimtool"}" "$@"\nrc=$?\n'
                       'echo "oimtool $* exited $rc" >> "$DOC_EXAMPLE_LOG"\nexit $rc\n')
    wrapper.chmod(0o755)


def environment(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OIMTOOL_", "FORCE_COLOR", "NO_COLOR", "CI", "GITHUB_"))}
    path = os.pathsep.join([str(folder / ".venv" / "bin"), str(BIN), env.get("PATH", "")])
    env.update(PATH=path, NO_COLOR="1", NO_PROGRESS="1", COLUMNS="100", TERM="dumb",
               LC_ALL="C.UTF-8", HOME=str(folder / ".home"), PYTHONDONTWRITEBYTECODE="1",
               DOC_EXAMPLE_LOG=str(folder / ".home" / "exits"))
    env.pop("PYTHONPATH", None)
    return env


def shell(command: str, cwd: Path, env: dict[str, str],
          program: tuple[str, ...] = ("sh", "-c")) -> subprocess.CompletedProcess[str]:
    """``command`` run by ``program``; what it prints, standard output and error together."""
    return subprocess.run([*program, command], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                          check=False, timeout=300)


def pattern(expected: str) -> re.Pattern[str]:
    """What a shown output matches: ``...`` alone on a line is any lines, in a line any text."""
    parts = []
    for line in expected.splitlines():
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            pieces = [re.escape(piece) for piece in line.rstrip().split("...")]
            parts.append("[^\n]*?".join(pieces) + r"[ \t]*\n")
    return re.compile("".join(parts))


def shown(output: str) -> str:
    """Trailing spaces and blank lines, and the byte-order mark of a CSV report, not shown."""
    lines = [line.rstrip() for line in output.removeprefix("\ufeff").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "".join(line + "\n" for line in lines)


def sessions(body: str) -> list[tuple[str, str]]:
    """The commands of a session and what each one prints."""
    runs: list[tuple[str, list[str]]] = []
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\") and i + 1 < len(lines):
                i += 1
                command = command[:-1] + "\n" + lines[i]
            runs.append((command, []))
        else:
            assert runs, f"output before the first command: {line!r}"
            runs[-1][1].append(line)
        i += 1
    return [(command, "".join(out + "\n" for out in output)) for command, output in runs]


class Runner:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = environment(folder)
        (folder / ".home").mkdir()
        self.exits = folder / ".home" / "exits"
        self.failures: list[str] = []
        self.python_output = ""

    def compare(self, block: Block, command: str, expected: str, cwd: Path) -> None:
        result = shell(command, cwd, self.env)
        actual = shown(result.stdout)
        if "Traceback" in actual:
            self.failures.append(f"{block.where}: `{command}` crashed:\n{actual}")
        elif not pattern(shown(expected)).fullmatch(actual):
            self.failures.append(f"{block.where}: `{command}` printed (exit {result.returncode}):"
                                 f"\n{actual}--- the document shows:\n{expected}")

    def run(self, block: Block) -> None:
        if (reason := block.directive("not run:")) is not None:
            assert len(reason) > 8, f"{block.where}: say why the example is not run"
            return
        if (tool := block.directive("needs ")) is not None and shutil.which(tool) is None:
            return None  # shown for a tool this machine does not have
        cwd = self.folder
        if (folder := block.directive("with ")) is not None:
            shutil.copytree(ROOT / folder, cwd, dirs_exist_ok=True)
        for setup in (d[len("setup "):] for d in block.directives if d.startswith("setup ")):
            result = shell(setup, cwd, self.env)
            assert result.returncode == 0, f"{block.where}: setup `{setup}`: {result.stdout}"
        if (name := block.directive("file ")) is not None:
            name, _, encoding = name.partition(" ")
            target = cwd / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(block.body.encode(encoding or "utf-8"))
            if (then := block.directive("then ")) is not None:
                result = shell(then, cwd, self.env)
                if result.returncode != 0:
                    self.failures.append(f"{block.where}: `{then}` exited {result.returncode}:"
                                         f"\n{result.stdout}")
            return self.parse(block)
        if block.directive("output of ") == "python":
            if not pattern(shown(block.body)).fullmatch(shown(self.python_output)):
                self.failures.append(f"{block.where}: the Python above printed:\n"
                                     f"{self.python_output}--- the document shows:\n{block.body}")
            return None
        if (command := block.directive("output of ")) is not None:
            return self.compare(block, command, block.body, cwd)
        if block.lang == "python":
            result = subprocess.run([sys.executable, "-c", block.body], cwd=cwd, env=self.env,
                                    capture_output=True, text=True, check=False, timeout=300)
            self.python_output = result.stdout
            if result.returncode != 0:
                self.failures.append(f"{block.where}: the Python exited {result.returncode}:\n"
                                     f"{result.stderr}")
            return None
        if block.body.startswith("$ "):
            for command, expected in sessions(block.body):
                self.compare(block, command, expected, cwd)
            return None
        if block.lang == "sh":
            self.exits.write_text("")
            result = shell(block.body, cwd, self.env, ("bash", "-o", "pipefail", "-c"))
            runs = self.exits.read_text().splitlines()
            failed = [run for run in runs if not run.endswith((" exited 0", " exited 1"))]
            if result.returncode not in (0, 1):
                failed.append(f"the script exited {result.returncode}")
            if not runs:
                self.failures.append(f"{block.where}: no oimtool command in it; if it is not "
                                     "to be run, say why (<!-- example: not run: … -->)")
            elif failed or "Traceback" in result.stdout:
                self.failures.append(f"{block.where}: {failed}\n{result.stdout}")
            return None
        return self.parse(block)

    def parse(self, block: Block) -> None:
        """A file, data or a synopsis: it must at least be what its fence says it is."""
        try:
            if block.lang == "toml":
                _tomllib().loads(block.body)
            elif block.lang == "yaml":
                yaml.safe_load(block.body)
            elif block.lang == "json" and "..." not in block.body:
                json.loads(block.body)
            elif block.lang == "xml" and "..." not in block.body:
                ElementTree.fromstring(block.body.encode())
            elif block.lang in ("", "text") and block.body.startswith("oimtool "):
                self.synopsis(block)
            elif block.lang in ("json", "xml") or block.directive("file ") is not None:
                pass
            elif not block.directives:
                self.failures.append(f"{block.where}: what is this block? Say it with a comment "
                                     "(see tests/cli/test_doc_examples.py)")
            else:
                self.failures.append(f"{block.where}: a block of {block.lang!r}: how to run it?")
        except (ValueError, SyntaxError, yaml.YAMLError, ElementTree.ParseError) as exc:
            self.failures.append(f"{block.where}: not valid {block.lang}: {exc}")


    def synopsis(self, block: Block) -> None:
        from typer.main import get_command

        from oimtool.cli import app

        commands = get_command(app).commands  # type: ignore[attr-defined]
        word = block.body.split()[1]
        if not word.startswith(("[", "-")) and word not in commands:
            self.failures.append(f"{block.where}: no command {word!r}")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_examples_print_what_the_document_shows(tmp_path, document):
    make_world(tmp_path)
    runner = Runner(tmp_path)
    for block in blocks(document):
        runner.run(block)
    assert not runner.failures, "\n\n".join(runner.failures)


def test_the_pattern_of_a_cut():
    assert pattern("a\n...\nd\n").fullmatch("a\nb\nc\nd\n")
    assert pattern("a\n...\nd\n").fullmatch("a\nd\n")
    assert not pattern("a\nd\n").fullmatch("a\nb\nd\n")
    assert pattern("x: ... rows\n").fullmatch("x: 7 items, 0 rejected rows\n")
    assert not pattern("x: rows\n").fullmatch("x: 7 rows\n")
    assert not pattern("a\n...\n").fullmatch("b\nc\n")
