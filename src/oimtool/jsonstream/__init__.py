"""Read order-item (and order) files: top-level JSON arrays, streamed in batches of items, with
exact positions for the items that have problems, and spread over worker processes when large.
"""

from .batch import Batch, RawBatch
from .encoding import detect_encoding
from .pieces import Placed, View, rebase, stream, worth_parallel
from .reader import ArrayReader, EmptyArray, Part, Resume, UnreadableItem
from .tokens import Repeat, value_at

__all__ = ["ArrayReader", "Batch", "EmptyArray", "Part", "Placed", "RawBatch", "Repeat", "Resume",
           "UnreadableItem", "View", "detect_encoding", "rebase", "stream", "value_at",
           "worth_parallel"]
