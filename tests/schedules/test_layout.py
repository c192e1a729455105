"""The rooms of schedules keep their promises: beat's stored task name still runs the job, the
framework knows no job, and one module of the jobs speaks to the gateway."""

import ast
from pathlib import Path

from schedules.jobs.schedules import RUN_JOB_TASK
from schedules.tasks import run_job

ROOM = Path(__file__).resolve().parents[2] / "schedules"


def imported_modules(path: Path) -> set[str]:
    """The absolute names a module imports (relative ones resolved against its package)."""
    package = ".".join(path.relative_to(ROOM.parent).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def modules_importing(prefix: str, under: Path) -> list[str]:
    return sorted(
        str(path.relative_to(ROOM.parent)) for path in under.rglob("*.py")
        if any(name == prefix or name.startswith(prefix + ".")
               for name in imported_modules(path))
    )


def test_beat_rows_name_the_task_that_runs_jobs():
    # PeriodicTask rows store this name: renaming the task would silently stop every schedule.
    assert run_job.name == RUN_JOB_TASK == "schedules.tasks.run_job"


def test_the_framework_imports_no_job():
    assert modules_importing("schedules.jobs", ROOM / "framework") == []


def test_only_the_door_imports_the_gateway():
    assert modules_importing("ticketnet_gateway", ROOM) == ["schedules/jobs/ticketnet.py"]
