"""``python -m oimtool``, and the ``oimtool`` command: ``cli.main``, with a stop (Ctrl-C,
SIGTERM) that comes while it loads, or once it has ended, handled too."""

import signal
import sys


def run() -> None:
    """Run the command line and exit with its code.

    Loading takes a fifth of a second, with signals held back: a stop then would leave a
    traceback, or crash a C extension as it loads (orjson, interrupted as it imports, ends
    the process with SIGSEGV); it takes effect as soon as ``main`` can answer it, with one
    line and exit code 130 or 143. Once ``main`` has ended, a stop ends the process as the
    signal does, without a word (its outputs are complete)."""
    stops = {signal.SIGINT, signal.SIGTERM}
    held = hasattr(signal, "pthread_sigmask")
    if held:
        signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    import orjson  # noqa: F401 - loaded here, with signals held

    from oimtool.cli import main
    from oimtool.errors import Interrupted, interrupt

    signal.signal(signal.SIGTERM, interrupt)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, interrupt)
    code = None
    try:
        if held:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)  # a stop while loading: here
        code = main()
        _ended(stops)
    except Interrupted as stop:
        if code is None:  # before main could answer it
            what = "interrupted" if stop.signum == signal.SIGINT else "terminated"
            print(f"oimtool: {what}; nothing was written", file=sys.stderr)
            code = 128 + stop.signum
        _ended(stops)
    sys.exit(code)


def _ended(stops: set[signal.Signals]) -> None:
    for signum in stops:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, signal.SIG_DFL)


if __name__ == "__main__":
    run()
