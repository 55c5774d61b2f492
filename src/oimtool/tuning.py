"""The sizes that decide how work is cut, batched and spread over worker processes.

One object, passed down to whatever cuts or batches: the defaults suit real files; tests pass a
``Tuning`` of tiny sizes so that every path (pieces, workers, shared memory, spilling to disk)
runs on a file of a few kilobytes.
"""

# No `from __future__ import annotations` here: typing.NamedTuple would compile each field's
# annotation text at import (a ForwardRef), and a pre-commit hook starts often.

from typing import NamedTuple


class Tuning(NamedTuple):
    """Sizes for cutting and spreading work (bytes, rows or items), and the waits of an
    upload."""

    #: Files smaller than this are read in this process: forking would cost more than it saves.
    parallel_min_bytes: int = 16 << 20
    #: The size of a piece of a JSON or CSV file that a worker reads itself, and the window
    #: searched for a cut near its end (JSON).
    piece_bytes: int = 512 << 10
    window_bytes: int = 64 << 10
    #: Pieces in flight per worker: enough to keep them busy, few enough to keep memory flat.
    ahead: int = 4
    #: Each worker's ring of shared memory for its large results, and the smallest result that
    #: goes that way (see ``workers.Shuttle``).
    shuttle_bytes: int = 16 << 20
    shuttle_smallest: int = 64 << 10
    #: Data rows per batch of a conversion: the unit of work of a worker process.
    batch_rows: int = 2000
    #: A sheet of this many rows or more is converted by worker processes, in pieces of
    #: ``sheet_piece_rows`` rows (few in flight: memory stays flat).
    sheet_parallel_rows: int = 50_000
    sheet_piece_rows: int = 10_000
    #: A sheet read as a stream goes to the workers as pieces of its XML of about this size.
    xml_piece_bytes: int = 1 << 20
    #: The bytes the JSON reader reads at a time.
    chunk_bytes: int = 256 << 10
    #: Item fingerprints kept in memory to find repeated items before the rest go to disk.
    seen_in_memory: int = 1_000_000
    #: The waits of ``oimtool upload`` (seconds): the first look at a migration's progress and
    #: the longest wait between two (the wait doubles); a request's timeout; how often a
    #: request that may be repeated is (a progress read, a post that could not connect or got
    #: 429); the longest Retry-After honoured.
    poll_first: float = 1.0
    poll_max: float = 30.0
    http_timeout: float = 300.0
    http_retries: int = 5
    retry_after_max: float = 300.0


DEFAULT = Tuning()
