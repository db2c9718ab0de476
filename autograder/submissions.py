"""Finding and reading submissions: folders per student, one zip per student, nbgrader's `submitted/` tree.

Everything here runs in the trusted grader on untrusted files, so it only reads: sizes are capped,
zip entries are matched by base name and never extracted, notebooks are parsed as JSON by nbformat
(upgraded to version 4, not schema-validated) and only their code cells' text is kept (IPython magics become comments). Nothing is executed.
"""
from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 2 * 2**20
MAX_ZIP_ENTRIES = 2000
_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$")


@dataclass
class Submission:
    """One student's code for one assignment, as text, with where it came from."""

    student: str
    assignment: str
    source: str = ""
    origin: str = ""
    problem: str | None = None         # a reason the file could not be read; graded as zero with it

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.problem}\0{self.source}".encode("utf-8", "replace")).hexdigest()


@dataclass
class Discovery:
    submissions: list[Submission] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def notebook_source(text: str) -> str:
    """The code cells of a notebook, joined; magics and shell escapes are commented out."""
    import nbformat
    import nbformat.reader

    # parsed and upgraded to v4 without schema validation (which costs 25x the parse): only the
    # code cells' text is used, and their shape is checked here
    notebook = nbformat.convert(nbformat.reader.reads(text), 4)
    if not isinstance(notebook.get("cells"), list):
        raise ValueError("the notebook has no list of cells")
    cells = []
    for cell in notebook.cells:
        if not isinstance(cell, dict):
            raise ValueError("a cell is not a JSON object")
        if cell.get("cell_type") != "code" or _is_check_cell(cell):
            continue
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(str(part) for part in cell["source"])
        lines = []
        for line in str(cell.get("source", "")).splitlines():
            stripped = line.lstrip()
            lines.append(("# " + line) if stripped.startswith(("%", "!")) else line)
        cells.append("\n".join(lines))
    return "\n\n".join(cells) + "\n"


def _is_check_cell(cell) -> bool:
    """Cells that test rather than answer: nbgrader's autograder tests and our own check cells."""
    meta = cell.get("metadata", {})
    nbgrader = meta.get("nbgrader", {}) if isinstance(meta.get("nbgrader"), dict) else {}
    if nbgrader.get("grade") and not nbgrader.get("solution"):
        return True
    if isinstance(meta.get("autograder"), dict):
        return True
    source = str(cell.get("source", ""))
    return source.lstrip().startswith(("from autograder import", "import autograder"))


def read_text(data: bytes, name: str) -> tuple[str, str | None]:
    """(source, problem) from a .py or .ipynb file's bytes."""
    if len(data) > MAX_FILE_BYTES:
        return "", f"{name} is larger than {MAX_FILE_BYTES // 2**20} MB"
    text = data.decode("utf-8", errors="replace")
    if name.endswith(".ipynb"):
        try:
            return notebook_source(text), None
        except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds on malformed JSON
            return "", f"{name} is not a readable notebook ({type(exc).__name__}: {str(exc)[:200]})"
    return text, None


def _read_file(path: Path) -> tuple[str, str | None]:
    try:
        if path.is_symlink():
            return "", f"{path.name} is a symbolic link; submit the file itself"
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return "", f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MB"
        return read_text(path.read_bytes(), path.name)
    except OSError as exc:
        return "", f"{path.name} could not be read: {exc.strerror}"


def discover(root: Path, assignments: list[str]) -> Discovery:
    """Every (student, assignment) submission under root, in a stable order."""
    root = Path(root)
    found = Discovery()
    if not root.is_dir():
        found.warnings.append(f"{root}: not a folder")
        return found
    nbgrader = root / "submitted" if (root / "submitted").is_dir() else None
    if nbgrader is not None or root.name == "submitted":
        _discover_nbgrader(nbgrader or root, assignments, found)
        return found
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and not entry.is_symlink():
            _discover_folder(entry, assignments, found)
        elif entry.suffix == ".zip" and entry.is_file():
            _discover_zip(entry, assignments, found)
        else:
            found.warnings.append(f"{entry.name}: ignored (expected one folder or one .zip per student)")
    return found


def _valid_student(name: str, found: Discovery, where: str) -> bool:
    if not _STUDENT_ID.match(name):
        found.warnings.append(f"{where}: {name!r} is not a usable student id (letters, digits, _.@+- only)")
        return False
    return True


def _pick(candidates: dict[str, tuple[str, str | None, str]], assignment: str):
    """Prefer the .py file; fall back to the notebook."""
    return candidates.get(f"{assignment}.py") or candidates.get(f"{assignment}.ipynb")


def _discover_folder(folder: Path, assignments: list[str], found: Discovery) -> None:
    student = folder.name
    if not _valid_student(student, found, str(folder)):
        return
    files = {p.name: p for p in folder.iterdir() if p.is_file() or p.is_symlink()}
    known = {f"{a}{ext}" for a in assignments for ext in (".py", ".ipynb")}
    for name in sorted(files):
        if name not in known and name.endswith((".py", ".ipynb")):
            close = [k for k in known if k.lower() == name.lower()]
            hint = f" (did you mean {close[0]}?)" if close else ""
            found.warnings.append(f"{student}: {name} does not match any assignment{hint}")
    for assignment in assignments:
        chosen = None
        for ext in (".py", ".ipynb"):
            if f"{assignment}{ext}" in files:
                chosen = files[f"{assignment}{ext}"]
                break
        if chosen is None:
            found.submissions.append(_missing(student, assignment, str(folder), list(files)))
            continue
        source, problem = _read_file(chosen)
        found.submissions.append(Submission(student, assignment, source, str(chosen), problem))


def _missing(student: str, assignment: str, origin: str, names: list[str]) -> Submission:
    """No file for this assignment: graded as zero, with the reason (and a near miss, if any)."""
    close = [n for n in names if n.lower() in (f"{assignment}.py", f"{assignment}.ipynb") or n.lower().startswith(assignment)]
    reason = f"no submission: expected {assignment}.py or {assignment}.ipynb"
    if close:
        reason += f" (found {close[0]}: file names are case-sensitive and must match exactly)"
    return Submission(student, assignment, "", origin, reason)


def _discover_zip(path: Path, assignments: list[str], found: Discovery) -> None:
    student = path.stem
    if not _valid_student(student, found, str(path)):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                found.warnings.append(f"{path.name}: more than {MAX_ZIP_ENTRIES} entries; not read")
                return
            by_name: dict[str, zipfile.ZipInfo] = {}
            for info in infos:
                base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
                if info.is_dir() or "__MACOSX" in info.filename or base.startswith("."):
                    continue
                by_name.setdefault(base, info)
            for assignment in assignments:
                info = by_name.get(f"{assignment}.py") or by_name.get(f"{assignment}.ipynb")
                if info is None:
                    found.submissions.append(_missing(student, assignment, str(path), list(by_name)))
                    continue
                origin = f"{path}!{info.filename}"
                if info.file_size > MAX_FILE_BYTES:
                    found.submissions.append(Submission(student, assignment, "", origin, f"{info.filename} is larger than {MAX_FILE_BYTES // 2**20} MB"))
                    continue
                with archive.open(info) as handle:
                    data = handle.read(MAX_FILE_BYTES + 1)
                source, problem = read_text(data, info.filename)
                found.submissions.append(Submission(student, assignment, source, origin, problem))
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
        found.warnings.append(f"{path.name}: not a readable zip file ({exc})")
        for assignment in assignments[:1]:
            found.submissions.append(Submission(student, assignment, "", str(path), f"{path.name} is not a readable zip file"))


def _discover_nbgrader(submitted: Path, assignments: list[str], found: Discovery) -> None:
    for student_dir in sorted(p for p in submitted.iterdir() if p.is_dir()):
        if not _valid_student(student_dir.name, found, str(student_dir)):
            continue
        for assignment in assignments:
            folder = student_dir / assignment
            if not folder.is_dir():
                found.submissions.append(_missing(student_dir.name, assignment, str(student_dir), []))
                continue
            notebooks = sorted(folder.glob("*.ipynb"))
            modules = sorted(folder.glob("*.py"))
            chosen = next((p for p in notebooks if p.stem == assignment), None) or (notebooks[0] if notebooks else None)
            chosen = chosen or next((p for p in modules if p.stem == assignment), None)
            if chosen is None:
                found.warnings.append(f"{student_dir.name}/{assignment}: no notebook found")
                continue
            source, problem = _read_file(chosen)
            found.submissions.append(Submission(student_dir.name, assignment, source, str(chosen), problem))


def describe(discovery: Discovery) -> str:
    students = {s.student for s in discovery.submissions}
    return f"{len(discovery.submissions)} submissions from {len(students)} students"

