"""Reference answers kept between workers and between runs (OUT/.cache/reference.db).

Every worker of a batch needs the reference's answer for each case it grades. Generated cases come
from per-exercise pools shared by the whole class, so without this store each worker recomputes the
same answers (a `solveset` or a `limit` costs milliseconds each), and every later run (late
submissions, `--regrade`, a resume after a crash) pays for all of them again.

What is stored is trusted: answers of the course's own reference and mistake code, written by the
grader's own workers, in the same safe encoding as everything else (JSON trees and `.npy` bytes; no
pickle). An answer is stored only when it reads back identical to what the reference returned (same
types, same array bytes, structurally equal sympy), so a cached answer grades exactly as a fresh one;
the rest are simply recomputed. Rows belong to one version of the course (`course_hash`): a change
to an exercise or a solution starts the store afresh. The file holds reference answers: it belongs
with the gradebook, not with anything handed to students.
"""
from __future__ import annotations

import math
import sqlite3
import struct
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from .wire import WireError, decode, encode, pack_message, unpack_messages

WORTH_STORING = 0.0005  # seconds: cheaper answers are recomputed rather than read back


class ReferenceStore:
    def __init__(self, path: Path | str, version: str):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.version = version
        self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=OFF")  # a cache: losing its last writes costs only time
        self.db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, version TEXT NOT NULL, "
                        "payload BLOB NOT NULL)")
        self.db.execute("DELETE FROM answers WHERE version != ?", (version,))
        self.pending: list[tuple[str, str, bytes]] = []
        self.hits = self.stored = 0
        self.broken = False

    def _give_up(self, exc: Exception) -> None:
        if not self.broken:
            print(f"warning: reference cache not used from here on: {exc}", file=sys.stderr)
        self.broken = True
        self.pending = []

    def get(self, key: str):
        """The stored Outcome for key, or None."""
        from .grade import Outcome

        if self.broken:
            return None
        try:
            row = self.db.execute("SELECT payload FROM answers WHERE key = ? AND version = ?",
                                  (key, self.version)).fetchone()
        except sqlite3.Error as exc:  # a damaged cache costs time, never a grade: stop using it
            self._give_up(exc)
            return None
        if row is None:
            return None
        try:
            messages, _ = unpack_messages(bytes(row[0]))
            header, blobs = messages[0]
            value = decode(header["value"], blobs, trusted=True)
        except (WireError, ValueError, KeyError, TypeError, IndexError):
            return None
        self.hits += 1
        return Outcome(header["kind"], value, list(header["exc_mro"]), header["message"], bool(header["warned"]),
                       bool(header.get("mutated")))

    def put(self, key: str, outcome, seconds: float) -> None:
        """Remember outcome if it took long enough to compute and reads back identical."""
        if seconds < WORTH_STORING:
            return
        try:
            blobs: list[bytes] = []
            tree, _ = encode(outcome.value, blobs)
            if not identical(outcome.value, decode(tree, blobs, trusted=True)):
                return
            header = {"kind": outcome.kind, "value": tree, "exc_mro": list(outcome.exc_mro),
                      "message": str(outcome.message), "warned": bool(outcome.warned), "mutated": bool(outcome.mutated)}
            payload = pack_message(header, blobs)
        except Exception:  # noqa: BLE001 - anything the encoding cannot carry is recomputed next time
            return
        self.pending.append((key, self.version, payload))

    def flush(self) -> None:
        if not self.pending or self.broken:
            return
        rows, self.pending = self.pending, []
        for attempt in range(3):
            try:
                with self.db:
                    self.db.execute("BEGIN")
                    self.db.executemany("INSERT OR IGNORE INTO answers (key, version, payload) VALUES (?, ?, ?)", rows)
                self.stored += len(rows)
                return
            except sqlite3.OperationalError:  # busy beyond the timeout: a cache may skip a write
                time.sleep(0.05 * (attempt + 1))
            except sqlite3.Error as exc:
                self._give_up(exc)
                return

    def close(self) -> None:
        self.flush()
        self.db.close()


def identical(a: Any, b: Any) -> bool:
    """Same value and same types all the way down (what a comparison or a message could notice)."""
    sympy = sys.modules.get("sympy")
    if sympy is not None and isinstance(a, sympy.MatrixBase):
        # matrices are rebuilt immutable; every comparison treats both kinds alike
        return isinstance(b, sympy.MatrixBase) and a.shape == b.shape and all(
            identical(x, y) for x, y in zip(a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(identical(a[k], b[k]) for k in a)
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if sympy is not None and isinstance(a, sympy.Basic):
        return a == b and sympy.srepr(a) == sympy.srepr(b)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False
