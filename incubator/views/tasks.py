"""Pages of background work: a task's progress (polled by htmx), its outcome, and one's recent tasks."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from incubator import tasks
from incubator.access import get_visible, visible
from incubator.models import Task, TaskState
from incubator.pages import page_principal
from incubator.templating import is_htmx, render

RECENT = 20


def _context(task: Task) -> dict[str, Any]:
    problems = [{**p, "text": tasks.problem_text(p)} for p in (task.problems or [])]
    return {
        "task": task,
        "progress": tasks.live(task),
        "running": task.state is TaskState.RUNNING,
        "problems": problems,
        "file_error": task.message,
        "rejected": "task",
    }


async def task_page(request: Request) -> Response:
    task = await get_visible(page_principal(request), Task, request.path_params["task_id"])
    return render(request, "incubator/task.html", _context(task))


async def task_status(request: Request) -> Response:
    """The progress block alone, for htmx to swap in every second until the task ends."""
    task = await get_visible(page_principal(request), Task, request.path_params["task_id"])
    template = "incubator/_task_status.html" if is_htmx(request) else "incubator/task.html"
    return render(request, template, _context(task))


async def task_list(request: Request) -> Response:
    principal = page_principal(request)
    recent = await visible(principal, Task).filter(user_id=principal.user_id).order_by("-id").limit(RECENT)
    return render(request, "incubator/tasks.html", {"tasks": recent, "progress_of": tasks.live})
