"""Background tasks: progress while running, the outcome kept on the row, interrupted tasks recovered."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from typing import Any

from incubator import tasks
from incubator.errors import ValidationFailed
from incubator.i18n import N_, using_locale
from incubator.models import Task, TaskState
from incubator.spreadsheets import SheetError, SheetRejected, Translated
from tests.personas import World, principal_of


async def test_a_task_reports_progress_then_keeps_its_summary(world: World, login):
    operator = await principal_of(world, "operator_dsj")
    gate = asyncio.Event()

    async def work(progress: tasks.Progress) -> Mapping[str, Any]:
        progress.phase(N_("Checking rows"), 10)
        for _ in range(4):
            await progress.tick()
        await gate.wait()
        progress.advance(6)
        return {"lines": [{"msgid": N_("%(count)d people added to the roster."), "params": {"count": 10}}]}

    task = await tasks.start(operator, "test", "Import", work, base_id=world.bases["dsj"].id, link="/startups")
    browser = await login("operator_dsj")
    await asyncio.sleep(0)
    running = await browser.get(f"/tasks/{task.id}/status", headers={"hx-request": "true"})
    assert running.status_code == 200
    assert 'hx-trigger="every 1s"' in running.text and 'value="4"' in running.text and 'max="10"' in running.text
    gate.set()
    done = await tasks.wait(task.id)
    assert (done.state, done.done, done.total) == (TaskState.SUCCEEDED, 10, 10)
    page = await browser.get(f"/tasks/{task.id}")
    assert "every 1s" not in page.text and "10 people added to the roster." in page.text.replace("\u200b", "")
    listing = await browser.get("/tasks")
    assert "Import" in listing.text


async def test_a_rejected_file_keeps_every_problem_in_the_readers_language(world: World, login):
    operator = await principal_of(world, "operator_dsj")

    async def work(progress: tasks.Progress) -> Mapping[str, Any]:
        raise SheetRejected(
            [
                SheetError(
                    "名单",
                    3,
                    "B",
                    N_("ID number"),
                    N_("The column %(column)s is missing."),
                    {"column": Translated(N_("ID number"))},
                )
            ]
        )

    task = await tasks.start(operator, "test", "Import", work, base_id=world.bases["dsj"].id)
    done = await tasks.wait(task.id)
    assert done.state is TaskState.FAILED and done.problems[0]["row"] == 3
    browser = await login("operator_dsj")
    page = await browser.get(f"/tasks/{task.id}", headers={"accept-language": "zh-CN"})
    assert "身份证号" in page.text and "名单" in page.text


async def test_failures_are_kept_as_messages_and_other_bases_see_nothing(world: World, login):
    operator = await principal_of(world, "operator_dsj")

    async def refused(progress: tasks.Progress) -> Mapping[str, Any]:
        raise ValidationFailed({"file": N_("The file is empty.")})

    async def broken(progress: tasks.Progress) -> Mapping[str, Any]:
        raise RuntimeError("disk on fire")

    with using_locale("en"):  # the work runs in the locale of the request that started it
        first = await tasks.start(operator, "test", "One", refused, base_id=world.bases["dsj"].id)
        second = await tasks.start(operator, "test", "Two", broken, base_id=world.bases["dsj"].id)
    assert (await tasks.wait(first.id)).message == "The file is empty."
    failed = await tasks.wait(second.id)
    assert failed.state is TaskState.FAILED and "disk" not in failed.message and "nothing was saved" in failed.message
    other = await login("operator_chamdo")
    assert (await other.get(f"/tasks/{first.id}")).status_code == 404


async def test_tasks_left_running_by_a_stopped_process_are_marked_interrupted(world: World):
    stale = await Task.create(kind="t", title="t", user_id=1, username="x", runner="elsewhere:1")
    gone = await Task.create(
        kind="t", title="t", user_id=1, username="x", runner=f"{tasks.RUNNER.rpartition(':')[0]}:999999"
    )
    assert await tasks.recover() == 1
    await stale.refresh_from_db()
    await gone.refresh_from_db()
    assert stale.state is TaskState.RUNNING  # another machine's process: not ours to judge...
    assert gone.state is TaskState.INTERRUPTED and gone.finished_at is not None
    await Task.filter(id=stale.id).update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    assert await tasks.recover() == 1  # ...unless it has been running for a day
