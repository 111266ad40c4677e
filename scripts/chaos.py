"""Chaos trials: kill -9 during import, run and export; concurrent writers with the app open.

Each trial works on a real notebook through the real CLI (``python -m inquiry``) and checks, after
the kill, what must always hold:

- import: the notebook passes ``PRAGMA integrity_check`` and the FTS5 integrity check, and the import
  is all or nothing (the notes it would add are all there or none is); importing again completes it.
- run: the killed worker's run shows ``interrupted`` (never ``running`` forever) once the reaper has
  looked, and the notebook's integrity holds.
- export: the output folder holds a complete export or nothing (no half-written file).
- writers: W processes each commit K notes through the store while the terminal app is open on the
  same notebook (a headless Textual app in another process); counts lock errors and lost commits
  (a commit reported done whose row is missing).

    python scripts/chaos.py --trials 20        # 20 kills of each kind, then the writers
    scripts/chaos.sh 20                        # the same through ./dev's venv

Prints one line per kind and a final JSON object; exits 1 on any integrity failure or lost commit.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
CLI = [sys.executable, "-m", "inquiry"]


def integrity(folder: Path) -> list[str]:
    """Problems found in a notebook's database (empty when sound)."""
    db = folder / "notebook.db"
    if not db.exists():
        return []
    conn = sqlite3.connect(db, timeout=30)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        try:
            conn.execute("INSERT INTO search(search) VALUES('integrity-check')")
        except sqlite3.DatabaseError as exc:
            problems.append(f"fts: {exc}")
        return problems
    finally:
        conn.close()


def count(folder: Path, sql: str) -> int:
    conn = sqlite3.connect(folder / "notebook.db", timeout=30)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def cli(folder: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "--notebook", str(folder), *args], capture_output=True, text=True, timeout=timeout)


def kill_after(args: list[str], delay: float) -> int:
    """Start a process, SIGKILL it after ``delay`` seconds (if still alive); its exit status."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        return proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.wait()


def import_trials(work: Path, docs: Path, trials: int, rng: random.Random) -> dict:
    expected = None
    failures, partial, completed, killed = 0, 0, 0, 0
    # time one whole import, so that the kills land inside it (interpreter start-up included)
    timing = work / "imp-timing"
    cli(timing, "--empty", "stats")
    started = time.monotonic()
    cli(timing, "import", str(docs))
    duration = time.monotonic() - started
    for trial in range(trials):
        folder = work / f"imp{trial}"
        cli(folder, "--empty", "stats")
        status = kill_after([*CLI, "--notebook", str(folder), "import", str(docs)], rng.uniform(0.3, duration))
        killed += status == -signal.SIGKILL
        problems = integrity(folder)
        notes = count(folder, "SELECT count(*) FROM notes")
        if expected is None or notes not in (0, expected):
            done = cli(folder, "import", str(docs))
            after = count(folder, "SELECT count(*) FROM notes")
            if expected is None and notes == after:
                expected = after  # this trial finished before the kill: the full count
            elif notes not in (0, after):
                partial += 1
                problems.append(f"partial import: {notes} of {after} notes")
            expected = expected or after
            completed += done.returncode == 0
        failures += bool(problems)
        for problem in problems:
            print(f"  import trial {trial}: {problem}")
    return {
        "trials": trials,
        "killed": killed,
        "import_s": round(duration, 2),
        "integrity_failures": failures,
        "partial_imports": partial,
    }


def run_trials(work: Path, trials: int, rng: random.Random) -> dict:
    folder = work / "runs"
    cli(folder, "--empty", "stats")
    stuck, failures, killed = 0, 0, 0
    for trial in range(trials):
        out = cli(folder, "--json", "run", "--runner", "probe", "--preset", "test", "--seed", str(trial))
        run_id = json.loads(out.stdout)["id"] if out.returncode == 0 else None
        if run_id is None:
            failures += 1
            print(f"  run trial {trial}: launch failed: {out.stderr.strip()[:200]}")
            continue
        time.sleep(rng.uniform(0.5, 4.0))
        pids = _worker_pids(folder, run_id)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            shown = cli(folder, "--json", "runs", "show", run_id)
            status = json.loads(shown.stdout).get("status") if shown.returncode == 0 else None
            if status not in ("running", "queued"):
                break
            time.sleep(1)
        if status in ("running", "queued"):
            stuck += 1
            print(f"  run trial {trial}: {run_id} still {status} 60 s after its worker was killed")
        problems = integrity(folder)
        failures += bool(problems)
        for problem in problems:
            print(f"  run trial {trial}: {problem}")
    # killed: trials whose worker was alive when the kill came (the others had not started or had ended)
    return {"trials": trials, "killed_workers": killed, "integrity_failures": failures, "stuck_running": stuck}


def _worker_pids(folder: Path, run_id: str) -> list[int]:
    conn = sqlite3.connect(folder / "notebook.db", timeout=30)
    try:
        row = conn.execute("SELECT * FROM runs WHERE id = ?", [run_id]).fetchone()
        cols = [c[1] for c in conn.execute("PRAGMA table_info(runs)")]
    finally:
        conn.close()
    record = dict(zip(cols, row)) if row else {}
    return [int(record[c]) for c in ("pid", "worker_pid") if record.get(c)]


def export_trials(work: Path, trials: int, rng: random.Random) -> dict:
    folder = work / "export"
    cli(folder, "stats")  # with the bundled example
    inquiry_id = json.loads(cli(folder, "--json", "list", "inquiries").stdout)[0]["id"]
    reference = work / "export-reference"
    cli(folder, "export", inquiry_id, "-o", str(reference) + "/")
    expected = sorted(p.relative_to(reference).as_posix() for p in reference.rglob("*") if p.is_file())
    started = time.monotonic()  # one whole export, so that the kills land inside it
    cli(folder, "export", inquiry_id, "-o", str(work / "export-timing") + "/")
    duration = time.monotonic() - started
    partial, killed = 0, 0
    for trial in range(trials):
        out = work / f"exp{trial}"
        killed += (
            kill_after(
                [*CLI, "--notebook", str(folder), "export", inquiry_id, "-o", str(out) + "/"],
                rng.uniform(0.3, duration),
            )
            == -signal.SIGKILL
        )
        files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) if out.exists() else []
        if files and files != expected:
            partial += 1
            print(f"  export trial {trial}: {len(files)} of {len(expected)} files")
    return {"trials": trials, "killed": killed, "partial_exports": partial, "files_per_export": len(expected)}


WRITER = """
import sys, time, sqlite3
from inquiry.store import Notebook
from inquiry.models import ImportBatch, Note
nb = Notebook.open(sys.argv[1], create=False)
writer, k = int(sys.argv[2]), int(sys.argv[3])
done, errors = [], 0
for i in range(k):
    note_id = f"note:chaos-{writer}-{i}"
    try:
        nb.apply(ImportBatch(notes=[Note(id=note_id, title=f"Does chaos writer {writer} commit {i}?")]))
        done.append(note_id)
    except sqlite3.OperationalError as exc:
        errors += 1
        print("LOCK", exc, file=sys.stderr)
print(len(done), errors)
print("\\n".join(done))
"""

APP = """
import asyncio, sys
from inquiry.tui.app import InquiryApp
async def main():
    app = InquiryApp(sys.argv[1])
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(int(sys.argv[2])):
            await pilot.press("down")
            await pilot.pause(0.5)
asyncio.run(main())
"""


def writer_trial(work: Path, writers: int, per_writer: int) -> dict:
    folder = work / "writers"
    cli(folder, "stats")
    app = subprocess.Popen(
        [sys.executable, "-c", APP, str(folder), str(per_writer)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder), str(w), str(per_writer)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(writers)
    ]
    lock_errors, committed = 0, []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        lines = out.splitlines()
        if proc.returncode != 0 or not lines:
            lock_errors += 1
            print(f"  writer failed: {err.strip().splitlines()[-1:]}")
            continue
        lock_errors += int(lines[0].split()[1])
        committed += [line for line in lines[1:] if line]
    app_err = ""
    try:
        _, app_err = app.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        app.kill()
    conn = sqlite3.connect(folder / "notebook.db", timeout=30)
    try:
        present = {row[0] for row in conn.execute("SELECT id FROM notes WHERE id LIKE 'note:chaos-%'")}
    finally:
        conn.close()
    lost = [note for note in committed if note not in present]
    return {
        "writers": writers,
        "writes": writers * per_writer,
        "committed": len(committed),
        "lock_errors": lock_errors,
        "lost_commits": len(lost),
        "app_ok": app.returncode == 0,
        "app_error": app_err.strip().splitlines()[-1:] if app.returncode else [],
        "integrity_failures": int(bool(integrity(folder))),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20, help="kill -9 trials of each kind (import, run, export)")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--writes", type=int, default=50, help="commits per writer")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    from corpus import write_corpus  # benchmarks/corpus.py: the synthetic inquiring-line documents

    with tempfile.TemporaryDirectory(prefix="inquiry-chaos-") as tmp:
        work = Path(tmp)
        docs = work / "docs"
        write_corpus(docs, 200, 2000)
        report = {"import": import_trials(work, docs, args.trials, rng)}
        print(f"import: {report['import']}")
        report["run"] = run_trials(work, args.trials, rng)
        print(f"run:    {report['run']}")
        report["export"] = export_trials(work, args.trials, rng)
        print(f"export: {report['export']}")
        report["writers"] = writer_trial(work, args.writers, args.writes)
        print(f"writers: {report['writers']}")
    failures = (
        report["import"]["integrity_failures"]
        + report["import"]["partial_imports"]
        + report["run"]["integrity_failures"]
        + report["run"]["stuck_running"]
        + report["export"]["partial_exports"]
        + report["writers"]["lock_errors"]
        + report["writers"]["lost_commits"]
        + report["writers"]["integrity_failures"]
    )
    report["trials"] = 3 * args.trials
    report["failures"] = failures
    report["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(report))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
