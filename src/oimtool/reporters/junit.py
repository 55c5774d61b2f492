"""JUnit XML, for CI systems that show test reports: a test case per file, a failure per
problem (a note is listed in the case's output, not as a failure)."""

from __future__ import annotations

from typing import IO, Any
from xml.etree import ElementTree as ET

from ..problems import Problem, Summary
from ..rules import Severity
from . import Reporter
from .text import location


class JunitReporter(Reporter):
    def __init__(self, out: IO[bytes], **options: Any) -> None:
        super().__init__(out, **options)
        self._files: dict[str, list[Problem]] = {}
        self._outputs: dict[str, str] = {}  # fix: output -> its input, whose case it is

    def begin(self, file: str, output: str | None = None) -> None:
        self._files.setdefault(file, [])
        if output is not None:
            self._outputs[output] = file

    def add(self, problem: Problem) -> None:
        file = self._outputs.get(problem.location.file, problem.location.file)
        self._files.setdefault(file, []).append(problem)

    def close(self, summary: Summary) -> None:
        suites = ET.Element("testsuites", name="oimtool")
        suite = ET.SubElement(suites, "testsuite", name=f"oimtool {self.command}")
        failures = 0
        for file, problems in self._files.items():
            case = ET.SubElement(suite, "testcase", classname=f"oimtool.{self.command}",
                                 name=file)
            notes = []
            for problem in problems:
                where = location(problem)
                if problem.severity is Severity.NOTE:
                    notes.append(f"{where}: {problem.code} {problem.message}")
                    continue
                failures += 1
                failure = ET.SubElement(
                    case, "failure", type=problem.code,
                    message=f"{problem.severity.value}: {problem.message}")
                failure.text = f"{where}: {problem.code} {problem.message}"
            if notes:
                ET.SubElement(case, "system-out").text = "\n".join(notes)
        tests = str(len(self._files))
        for element in (suites, suite):
            element.set("tests", tests)
            element.set("failures", str(failures))
            element.set("errors", "0")
        ET.indent(suites)
        self.out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        self.out.write(ET.tostring(suites, encoding="utf-8") + b"\n")
        self.out.flush()
