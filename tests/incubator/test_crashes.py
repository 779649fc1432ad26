"""A failure in the middle of a long write leaves nothing half-written.

Each test makes an inner step raise after the service has already written rows inside its
transaction (checked at the moment of the failure, from inside that transaction), then
compares every row of every table with the state before: same row counts, same contents,
the same audit chain. The audit chain and every base's billing chain still verify, and
the same work then succeeds when tried again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from tortoise import connections

from grants.forms.notices import PaidInput
from grants.models import Application, AppState, AuditState, JobAudit
from grants.services import disbursements
from grants.services import job_audits as job_audit_service
from incubator import audit
from incubator.models import AuditEvent, TaskState
from tenants.models import Bill, Employment, Person, Verification
from tenants.services import bills, ledger
from tests.grants.test_disbursements import AFTER, batch_of, noticed
from tests.grants.test_job_audits import _reconciled
from tests.personas import World, principal_of
from tests.tenants.test_roster_import import NEW, admitted, row, run_import, workbook

Rows = dict[str, list[tuple[str, ...]]]


class Crash(RuntimeError):
    """The injected failure."""


async def _table_names() -> list[str]:
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        sql = "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return sorted(row["name"] for row in await conn.execute_query_dict(sql))


async def database_rows(*, skip: tuple[str, ...] = ()) -> Rows:
    """Every row of every table, as text, in a stable order."""
    conn = connections.get("default")
    found: Rows = {}
    for table in await _table_names():
        if table in skip:
            continue
        rows = await conn.execute_query_dict(f'SELECT * FROM "{table}"')
        found[table] = sorted(tuple(f"{k}={v!r}" for k, v in sorted(r.items())) for r in rows)
    return found


def assert_unchanged(before: Rows, after: Rows) -> None:
    assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}, "row counts changed"
    changed = [table for table in before if before[table] != after[table]]
    assert not changed, f"rows changed in {changed}"


async def chains_verify() -> None:
    assert (await audit.verify_chain()).ok
    assert all(check.ok for check in await ledger.verify_all())


@dataclass
class Injected:
    """A failure injected at the n-th call of a function, and what was written when it struck."""

    original: Callable[..., Awaitable[Any]]
    calls: int = 0
    written: int | None = None


def fail_on_call(
    monkeypatch: pytest.MonkeyPatch,
    target: object,
    name: str,
    n: int,
    written: Callable[[], Awaitable[int]],
) -> Injected:
    """Make the n-th call of `target.name` raise Crash, noting what `written()` counts at that moment."""
    injected = Injected(getattr(target, name))

    async def failing(*args: Any, **kwargs: Any) -> Any:
        injected.calls += 1
        if injected.calls == n:
            injected.written = await written()  # inside the service's transaction
            raise Crash(f"injected failure at {name} call {n}")
        return await injected.original(*args, **kwargs)

    monkeypatch.setattr(target, name, failing)
    return injected


async def test_a_roster_import_failing_at_its_last_write_saves_nothing(world: World, monkeypatch):
    """Six new people employed by two startups: the import fails while writing its last audit event."""
    await admitted(world, "dsj", "dsj_sibling")
    names = ["拉萨雪域青稞文创有限公司", "拉萨格桑花电商创业团队"]
    data = workbook([row(number, f"员工{n}", names[n % 2]) for n, number in enumerate(NEW[:5])])
    operator = await principal_of(world, "operator_dsj")
    base = world.bases["dsj"]
    people_before = await Person.all().count()
    before = await database_rows(skip=("task",))

    async def new_rows() -> int:
        return await Employment.all().count() + await Person.all().count() + await AuditEvent.all().count()

    baseline = await new_rows()
    # Audit events: the people created, the employments, then the import (the third).
    seen = fail_on_call(monkeypatch, audit, "record", 3, new_rows)
    task = await run_import(operator, base, data, "名单.xlsx")
    assert task.state is TaskState.FAILED and "未保存任何内容" in task.message
    assert seen.written == baseline + 5 + 5 + 2, "people, employments and two events were written"
    assert_unchanged(before, await database_rows(skip=("task",)))
    await chains_verify()
    monkeypatch.setattr(audit, "record", seen.original)
    task = await run_import(operator, base, data, "名单.xlsx")
    assert task.state is TaskState.SUCCEEDED, task.message
    assert await Person.all().count() == people_before + 5
    await chains_verify()


async def test_a_billing_run_failing_after_its_first_bill_issues_nothing(world: World, monkeypatch):
    operator = await principal_of(world, "operator_dsj")
    base = world.bases["dsj"]
    november = dt.date(2026, 11, 1)
    before = await database_rows()

    async def bills_now() -> int:
        return await Bill.filter(base_id=base.id, year=2026).count()

    # The second audit event is the second bill's: both bills and the first event are written.
    seen = fail_on_call(monkeypatch, audit, "record", 2, bills_now)
    with pytest.raises(Crash):
        await bills.issue_run(operator, base.id, november, issued_on=dt.date(2026, 11, 5))
    assert seen.written == 2
    assert_unchanged(before, await database_rows())
    await chains_verify()
    monkeypatch.setattr(audit, "record", seen.original)
    run = await bills.issue_run(operator, base.id, november, issued_on=dt.date(2026, 11, 5))
    issued = await Bill.filter(run_id=run.id).order_by("seq").values_list("seq", flat=True)
    assert list(issued) == [1, 2], "the numbers taken by the failed run were given back"
    await chains_verify()


async def test_a_disbursement_failing_after_its_first_application_is_paid_pays_nothing(world: World, monkeypatch):
    apps = await noticed(world, monkeypatch, "chamdo", "chamdo_sibling")
    batch = await batch_of(world, apps)
    officer = await principal_of(world, "bureau_chamdo")
    before = await database_rows()

    async def paid_now() -> int:
        return await Application.filter(id__in=[a.id for a in apps], state=AppState.PAID).count()

    # The second audit event is the second application's: both are marked paid by then.
    seen = fail_on_call(monkeypatch, audit, "record", 2, paid_now)
    with pytest.raises(Crash):
        await disbursements.record_paid(officer, batch, PaidInput(AFTER, "BANK-1"))
    assert seen.written == 2
    assert_unchanged(before, await database_rows())
    await chains_verify()
    monkeypatch.setattr(audit, "record", seen.original)
    paid = await disbursements.record_paid(officer, batch, PaidInput(AFTER, "BANK-1"))
    assert paid.state == "paid" and await paid_now() == 2
    await chains_verify()


async def test_a_job_audit_sign_off_failing_at_its_last_write_marks_nothing(world: World, monkeypatch):
    """The sign-off has marked the employments and superseded two earlier audits when it fails."""
    job_audit, made = await _reconciled(world)
    officer = await principal_of(world, "bureau_chamdo")
    await job_audit_service.confirm_proposals(officer, job_audit)
    for key in ("chamdo", "chamdo_sibling"):  # earlier signed audits the sign-off supersedes
        await JobAudit.filter(id=world.audits[key].id).update(
            period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 6, 30)
        )
    before = await database_rows()

    async def marked_now() -> int:
        marked = await Employment.filter(audit_id=job_audit.id).count()
        return marked + await JobAudit.filter(state=AuditState.SUPERSEDED).count()

    seen = fail_on_call(monkeypatch, audit, "record", 1, marked_now)
    with pytest.raises(Crash):
        await job_audit_service.sign_off(officer, job_audit, "2025年度核查")
    assert seen.written == 8 + 2, "eight employments marked (3 verified, 5 rejected) and two audits superseded"
    assert_unchanged(before, await database_rows())
    await chains_verify()
    monkeypatch.setattr(audit, "record", seen.original)
    signed = await job_audit_service.sign_off(officer, job_audit, "2025年度核查")
    assert signed.state is AuditState.SIGNED_OFF and signed.totals["superseded"] == 2
    assert (await Employment.get(id=made["ok"].id)).verification is Verification.VERIFIED
    assert (await Employment.get(id=made["missing"].id)).verification is Verification.REJECTED
    await chains_verify()
