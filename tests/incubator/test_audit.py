"""The audit chain: every change recorded, tampering detected, browsing scoped."""

from __future__ import annotations

from incubator import audit
from incubator.models import AuditEvent, AuditHead
from incubator.views import audit as _audit_views  # noqa: F401 - the page module must import


async def _three_events(world):
    for i in range(3):
        await audit.record(
            None,
            f"test.event{i}",
            world.bases["dsj"],
            base_id=world.bases["dsj"].id,
            region_code="540102",
            after={"n": i, "名称": "第三极"},
        )


async def test_it_chains_events_and_verifies_ok(world):
    await _three_events(world)
    report = await audit.verify_chain()
    assert report.ok
    assert report.checked == 3
    events = await AuditEvent.all().order_by("seq")
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == audit.GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert str(report) == "ok (3 events)"


async def test_it_detects_an_edited_event(world):
    await _three_events(world)
    await AuditEvent.filter(seq=2).update(after={"n": 99})
    report = await audit.verify_chain()
    assert not report.ok
    assert report.broken_seq == 2
    assert report.reason == "content altered"


async def test_it_detects_a_removed_event(world):
    await _three_events(world)
    await AuditEvent.filter(seq=2).delete()
    report = await audit.verify_chain()
    assert (report.ok, report.broken_seq) == (False, 2)


async def test_it_detects_removed_latest_events(world):
    await _three_events(world)
    await AuditEvent.filter(seq=3).delete()
    report = await audit.verify_chain()
    assert not report.ok
    assert report.reason == "latest events removed"


async def test_it_detects_a_rehashed_event_whose_successor_still_points_at_the_old_hash(world):
    await _three_events(world)
    event = await AuditEvent.get(seq=2)
    event.after = {"n": 42}
    event.hash = audit.event_hash(event.prev_hash, event)
    await event.save()
    report = await audit.verify_chain()
    assert (report.ok, report.broken_seq) == (False, 3)


async def test_it_lets_bureaus_browse_only_their_regions_events(login, world):
    await audit.record(None, "test.lhasa", region_code="540102", object_type="Base", object_id=1)
    await audit.record(None, "test.chamdo", region_code="540302", object_type="Base", object_id=2)
    lhasa = await login("bureau_lhasa")
    page = await lhasa.get("/audit?action=test.")
    assert page.status_code == 200
    assert "test.lhasa" in page.text and "test.chamdo" not in page.text
    admin = await login("admin")
    page = await admin.get("/audit?action=test.")
    assert "test.lhasa" in page.text and "test.chamdo" in page.text
    operator = await login("operator_dsj")
    assert (await operator.get("/audit")).status_code == 403
    event = await AuditEvent.get(action="test.chamdo")
    assert (await lhasa.get(f"/audit/{event.id}")).status_code == 404
    detail = await admin.get(f"/audit/{event.id}")
    assert detail.status_code == 200 and event.hash in detail.text


async def test_it_keeps_the_head_in_step(world):
    await _three_events(world)
    head = await AuditHead.get(id=1)
    last = await AuditEvent.get(seq=3)
    assert (head.seq, head.last_hash) == (3, last.hash)
