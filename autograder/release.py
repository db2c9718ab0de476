"""Reading a student release: the public course data and the stored expectations (no references)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .build import RELEASE_DATA, RELEASE_DIGEST, RELEASE_FORMAT
from .grade import Outcome, PreparedCase, remember_case
from .course import Course, CourseRecord, ExerciseRecord, SpecError
from .wire import decode


def find_release(start: Path | str = ".") -> Path | None:
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / RELEASE_DATA).exists():
            return folder
    return None


class ReleaseOracle:
    """Expected outputs of public cases as stored by `autograder build`."""

    # the release's generated cases are drawn afresh for each local check (none of them is graded),
    # so a failing one may be shown in full
    fresh_inputs = True

    def __init__(self, data: dict):
        self._expected: dict[tuple, dict] = {}
        for exercise_id, entry in data["exercises"].items():
            for item in entry["expectations"]:
                self._expected[(exercise_id, item["group"], item["index"])] = item

    def _item(self, case: PreparedCase) -> dict | None:
        return self._expected.get((case.exercise.id, case.group.name, case.index))

    def expected(self, case: PreparedCase) -> Outcome | None:
        item = self._item(case)
        return _outcome(item["expected"]) if item and "expected" in item else None

    def mistake(self, case: PreparedCase, index: int) -> Outcome | None:
        item = self._item(case)
        if not item or index >= len(item.get("mistakes", [])):
            return None
        return _outcome(item["mistakes"][index])


def _outcome(tree: dict) -> Outcome:
    if "raised" in tree:
        return Outcome("raised", exc_mro=list(tree["raised"]), warned=bool(tree.get("warned")),
                       mutated=bool(tree.get("mutated")))
    return Outcome("value", decode(tree["value"], trusted=False), warned=bool(tree.get("warned")),
                   mutated=bool(tree.get("mutated")))


def load_release(root: Path) -> tuple[Course, ReleaseOracle]:
    path = Path(root) / RELEASE_DATA
    try:
        raw = path.read_bytes()
        data = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise SpecError([f"{path}:1:1: cannot read the release data: {exc}"]) from None
    if not isinstance(data, dict) or data.get("format") != RELEASE_FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise SpecError([f"{path}:1:1: this release was built by another version of autograder (format {found})"])
    digest = Path(root) / RELEASE_DIGEST
    try:
        intact = digest.read_text(encoding="ascii").strip() == hashlib.sha256(raw).hexdigest()
    except (OSError, ValueError):
        intact = False
    if not intact:
        raise SpecError([f"{path}:1:1: the release data was changed after `autograder build` wrote it "
                         f"(it does not match {digest.name})"])
    try:
        # validated when the release was built: read back as plain records (no pydantic, see course.py)
        spec = CourseRecord.read(data["course"], f"{path}: course")
        exercises = {}
        for assignment in spec.assignments:
            for exercise_id in assignment.exercises:
                exercise = ExerciseRecord.read(data["exercises"][exercise_id]["spec"], f"{path}: exercise {exercise_id}")
                exercise.assignment = assignment.id
                exercises[exercise_id] = exercise
    except (KeyError, TypeError, AttributeError) as exc:  # a file that matches its digest but not this version
        raise SpecError([f"{path}:1:1: the release data is incomplete ({type(exc).__name__}: {exc})"]) from None
    course = Course(Path(root), spec, exercises)
    for exercise_id, exercise in exercises.items():
        groups = {g.name: g for g in exercise.checks}
        for item in data["exercises"][exercise_id]["expectations"]:
            if "inputs" in item and item["group"] in groups:
                remember_case(course, exercise, groups[item["group"]], item["index"], item["inputs"]["args"],
                              item["inputs"]["kwargs"])
    return course, ReleaseOracle(data)
