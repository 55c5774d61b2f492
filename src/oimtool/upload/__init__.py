"""``oimtool upload``: checked files cut into parts and posted to Omnitron's old order item
migration, each part once (the ledger), followed to its end (the progress endpoint)."""

from .ledger import Attempt, Ledger
from .omnitron import AuthFailed, Counts, Omnitron, UploadStop, base_url
from .parts import Part, cut, remove
from .run import (
    ALL,
    Credentials,
    Decision,
    Events,
    Result,
    Target,
    decide,
    file_sha256,
    send,
    status,
)

__all__ = ["ALL", "Attempt", "AuthFailed", "Counts", "Credentials", "Decision", "Events",
           "Ledger", "Omnitron", "Part", "Result", "Target", "UploadStop", "base_url", "cut",
           "decide", "file_sha256", "remove", "send", "status"]
