"""Model snapshots as bytes in the database: pickled, compressed, and signed with the installation's secret
key, so that only what our own matching worker wrote is ever unpickled (a row changed by anyone without
the key is refused, not loaded)."""
from __future__ import annotations

import hashlib
import hmac
import pickle
import zlib

from ..matching.model import MatchModel

SIGNATURE = 32  # bytes of HMAC-SHA256 in front of the payload


class BadSnapshot(Exception):
    """The stored bytes were not written by this installation's worker."""


def dump(model: MatchModel, key: str) -> bytes:
    payload = zlib.compress(pickle.dumps(model, protocol=5), 1)
    return hmac.new(key.encode(), payload, hashlib.sha256).digest() + payload


def load(data: bytes, key: str) -> MatchModel:
    signature, payload = data[:SIGNATURE], data[SIGNATURE:]
    if not hmac.compare_digest(signature, hmac.new(key.encode(), payload, hashlib.sha256).digest()):
        raise BadSnapshot("the model snapshot's signature does not match this installation's SECRET_KEY")
    # signed by our own worker, checked above: only our own bytes are unpickled
    return pickle.loads(zlib.decompress(payload))  # nosec B301
