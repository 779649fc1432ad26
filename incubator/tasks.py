"""Long work in the background: imports and reconciliations that take longer than a request.

`start` stores a Task row and runs the work as an asyncio task of this process; the work
reports its progress through a `Progress`, which keeps the latest figures in memory (the work
usually runs inside one transaction, whose writes nobody else sees until it commits) and the
task page reads them from there. When the work ends, the row gets the outcome: a summary, the
rejected rows of a file, or a message. A process that stops leaves its running tasks behind;
the next one to start marks them interrupted (`recover`), so nobody waits for them forever.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from incubator.access import Principal
from incubator.errors import AppError, ValidationFailed
from incubator.i18n import N_, gettext
from incubator.models import Task, TaskState
from incubator.pages import field_errors
from incubator.spreadsheets import SheetError, SheetRejected, Translated

log = logging.getLogger("incubator.tasks")

RUNNER = f"{socket.gethostname()}:{os.getpid()}"
STALE_AFTER = dt.timedelta(hours=12)
FAILED = N_("The work stopped on an unexpected error; nothing was saved. Please try again or tell the administrator.")
INTERRUPTED = N_("The server restarted while this was running; nothing was saved. Please start it again.")


@dataclass
class Snapshot:
    done: int = 0
    total: int = 0
    phase: str = ""


_live: dict[int, Snapshot] = {}
_running: dict[int, asyncio.Task[None]] = {}


class Progress:
    """What a running task has done so far (rows checked, rows saved), read by its page."""

    def __init__(self, task_id: int) -> None:
        self.task_id = task_id
        self._snapshot = _live.setdefault(task_id, Snapshot())

    def phase(self, phase: str, total: int) -> None:
        """A new stage of the work (a message id) with the number of steps it has."""
        self._snapshot.phase, self._snapshot.total, self._snapshot.done = phase, total, 0

    def advance(self, steps: int = 1) -> None:
        self._snapshot.done = min(self._snapshot.done + steps, self._snapshot.total)

    async def tick(self, steps: int = 1) -> None:
        """Advance, and let the event loop serve other requests now and then."""
        self.advance(steps)
        if self._snapshot.done % 200 == 0:
            await asyncio.sleep(0)


Work = Callable[[Progress], Awaitable[Mapping[str, Any]]]


async def start(
    principal: Principal,
    kind: str,
    title: str,
    work: Work,
    *,
    base_id: int | None = None,
    region_code: str | None = None,
    startup_id: int | None = None,
    link: str = "",
) -> Task:
    """Record a task and run `work` in the background; `work` returns the summary to keep."""
    task = await Task.create(
        kind=kind,
        title=title[:200],
        user_id=principal.user_id,
        username=principal.username,
        base_id=base_id,
        region_code=region_code,
        startup_id=startup_id,
        link=link,
        runner=RUNNER,
    )
    _live[task.id] = Snapshot()
    _running[task.id] = asyncio.create_task(_run(task.id, work), name=f"task-{task.id}")
    return task


async def _run(task_id: int, work: Work) -> None:
    values: dict[str, Any]
    started = time.monotonic()
    try:
        result = await work(Progress(task_id))
        values = {"state": TaskState.SUCCEEDED, "result": dict(result)}
    except SheetRejected as exc:
        values = {"state": TaskState.FAILED, "problems": [stored_problem(e) for e in exc.errors]}
        values["message"] = _message(exc)
    except ValidationFailed as exc:
        values = {"state": TaskState.FAILED, "message": _message(exc)}
    except AppError as exc:
        values = {"state": TaskState.FAILED, "message": gettext(exc.message, **exc.params)}
    except Exception:
        log.exception("task %s failed", task_id)
        values = {"state": TaskState.FAILED, "message": gettext(FAILED)}
    snapshot = _live.pop(task_id, Snapshot())
    values.update(done=snapshot.done, total=snapshot.total, finished_at=dt.datetime.now(dt.UTC))
    try:
        await Task.filter(id=task_id).update(**values)
    finally:
        _running.pop(task_id, None)
    log.info("task %s %s in %.1fs", task_id, values["state"], time.monotonic() - started)


def _message(exc: ValidationFailed) -> str:
    return "; ".join(field_errors(exc).values())


def stored_problem(error: SheetError) -> dict[str, Any]:
    """A problem of a file as JSON: its message id and parameters, translated when shown."""
    params = {
        key: {"msgid": value.message} if isinstance(value, Translated) else _plain(value)
        for key, value in error.params.items()
    }
    return {
        "sheet": error.sheet,
        "row": error.row,
        "column": error.column,
        "header": error.header,
        "message": error.message,
        "params": params,
    }


def _plain(value: object) -> object:
    """A parameter as JSON keeps it: numbers stay numbers (for %(n)d), anything else is text."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def problem_text(problem: Mapping[str, Any]) -> str:
    """A stored problem's message in the locale in force."""
    params = {key: _param(value) for key, value in (problem.get("params") or {}).items()}
    message: str = problem["message"]
    return gettext(message, **params)


def _param(value: Any) -> Any:
    if isinstance(value, dict):
        message: str = value.get("msgid", "")
        return gettext(message)
    return value


def live(task: Task) -> Snapshot:
    """The latest progress of a task: in memory while this process runs it, else from its row."""
    snapshot = _live.get(task.id)
    if snapshot is not None and task.state is TaskState.RUNNING:
        return snapshot
    return Snapshot(task.done, task.total, task.phase)


def is_running_here(task_id: int) -> bool:
    return task_id in _running


async def wait(task_id: int) -> Task:
    """Wait until a task of this process ends (tests, the CLI) and return its row."""
    running = _running.get(task_id)
    if running is not None:
        await asyncio.shield(running)
    return await Task.get(id=task_id)


async def recover() -> int:
    """Mark running tasks whose process is gone as interrupted; returns how many."""
    host, now = socket.gethostname(), dt.datetime.now(dt.UTC)
    stale = []
    for task in await Task.filter(state=TaskState.RUNNING).only("id", "runner", "created_at"):
        name, _, pid = task.runner.rpartition(":")
        if task.id in _running:
            continue
        # Another machine's task is its own business, unless it has run for longer than any work takes.
        if name != host and now - task.created_at < STALE_AFTER:
            continue
        if name == host and pid.isdigit() and _alive(int(pid)):
            continue
        stale.append(task.id)
    if stale:
        await Task.filter(id__in=stale).update(
            state=TaskState.INTERRUPTED, message=gettext(INTERRUPTED), finished_at=dt.datetime.now(dt.UTC)
        )
    return len(stale)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process has just started: the row is from a process that had the same pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
