"""What an instructor hands on, written from the gradebook's current attempts.

grades.csv, feedback/<student>.md and .html, results/<student>.json (Gradescope's format) and
report.html (the class summary with plots). Hidden cases are described, never revealed: their
failures carry only the one-line summary, never the inputs.
"""
from __future__ import annotations

import base64
import csv
import html
import io
import json
from collections import defaultdict
from pathlib import Path

from .gradebook import Gradebook
from .course import Course

CSV_COLUMNS = ["student", "assignment", "exercise", "score", "max_score", "passed", "error", "mistakes"]


def write_all(course: Course, gradebook: Gradebook, out: Path) -> list[Path]:
    rows = gradebook.current_results()
    by_student: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_student[row["student"]].append(row)
    written = [write_csv(rows, out / "grades.csv")]
    for student, results in sorted(by_student.items()):
        ordered = _in_course_order(course, results)
        written.append(_write(out / "feedback" / f"{student}.md", feedback_markdown(course, student, ordered)))
        written.append(_write(out / "feedback" / f"{student}.html", feedback_html(course, student, ordered)))
        written.append(_write(out / "results" / f"{student}.json", json.dumps(gradescope(course, ordered), indent=2)))
    written.append(_write(out / "report.html", class_report(course, gradebook, rows)))
    return written


def _write(path: Path, text: str) -> Path:
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
    except FileNotFoundError:  # the first file of its folder
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # readers never see a half-written file
    return path


def _in_course_order(course: Course, results: list[dict]) -> list[dict]:
    order = {}
    for assignment in course.assignments:
        for exercise in assignment.exercises:
            order[exercise] = len(order)
    return sorted(results, key=lambda r: order.get(r["id"], 10**6))


def write_csv(rows: list[dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([row["student"], row["assignment"], row["id"], f"{row['score']:g}", f"{row['max_score']:g}",
                         int(row["passed"]), (row["error"] or "").splitlines()[0][:200] if row["error"] else "",
                         ";".join(m["name"] for m in row["mistakes"])])
    return _write(path, buffer.getvalue())


# ---------------------------------------------------------------- per-student feedback

def _hint(result: dict) -> str | None:
    return result["hints"][0] if result["hints"] and not result["passed"] else None


def _failure_text(group: dict) -> str:
    failure = group["failure"]
    if group["visibility"] == "hidden":
        return f"a hidden case ({failure['label']}): {failure['summary']}"
    text = f"{failure['label']}"
    if failure.get("inputs"):
        text += f" with {failure['inputs']}"
    return text + f":\n{failure['detail']}"


def feedback_markdown(course: Course, student: str, results: list[dict]) -> str:
    total = sum(r["score"] for r in results)
    best = sum(r["max_score"] for r in results)
    lines = [f"# Feedback for {student}", "", f"**{total:g} / {best:g} points** in {course.spec.name}.", ""]
    current = None
    for result in results:
        if result["assignment"] != current:
            current = result["assignment"]
            lines += [f"## {current}", ""]
        mark = "✓" if result["passed"] else "✗"
        lines += [f"### {mark} {result['id']} — {result['score']:g} / {result['max_score']:g}", ""]
        if result["error"]:
            lines += [f"**Could not be graded fully:** {result['error']}", ""]
        for message in result["static"]:
            lines += [f"- Rule broken: {message}"]
        for group in result["groups"]:
            failed = group["total"] - group["passed"]
            lines.append(f"- {group['name']} ({group['kind']}, {group['visibility']}): {group['passed']}/{group['total']} passed"
                         + (f", {failed} failed" if failed else ""))
        lines.append("")
        first = next((g for g in result["groups"] if g.get("failure")), None)
        if first:
            lines += ["First failing case: " + _failure_text(first).replace("\n", "\n    "), ""]
        for mistake in result["mistakes"]:
            lines += [f"> **Known mistake — {mistake['name']}.** {mistake['feedback']}", ""]
        hint = _hint(result)
        if hint:
            lines += [f"*Hint:* {hint.strip()}", ""]
    return "\n".join(lines).rstrip() + "\n"


_STYLE = """<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
.pass{color:#14734a}.fail{color:#b3261e}pre{background:#f5f5f5;padding:.6rem;overflow-x:auto}
.mistake{border-left:4px solid #8a3ffc;padding:.2rem .8rem;background:#f6f2ff}.hint{color:#1f5fa8}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
</style>"""


def feedback_html(course: Course, student: str, results: list[dict]) -> str:
    esc = html.escape
    total = sum(r["score"] for r in results)
    best = sum(r["max_score"] for r in results)
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>Feedback for {esc(student)}</title>{_STYLE}</head><body>",
             f"<h1>Feedback for {esc(student)}</h1><p><b>{total:g} / {best:g} points</b> in {esc(course.spec.name)}.</p>"]
    current = None
    for result in results:
        if result["assignment"] != current:
            current = result["assignment"]
            parts.append(f"<h2>{esc(current)}</h2>")
        cls, mark = ("pass", "✓") if result["passed"] else ("fail", "✗")
        parts.append(f"<h3 class='{cls}'>{mark} {esc(result['id'])} — {result['score']:g} / {result['max_score']:g}</h3>")
        if result["error"]:
            parts.append(f"<p class='fail'>Could not be graded fully: {esc(result['error'])}</p>")
        for message in result["static"]:
            parts.append(f"<p class='fail'>Rule broken: {esc(message)}</p>")
        parts.append("<ul>" + "".join(
            f"<li>{esc(g['name'])} ({esc(g['kind'])}, {esc(g['visibility'])}): {g['passed']}/{g['total']}</li>"
            for g in result["groups"]) + "</ul>")
        first = next((g for g in result["groups"] if g.get("failure")), None)
        if first:
            parts.append(f"<p>First failing case:</p><pre>{esc(_failure_text(first))}</pre>")
        for mistake in result["mistakes"]:
            parts.append(f"<p class='mistake'><b>Known mistake — {esc(mistake['name'])}.</b> {esc(mistake['feedback'])}</p>")
        hint = _hint(result)
        if hint:
            parts.append(f"<p class='hint'><i>Hint:</i> {esc(hint.strip())}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------- Gradescope

def gradescope(course: Course, results: list[dict]) -> dict:
    """Gradescope's results.json: one test per check group; hidden groups appear after publication."""
    tests = []
    for result in results:
        weights = sum(g["weight"] for g in result["groups"]) or 1.0
        ruled_out = bool(result["static"])
        for group in result["groups"]:
            share = result["max_score"] * group["weight"] / weights
            score = 0.0 if ruled_out else share * group["passed"] / max(group["total"], 1)
            output = f"{group['passed']}/{group['total']} cases passed."
            if group.get("failure"):
                output += "\n" + _failure_text(group)
            if ruled_out:
                output += "\n" + "\n".join(result["static"])
            if result["error"]:
                output += f"\n{result['error']}"
            if group.get("failure") and result["mistakes"]:
                output += "\n" + "\n".join(f"Known mistake — {m['name']}: {m['feedback']}" for m in result["mistakes"])
            tests.append({
                "name": f"{result['assignment']}/{result['id']}: {group['name']}",
                "score": round(score, 4), "max_score": round(share, 4),
                "status": "passed" if group["passed"] == group["total"] and not ruled_out else "failed",
                "output": output,
                "visibility": "visible" if group["visibility"] == "public" else "after_published",
            })
        if not result["groups"]:
            tests.append({"name": f"{result['assignment']}/{result['id']}", "score": 0.0, "max_score": result["max_score"],
                          "status": "failed", "output": result["error"] or "not graded", "visibility": "visible"})
    return {
        "score": round(sum(r["score"] for r in results), 4),
        "execution_time": round(sum(r.get("seconds", 0.0) for r in results), 3),
        "output": f"Graded by autograder: {len(results)} exercises.",
        "visibility": "visible",
        "tests": tests,
    }


# ---------------------------------------------------------------- the class report

def _plot(draw) -> str:
    """A matplotlib figure as an <img> tag, or a note when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "<p><i>Install the report extra (pip install -e '.[report]') for plots.</i></p>"
    figure, axes = plt.subplots(figsize=(7, 3.2))
    draw(axes)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return f"<img alt='plot' src='data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}'>"


def class_report(course: Course, gradebook: Gradebook, rows: list[dict]) -> str:
    esc = html.escape
    per_assignment: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    per_exercise: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        per_assignment[row["assignment"]][row["student"]] += row["score"]
        per_exercise[row["id"]].append(row["score"] / row["max_score"] if row["max_score"] else 0.0)
    students = sorted({row["student"] for row in rows})
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>Class report</title>{_STYLE}</head><body>",
             f"<h1>{esc(course.spec.name)}: class report</h1>",
             f"<p>{len(students)} students, {len(rows)} graded exercises.</p>", "<h2>Scores per assignment</h2>"]
    for assignment in course.assignments:
        scores = list(per_assignment.get(assignment.id, {}).values())
        if not scores:
            continue
        best = sum(course.exercises[e].points for e in assignment.exercises)
        mean = sum(scores) / len(scores)
        parts.append(f"<h3>{esc(assignment.id)} — mean {mean:.1f} / {best:g} ({len(scores)} submissions)</h3>")
        parts.append(_plot(lambda ax, s=scores, b=best: (ax.hist(s, bins=min(20, max(5, len(s))), range=(0, b), color="#4c72b0"),
                                                          ax.set_xlabel("points"), ax.set_ylabel("students"))))
    ordered = [e for a in course.assignments for e in a.exercises if e in per_exercise]
    if ordered:
        parts.append("<h2>Mean score per exercise</h2>")
        parts.append(_plot(lambda ax: (ax.bar(range(len(ordered)), [sum(per_exercise[e]) / len(per_exercise[e]) for e in ordered],
                                              color="#55a868"),
                                       ax.set_xticks(range(len(ordered)), ordered, rotation=90, fontsize=6),
                                       ax.set_ylim(0, 1), ax.set_ylabel("fraction of points"))))
    mistakes = gradebook.mistake_counts()
    parts.append("<h2>Most frequent known mistakes</h2>")
    if mistakes:
        top = mistakes[:12]
        parts.append(_plot(lambda ax: (ax.barh([f"{e}: {n}"[:60] for e, n, _ in reversed(top)], [c for _, _, c in reversed(top)],
                                               color="#8172b2"), ax.tick_params(axis="y", labelsize=7), ax.set_xlabel("students"))))
        parts.append("<table><tr><th>exercise</th><th>mistake</th><th>students</th></tr>" + "".join(
            f"<tr><td>{esc(e)}</td><td>{esc(n)}</td><td>{c}</td></tr>" for e, n, c in mistakes[:30]) + "</table>")
    else:
        parts.append("<p>No known mistake was matched.</p>")
    failing = gradebook.failing_checks()
    parts.append("<h2>Checks most students fail</h2>")
    parts.append("<table><tr><th>exercise</th><th>check</th><th>failed by</th></tr>" + "".join(
        f"<tr><td>{esc(e)}</td><td>{esc(n)}</td><td>{f} of {t}</td></tr>" for e, n, f, t in failing[:30]) + "</table>")
    parts.append("</body></html>")
    return "\n".join(parts)
