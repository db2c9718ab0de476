"""The gradebook: SQLite (WAL), one attempt per graded (student, assignment) submission.

Each submission's results are written in one transaction, so a grader killed at any moment leaves
either all of a submission's rows or none. An attempt records the content hash of the submission and
of the course; `already_graded` lets a rerun skip what is unchanged, and a regrade adds a new attempt
and keeps the old ones as history (only the newest attempt is `current`).
"""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    course_hash TEXT NOT NULL,
    origin TEXT NOT NULL,
    graded_at REAL NOT NULL,
    seconds REAL NOT NULL,
    sandbox TEXT NOT NULL,
    problem TEXT,
    current INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS attempts_key ON attempts (student, assignment, current);
CREATE TABLE IF NOT EXISTS exercises (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    exercise TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    passed INTEGER NOT NULL,
    error TEXT,
    result TEXT NOT NULL,
    PRIMARY KEY (attempt_id, exercise)
);
CREATE TABLE IF NOT EXISTS checks (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    exercise TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    visibility TEXT NOT NULL,
    passed INTEGER NOT NULL,
    total INTEGER NOT NULL,
    failure TEXT,
    PRIMARY KEY (attempt_id, exercise, name)
);
CREATE TABLE IF NOT EXISTS mistakes (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    exercise TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (attempt_id, exercise, name)
);
"""


class Gradebook:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def already_graded(self, student: str, assignment: str, content_hash: str, course_hash: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM attempts WHERE student=? AND assignment=? AND current=1 AND content_hash=? AND course_hash=?",
            (student, assignment, content_hash, course_hash)).fetchone()
        return row is not None

    def record(self, student: str, assignment: str, content_hash: str, course_hash: str, origin: str,
               seconds: float, sandbox: str, problem: str | None, results: list[dict]) -> int:
        """Write one graded submission atomically; earlier attempts stay as history."""
        with self.db:  # no-op in autocommit mode; BEGIN/COMMIT below make the transaction explicit
            pass
        cursor = self.db.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            cursor.execute("UPDATE attempts SET current=0 WHERE student=? AND assignment=? AND current=1", (student, assignment))
            cursor.execute(
                "INSERT INTO attempts (student, assignment, content_hash, course_hash, origin, graded_at, seconds, sandbox, problem)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (student, assignment, content_hash, course_hash, origin, time.time(), seconds, sandbox, problem))
            attempt = cursor.lastrowid
            for result in results:
                cursor.execute(
                    "INSERT INTO exercises (attempt_id, exercise, score, max_score, passed, error, result) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (attempt, result["id"], result["score"], result["max_score"], int(result["passed"]), result["error"],
                     json.dumps(result)))
                for group in result["groups"]:
                    failure = group.get("failure")
                    cursor.execute(
                        "INSERT INTO checks (attempt_id, exercise, name, kind, visibility, passed, total, failure)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (attempt, result["id"], group["name"], group["kind"], group["visibility"], group["passed"],
                         group["total"], failure["summary"] if failure else None))
                for mistake in result["mistakes"]:
                    cursor.execute("INSERT OR IGNORE INTO mistakes (attempt_id, exercise, name) VALUES (?, ?, ?)",
                                   (attempt, result["id"], mistake["name"]))
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        return attempt

    # ------------------------------------------------------------ reading
    def current_results(self) -> list[dict]:
        """Every current exercise result: student, assignment and the stored result dict."""
        rows = self.db.execute(
            "SELECT a.student, a.assignment, a.seconds, a.problem, a.origin, e.result FROM attempts a"
            " JOIN exercises e ON e.attempt_id = a.id WHERE a.current = 1 ORDER BY a.student, a.assignment, e.rowid").fetchall()
        out = []
        for student, assignment, seconds, problem, origin, result in rows:
            data = json.loads(result)
            data.update(student=student, assignment=assignment, attempt_seconds=seconds, problem=problem, origin=origin)
            out.append(data)
        return out

    def counts(self) -> dict:
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {"attempts": one("SELECT COUNT(*) FROM attempts"), "current": one("SELECT COUNT(*) FROM attempts WHERE current=1"),
                "exercises": one("SELECT COUNT(*) FROM exercises"), "checks": one("SELECT COUNT(*) FROM checks")}

    def mistake_counts(self) -> list[tuple[str, str, int]]:
        return self.db.execute(
            "SELECT m.exercise, m.name, COUNT(*) FROM mistakes m JOIN attempts a ON a.id = m.attempt_id"
            " WHERE a.current = 1 GROUP BY m.exercise, m.name ORDER BY COUNT(*) DESC, m.exercise").fetchall()

    def failing_checks(self) -> list[tuple[str, str, int, int]]:
        """(exercise, check, students failing it, students attempting it), most failed first."""
        return self.db.execute(
            "SELECT c.exercise, c.name, SUM(c.passed < c.total), COUNT(*) FROM checks c JOIN attempts a ON a.id = c.attempt_id"
            " WHERE a.current = 1 GROUP BY c.exercise, c.name HAVING SUM(c.passed < c.total) > 0"
            " ORDER BY SUM(c.passed < c.total) DESC, c.exercise").fetchall()
