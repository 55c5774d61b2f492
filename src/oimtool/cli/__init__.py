"""The command line: options in, exit code out. All the work happens in importable modules
(``oimtool.api``); this package parses options, picks the report, and maps the outcome to an
exit code: 0 no errors (warnings allowed unless --strict), 1 the data has errors, 2 oimtool
could not run as asked, 3 an internal error (a bug: please report it), 130/143 interrupted.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
from collections.abc import Sequence

from ..tuning import Tuning
from . import check, convert, fix, info, profiles, upload  # noqa: F401 - each registers its command
from .app import EXIT_INTERNAL, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, app
from .options import ReportFormat

__all__ = ["EXIT_INTERNAL", "EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "ReportFormat", "app",
           "main"]


def main(argv: list[str] | None = None, *, tuning: Tuning | None = None) -> int:
    """Run the command line and return the exit code (the console script exits with it).
    ``tuning``: sizes for cutting and spreading work (tests pass small ones)."""
    from ..errors import Interrupted, OimtoolError

    # Conversions and checks allocate millions of short-lived objects and few cycles: collect
    # less often (a tenth of the run time, measured), as the workers do (workers._started).
    gc.set_threshold(100_000, 20, 20)
    _handle_signals()
    _written().clear()
    try:
        result = app(args=_bare_extra(sys.argv[1:] if argv is None else argv),
                     prog_name="oimtool", standalone_mode=False, obj=tuning)
    except OimtoolError as exc:
        print(f"oimtool: error: {exc}", file=sys.stderr)
        if _written():
            print(f"oimtool: {_left()}", file=sys.stderr)
        return EXIT_USAGE
    except Interrupted as exc:
        what = "interrupted" if exc.signum == signal.SIGINT else "terminated"
        if exc.note:
            print(f"oimtool: {what}; {exc.note}", file=sys.stderr)
        else:
            print(f"oimtool: {what}; {_left(exc.written)}", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:  # before the handler was in place
        print(f"oimtool: interrupted; {_left()}", file=sys.stderr)
        return 130
    except Exception as exc:
        code = _click_exit(exc)
        if code is not None:
            return code
        if os.environ.get("OIMTOOL_TRACEBACK"):
            raise
        print(f"oimtool: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug: please report it (set OIMTOOL_TRACEBACK=1 to see the details).",
              file=sys.stderr)
        return EXIT_INTERNAL
    return result if isinstance(result, int) else EXIT_OK


def _written() -> list[str]:
    """The outputs this run has put in place (``output.written``; none when the module that
    writes them was never loaded)."""
    output = sys.modules.get("oimtool.output")
    return output.written if output is not None else []


def _left(unchecked: Sequence[str] = ()) -> str:
    """What a run cut short leaves written: ``unchecked``, outputs put in place whose check
    was cut short (fix), and the others."""
    def names(paths: Sequence[str]) -> str:
        shown = ", ".join(paths[:10])
        return shown if len(paths) <= 10 else f"{shown} and {len(paths) - 10} more"

    done = [path for path in _written() if path not in unchecked]
    said = []
    if done:
        said.append(f"already written: {names(done)}")
    if unchecked:
        said.append(f"already written, before their check ended: {names(unchecked)}")
    return "; ".join(said) or "nothing was written"


def _bare_extra(argv: list[str]) -> list[str]:
    """``--extra`` alone (before another option, the export, or nothing) means ``--extra
    all``, as it did when it was a flag: convert's arguments are rewritten so."""
    if "--extra" not in argv or not argv or argv[0] != "convert":
        return argv
    args = list(argv)
    for k, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--extra":
            following = args[k + 1] if k + 1 < len(args) else None
            if following is None or following.startswith("-") or os.path.isfile(following):
                args[k] = "--extra=all"
    return args


def _handle_signals() -> None:
    """Ctrl-C and SIGTERM unwind (removing temporary files) to one line and exit code 130 or
    143; a file size limit (SIGXFSZ) makes a write fail, which is reported, instead of killing
    the process. A SIGINT ignored by the parent (a background job) stays ignored."""
    from ..errors import interrupt

    with contextlib.suppress(ValueError):  # not the main thread (a test runner): leave them
        signal.signal(signal.SIGTERM, interrupt)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, interrupt)
        if hasattr(signal, "SIGXFSZ"):
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _click_exit(exc: Exception) -> int | None:
    """The exit code for click's own exceptions (typer may vendor click, so duck-typed)."""
    if type(exc).__name__ == "Abort":  # click turns Ctrl-C into Abort
        print("oimtool: interrupted", file=sys.stderr)
        return 130
    show = getattr(exc, "show", None)
    exit_code = getattr(exc, "exit_code", None)
    if callable(show) and isinstance(exit_code, int):  # ClickException: usage errors
        show()
        return exit_code
    return None
