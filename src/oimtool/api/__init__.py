"""The library's entry points: ``check``, ``convert``, ``fix`` and ``upload``, as the command line
runs them; a module each (``checking``, ``converting``, ``fixing``, ``uploading``), and what they
share in ``common``.

Each takes an options object (resolved from the settings file and what the caller asked, by
``*Options.resolve``) and a ``Sink`` that receives the problems as they are found (a reporter);
``check()``, ``convert()`` and ``fix()`` are the same collecting everything into a ``Report``::

    from oimtool.api import check, convert, fix

    report = check(["items.json"], orders=["orders.json"])
    for problem in report.problems:
        print(problem.location.line, problem.code, problem.message)

Nothing here prints: what the user should hear besides the report goes to ``notify``.
"""

from .checking import CheckOptions, check, run_check, spooled
from .common import Collector, Progress, Report
from .converting import ConvertOptions, convert, run_convert
from .fixing import FixOptions, fix, run_fix
from .uploading import UploadOptions, UploadOutcome, run_upload

__all__ = ["CheckOptions", "Collector", "ConvertOptions", "FixOptions", "Progress", "Report",
           "UploadOptions", "UploadOutcome", "check", "convert", "fix", "run_check",
           "run_convert", "run_fix", "run_upload", "spooled"]
