"""A student's progress in a release: hints revealed and the last result of each exercise,
kept in `.autograder/progress.json` beside the release data."""
from __future__ import annotations

import json
from pathlib import Path

FILE = Path(".autograder") / "progress.json"


class Progress:
    def __init__(self, root: Path):
        self.path = Path(root) / FILE
        try:
            self.data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {}
        self.data.setdefault("hints", {})
        self.data.setdefault("results", {})

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1), encoding="utf-8")
        tmp.replace(self.path)

    def hints_seen(self, exercise: str) -> int:
        return int(self.data["hints"].get(exercise, 0))

    def reveal_hint(self, exercise: str, available: int) -> int | None:
        """The index of the next hint (and remember it), or None when all are shown."""
        seen = self.hints_seen(exercise)
        if seen >= available:
            return None
        self.data["hints"][exercise] = seen + 1
        return seen

    def hint_to_show(self, result) -> int:
        """The hint a failing result shows: the last one revealed, or the first, which then counts
        as revealed (so that `autograder hint` goes on with the second)."""
        seen = self.hints_seen(result.id)
        if not result.passed and result.hints and seen == 0:
            self.reveal_hint(result.id, len(result.hints))
        return max(0, seen - 1)

    def record(self, results) -> None:
        for result in results:
            self.data["results"][result.id] = {"score": result.score, "max_score": result.max_score, "passed": result.passed}

    def result(self, exercise: str) -> dict | None:
        return self.data["results"].get(exercise)
