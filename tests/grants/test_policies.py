"""Subsidy policies: the version in force by date and region, defaults, editing with its refusals,
who may edit where, the pages and API, the LPR table and regional holidays with the calendar."""

from __future__ import annotations

import datetime as dt
import html
import os
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest

from grants.defaults import DEFAULT_POLICIES, LPR_HISTORY, TIBET_HOLIDAYS
from grants.forms.policies import HolidayInput, PolicyInput, VersionInput, parse_version
from grants.models import LprRate, Policy, PolicyKind, PolicyVersion, RegionHoliday
from grants.rules.workdays import Calendar
from grants.services import policies as service
from incubator.errors import Forbidden, ValidationFailed
from incubator.i18n import gettext, using_locale
from incubator.models import AuditEvent
from tests.personas import World, principal_of

# Counties where no other part of the test world has a policy of its own.
JOMDA, DAGZE = "540321", "540104"
GRANT = PolicyKind.STARTUP_GRANT
RENT = PolicyKind.RENT_SUBSIDY
D = dt.date


def zh(msgid: str, **params: object) -> str:
    with using_locale("zh_CN"):
        return gettext(msgid, **params)


def grant_params(**changes: Any) -> dict[str, Any]:
    return {**DEFAULT_POLICIES[GRANT]["params"], **changes}


def grant_sources() -> dict[str, Any]:
    return dict(DEFAULT_POLICIES[GRANT]["sources"])


def version_input(valid_from: dt.date, valid_until: dt.date | None = None, **changes: Any) -> VersionInput:
    return VersionInput(valid_from, valid_until, grant_params(**changes), grant_sources(), "")


def version_form(valid_from: str, valid_until: str = "", **changes: Any) -> dict[str, Any]:
    """The version form as a browser posts it: flat fields, the groups as repeated checkboxes."""
    data: dict[str, Any] = {"valid_from": valid_from, "valid_until": valid_until, "note": "测试"}
    for name, value in grant_params(**changes).items():
        data[f"params.{name}"] = value if isinstance(value, list) else str(value)
    for name, source in grant_sources().items():
        data[f"sources.{name}"] = source["ref"]
        if source["confirmed"]:
            data[f"confirmed.{name}"] = "1"
    return data


def version_json(valid_from: str, valid_until: str | None = None, **changes: Any) -> dict[str, Any]:
    return {
        "valid_from": valid_from,
        "valid_until": valid_until,
        "params": grant_params(**changes),
        "sources": grant_sources(),
    }


async def installed() -> Policy:
    """The defaults installed; the autonomous region's one-time grant policy."""
    await service.install_defaults()
    return await Policy.get(region_id="540000", kind=GRANT)


async def state(policy_id: int) -> tuple[list[tuple[Any, ...]], int]:
    """A policy's versions and the number of audit events, to prove a refusal changed nothing."""
    rows = await PolicyVersion.filter(policy_id=policy_id).order_by("valid_from")
    return [(v.id, v.valid_from, v.valid_until, v.params, v.sources) for v in rows], await AuditEvent.all().count()


async def _amount_on(region: str, day: dt.date, kind: PolicyKind = GRANT) -> tuple[str, str] | None:
    found = await service.in_force(kind, region, day)
    if found is None:
        return None
    policy, version = found
    key = "amount_per_founder" if kind is GRANT else "annual_cap"
    return policy.region_id, version.params[key]


# -- defaults ---------------------------------------------------------------------------


async def test_it_installs_the_defaults_once_and_audits_them(world: World):
    counts = await service.install_defaults()
    assert counts == {"policies": 3, "lpr_rates": len(LPR_HISTORY), "holidays": len(TIBET_HOLIDAYS)}
    assert await Policy.filter(region_id="540000").count() == 3
    assert await PolicyVersion.filter(policy__region_id="540000", valid_until=None).count() == 3
    actions = sorted(await AuditEvent.all().values_list("action", flat=True))
    assert actions == ["policy.installed"] * 3 + ["reference_data.installed"]
    again = await service.install_defaults()
    assert again == {"policies": 0, "lpr_rates": 0, "holidays": 0}
    assert await AuditEvent.all().count() == 4
    loan = await Policy.get(region_id="540000", kind=PolicyKind.LOAN_INTEREST)
    assert loan.document_number == "财金〔2020〕21号"
    version = await PolicyVersion.get(policy_id=loan.id)
    assert version.valid_from == D(2020, 4, 1) and version.params["individual_cap"] == "300000.00"
    assert version.sources["lpr_spread_bp"]["confirmed"] is True
    assert version.sources["individual_cap"]["confirmed"] is False


async def test_it_installs_only_what_is_missing(world: World):
    await LprRate.create(effective_on=D(2019, 8, 20), one_year=Decimal("4.25"))
    await RegionHoliday.create(region_id="540000", name="藏历新年", starts_on=D(2026, 2, 17), ends_on=D(2026, 2, 20))
    officer = await principal_of(world, "bureau_tibet")
    await service.create_policy(
        officer,
        "540000",
        RENT,
        PolicyInput("房租补贴", "", "西藏自治区人社厅", "", "", True),
        VersionInput(D(2021, 1, 1), None, {"annual_cap": "15000.00", "max_years": 2}, {}, ""),
    )
    counts = await service.install_defaults()
    assert counts == {"policies": 2, "lpr_rates": len(LPR_HISTORY) - 1, "holidays": len(TIBET_HOLIDAYS) - 1}
    rent = await Policy.get(region_id="540000", kind=RENT)
    assert [v.params["annual_cap"] for v in await PolicyVersion.filter(policy_id=rent.id)] == ["15000.00"]


async def test_only_the_admin_installs_the_defaults(world: World, login):
    assert (await (await login("bureau_tibet")).post("/policies/defaults")).status_code == 403
    with pytest.raises(Forbidden):
        await service.install_defaults(await principal_of(world, "bureau_tibet"))
    admin = await login("admin")
    page = await admin.get("/policies")
    assert "安装默认政策" in page.text
    done = await admin.post("/policies/defaults")
    assert done.status_code == 303
    assert await Policy.filter(region_id="540000").count() == 3
    after = await admin.get("/policies")
    assert "安装默认政策" not in after.text and "已安装 3 项政策" in after.text


def test_the_command_installs_the_defaults(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path}/cli.sqlite3", "INCUBATOR_VAR_DIR": str(tmp_path)}

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "incubator.cli", "policies", "defaults"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    first = run()
    assert first.returncode == 0, first.stderr
    # An empty installation has no region 540000: the LPR history only.
    assert first.stdout.strip() == (
        f"policies: 0 created, LPR rates: {len(LPR_HISTORY)} created, regional holidays: 0 created"
    )
    again = run()
    assert again.stdout.strip() == "policies: 0 created, LPR rates: 0 created, regional holidays: 0 created"


# -- the version in force ---------------------------------------------------------------------


async def test_the_version_in_force_follows_the_dates(world: World):
    policy = await installed()
    tibet = await principal_of(world, "bureau_tibet")
    await service.add_version(tibet, policy, version_input(D(2026, 1, 1), D(2026, 6, 30), amount_per_founder="80000"))
    first = await PolicyVersion.get(policy_id=policy.id, valid_from=D(2020, 1, 1))
    assert first.valid_until == D(2025, 12, 31)
    cases = {
        D(2019, 12, 31): None,  # the day before the first version
        D(2020, 1, 1): ("540000", "60000.00"),  # its first day
        D(2025, 12, 31): ("540000", "60000.00"),  # its last day
        D(2026, 1, 1): ("540000", "80000.00"),  # the next version's first day
        D(2026, 6, 30): ("540000", "80000.00"),  # the next version's valid_until day
        D(2026, 7, 1): None,  # the day after: nothing in force
    }
    for day, expected in cases.items():
        assert await _amount_on(JOMDA, day) == expected, day


async def test_the_most_specific_region_wins_once_its_version_is_in_force(world: World):
    await installed()
    chamdo = await principal_of(world, "bureau_chamdo")
    await service.create_policy(
        chamdo,
        "540300",
        GRANT,
        PolicyInput("昌都市一次性创业补贴", "", "昌都市人社局", "昌人社发〔2025〕1号", "", True),
        version_input(D(2025, 1, 1), amount_per_founder="70000"),
    )
    assert await _amount_on(JOMDA, D(2025, 1, 1)) == ("540300", "70000.00")
    assert await _amount_on("540300", D(2025, 6, 1)) == ("540300", "70000.00")
    # Not in Lhasa, and not in Chamdo before the city's first version: the autonomous region's.
    assert await _amount_on(DAGZE, D(2025, 6, 1)) == ("540000", "60000.00")
    assert await _amount_on(JOMDA, D(2024, 12, 31)) == ("540000", "60000.00")
    # The world's Chamdo rent policy starts in 2099: until then Tibet's applies in Chamdo.
    assert await _amount_on(JOMDA, D(2026, 3, 1), RENT) == ("540000", "20000.00")
    assert await _amount_on(JOMDA, D(2099, 1, 1), RENT) == ("540300", "20000.00")
    # An inactive policy does not apply.
    await Policy.filter(region_id="540300", kind=GRANT).update(is_active=False)
    assert await _amount_on(JOMDA, D(2025, 6, 1)) == ("540000", "60000.00")
    assert await _amount_on("630121", D(2025, 6, 1)) is None  # nothing in Qinghai


# -- editing versions ------------------------------------------------------------------------


async def test_a_bureau_adds_a_version_in_the_page(world: World, login):
    policy = await installed()
    browser = await login("bureau_tibet")
    before = await AuditEvent.all().count()
    form = await browser.get(f"/policies/{policy.id}/versions/new")
    assert form.status_code == 200 and 'value="60000.00"' in form.text
    response = await browser.post(
        f"/policies/{policy.id}/versions", version_form("2026-01-01", amount_per_founder="80,000")
    )
    assert response.status_code == 303, response.text
    versions = await PolicyVersion.filter(policy_id=policy.id).order_by("valid_from")
    assert [(v.valid_from, v.valid_until, v.params["amount_per_founder"]) for v in versions] == [
        (D(2020, 1, 1), D(2025, 12, 31), "60000.00"),
        (D(2026, 1, 1), None, "80000.00"),
    ]
    assert versions[1].note == "测试" and versions[1].created_by_id == world.users["bureau_tibet"].id
    events = await AuditEvent.filter(seq__gt=before).order_by("seq")
    assert [e.action for e in events] == ["policy_version.updated", "policy_version.created"]
    assert events[0].before["valid_until"] is None and events[0].after["valid_until"] == "2025-12-31"
    assert events[1].after["params"]["amount_per_founder"] == "80000.00"
    assert all(e.region_code == "540000" for e in events)


BAD_NEW_VERSIONS = [
    # (what, form changes, field, message id, params)
    (
        "starts before the latest version",
        {"valid_from": "2019-06-01"},
        "valid_from",
        "The latest version starts on %(start)s: a new version must start later."
        " To change an earlier version, edit it.",
        {"start": "2020-01-01"},
    ),
    (
        "until before from",
        {"valid_until": "2026-01-31"},
        "valid_until",
        "The last day cannot be before the first day.",
        {},
    ),
    (
        "negative money",
        {"amount_per_founder": "-1"},
        "params.amount_per_founder",
        "Enter a number that is zero or more.",
        {},
    ),
    ("not a number", {"amount_per_founder": "abc"}, "params.amount_per_founder", "Enter a number.", {}),
    (
        "three decimals",
        {"amount_per_founder": "60000.001"},
        "params.amount_per_founder",
        "Enter an amount to the fen (two decimal places at most).",
        {},
    ),
    ("unknown group", {"eligible_groups": ["graduate", "astronaut"]}, "params.eligible_groups", "Unknown group.", {}),
    ("no group", {"eligible_groups": []}, "params.eligible_groups", "Choose at least one group.", {}),
    ("fractional months", {"max_founders": "2.5"}, "params.max_founders", "Enter a whole number.", {}),
]


@pytest.mark.parametrize(("what", "changes", "field", "msgid", "params"), BAD_NEW_VERSIONS)
async def test_a_bad_new_version_changes_nothing(world: World, login, token_for, what, changes, field, msgid, params):
    policy = await installed()
    browser = await login("bureau_tibet")
    client = await token_for("bureau_tibet")
    before = await state(policy.id)
    valid_from = changes.pop("valid_from", "2026-02-01")
    valid_until = changes.pop("valid_until", "")
    page = await browser.post(f"/policies/{policy.id}/versions", version_form(valid_from, valid_until, **changes))
    assert page.status_code == 422, what
    assert zh(msgid, **params) in html.unescape(page.text), what
    assert await state(policy.id) == before, what
    api = await client.post(
        f"/api/v1/policies/{policy.id}/versions", json=version_json(valid_from, valid_until or None, **changes)
    )
    assert api.status_code == 422, what
    assert api.json()["error"]["fields"][field] == zh(msgid, **params), what
    assert await state(policy.id) == before, what


async def test_a_page_keeps_what_was_typed_when_refused(world: World, login):
    policy = await installed()
    browser = await login("bureau_tibet")
    form = version_form("2026-02-01", amount_per_founder="abc", eligible_groups=["graduate", "veteran"])
    form["sources.max_founders"] = "我的依据"
    page = await browser.post(f"/policies/{policy.id}/versions", form)
    assert page.status_code == 422
    assert 'value="abc"' in page.text and "我的依据" in page.text
    checked = [g for g in ("graduate", "veteran", "online_merchant") if f'value="{g}" checked' in page.text]
    assert checked == ["graduate", "veteran"]


async def test_a_version_needs_a_source_for_every_parameter(world: World):
    data = version_json("2026-01-01")
    data["sources"]["max_founders"] = {"ref": "", "confirmed": False}
    with pytest.raises(ValidationFailed) as refused:
        parse_version(GRANT, data)
    assert set(refused.value.fields) == {"sources.max_founders"}


async def _two_versions(world: World) -> tuple[Policy, PolicyVersion, PolicyVersion]:
    policy = await installed()
    tibet = await principal_of(world, "bureau_tibet")
    await service.add_version(tibet, policy, version_input(D(2026, 1, 1), amount_per_founder="80000"))
    first, second = await PolicyVersion.filter(policy_id=policy.id).order_by("valid_from")
    return policy, first, second


def _edit(version: PolicyVersion, valid_from: dt.date, valid_until: dt.date | None, **extra: Any) -> VersionInput:
    return VersionInput(valid_from, valid_until, version.params, version.sources, version.note, **extra)


BAD_EDITS = [
    # (what, which version, new dates, message id, params)
    (
        "a gap after the first version",
        0,
        (D(2020, 1, 1), D(2025, 11, 30)),
        "No version would be in force from %(gap_start)s to %(gap_end)s:"
        " versions must follow each other without a gap.",
        {"gap_start": "2025-12-01", "gap_end": "2025-12-31"},
    ),
    (
        "an overlap with the second version",
        0,
        (D(2020, 1, 1), D(2026, 1, 31)),
        "The versions from %(first)s and from %(second)s would overlap: one day would have two versions.",
        {"first": "2020-01-01", "second": "2026-01-01"},
    ),
    (
        "the first version left open",
        0,
        (D(2020, 1, 1), None),
        "The versions from %(first)s and from %(second)s would overlap: one day would have two versions.",
        {"first": "2020-01-01", "second": "2026-01-01"},
    ),
    (
        "a gap before the second version",
        1,
        (D(2026, 2, 1), None),
        "No version would be in force from %(gap_start)s to %(gap_end)s:"
        " versions must follow each other without a gap.",
        {"gap_start": "2026-01-01", "gap_end": "2026-01-31"},
    ),
    (
        "the second version starting inside the first",
        1,
        (D(2025, 6, 1), None),
        "The versions from %(first)s and from %(second)s would overlap: one day would have two versions.",
        {"first": "2020-01-01", "second": "2025-06-01"},
    ),
]


@pytest.mark.parametrize(("what", "which", "dates", "msgid", "params"), BAD_EDITS)
async def test_an_edit_leaving_a_gap_or_an_overlap_changes_nothing(
    world: World, login, token_for, what, which, dates, msgid, params
):
    policy, *versions = await _two_versions(world)
    version = versions[which]
    browser = await login("bureau_tibet")
    client = await token_for("bureau_tibet")
    before = await state(policy.id)
    tibet = await principal_of(world, "bureau_tibet")
    with pytest.raises(ValidationFailed) as refused:
        await service.update_version(tibet, version, _edit(version, *dates))
    [(field, message)] = refused.value.fields.items()
    assert message == msgid and refused.value.field_params[field] == params, what
    assert await state(policy.id) == before
    valid_from, valid_until = dates
    form = version_form(valid_from.isoformat(), valid_until.isoformat() if valid_until else "")
    if which == 1:
        form["params.amount_per_founder"] = "80000.00"
    page = await browser.post(f"/policy-versions/{version.id}", form)
    assert page.status_code == 422 and zh(msgid, **params) in html.unescape(page.text), what
    assert await state(policy.id) == before
    patch = {"valid_from": valid_from.isoformat(), "valid_until": valid_until.isoformat() if valid_until else None}
    api = await client.patch(f"/api/v1/policy-versions/{version.id}", json=patch)
    assert api.status_code == 422 and api.json()["error"]["fields"][field] == zh(msgid, **params), what
    assert await state(policy.id) == before


async def test_a_new_version_after_a_closed_one_must_follow_it(world: World):
    policy, _first, second = await _two_versions(world)
    tibet = await principal_of(world, "bureau_tibet")
    await service.update_version(tibet, second, _edit(second, D(2026, 1, 1), D(2026, 6, 30)))
    before = await state(policy.id)
    with pytest.raises(ValidationFailed) as gap:
        await service.add_version(tibet, policy, version_input(D(2026, 8, 1)))
    assert gap.value.field_params["valid_from"] == {"end": "2026-06-30", "next": "2026-07-01"}
    with pytest.raises(ValidationFailed) as overlap:
        await service.add_version(tibet, policy, version_input(D(2026, 6, 1)))
    assert overlap.value.field_params["valid_from"] == {"start": "2026-01-01", "end": "2026-06-30"}
    assert await state(policy.id) == before
    third = await service.add_version(tibet, policy, version_input(D(2026, 7, 1), amount_per_founder="90000"))
    assert third.valid_until is None and await _amount_on(JOMDA, D(2026, 7, 1)) == ("540000", "90000.00")


async def test_an_edit_corrects_parameters_and_moves_a_boundary_with_its_neighbour(world: World, token_for):
    policy, first, second = await _two_versions(world)
    tibet = await principal_of(world, "bureau_tibet")
    edited = await service.update_version(tibet, first, _edit(first, D(2020, 1, 1), D(2025, 12, 31)))
    assert edited.valid_until == D(2025, 12, 31)  # unchanged dates, nothing to audit
    assert await AuditEvent.filter(action="policy_version.updated", object_id=str(first.id)).count() == 1
    # The boundary moves forward: the first version runs until the day before.
    moved = _edit(second, D(2026, 3, 1), None, adjust_neighbours=True)
    await service.update_version(tibet, second, moved)
    spans = [(v.valid_from, v.valid_until) for v in await PolicyVersion.filter(policy_id=policy.id).order_by("id")]
    assert spans == [(D(2020, 1, 1), D(2026, 2, 28)), (D(2026, 3, 1), None)]
    # ... and back before the first version's old end, through the API, changing one parameter only.
    client = await token_for("bureau_tibet")
    response = await client.patch(
        f"/api/v1/policy-versions/{first.id}",
        json={"valid_until": "2025-09-30", "adjust_neighbours": True, "params": {"max_founders": 5}},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["valid_until"] == "2025-09-30" and body["params"]["max_founders"] == 5
    assert body["params"]["amount_per_founder"] == "60000.00"
    spans = [(v.valid_from, v.valid_until) for v in await PolicyVersion.filter(policy_id=policy.id).order_by("id")]
    assert spans == [(D(2020, 1, 1), D(2025, 9, 30)), (D(2025, 10, 1), None)]
    # Swallowing the neighbour entirely is refused.
    swallow = _edit(second, D(2020, 1, 1), None, adjust_neighbours=True)
    with pytest.raises(ValidationFailed) as refused:
        await service.update_version(tibet, second, swallow)
    assert refused.value.fields == {"valid_from": "The version from %(start)s would be left without a single day."}
    # Sources and confirmations are edited with the values.
    sources = {**second.sources, "max_founders": {"ref": "藏人社发〔2026〕1号 第三条", "confirmed": True}}
    confirmed = VersionInput(D(2025, 10, 1), None, second.params, sources, "已核对")
    await service.update_version(tibet, second, confirmed)
    stored = await PolicyVersion.get(id=second.id)
    assert stored.sources["max_founders"] == {"ref": "藏人社发〔2026〕1号 第三条", "confirmed": True}
    event = await AuditEvent.filter(action="policy_version.updated", object_id=str(second.id)).order_by("-seq").first()
    assert event is not None and event.before["note"] == "" and event.after["note"] == "已核对"


# -- who may edit where ------------------------------------------------------------------------


async def test_a_city_bureau_edits_only_its_own_subtree(world: World, login, token_for):
    tibet_policy = await installed()
    chamdo_rent = world.more["policy_id"]["chamdo"]
    lhasa_rent = world.more["policy_id"]["dsj"]
    lhasa = await login("bureau_lhasa")
    api = await token_for("bureau_lhasa")
    # The Chamdo policy is not visible to Lhasa at all; the autonomous region's is, read-only.
    assert (await lhasa.get(f"/policies/{chamdo_rent}")).status_code == 404
    assert (await lhasa.post(f"/policies/{chamdo_rent}/versions", version_form("2026-01-01"))).status_code == 404
    shown = await lhasa.get(f"/policies/{tibet_policy.id}")
    assert shown.status_code == 200 and "编辑此版本" not in shown.text and "新增版本" not in shown.text
    before = await state(tibet_policy.id)
    assert (await lhasa.post(f"/policies/{tibet_policy.id}/versions", version_form("2026-01-01"))).status_code == 403
    assert (await lhasa.get(f"/policies/{tibet_policy.id}/versions/new")).status_code == 403
    [version_id] = before[0][0][:1]
    assert (await lhasa.post(f"/policy-versions/{version_id}", version_form("2020-01-01"))).status_code == 403
    refused = await api.post(f"/api/v1/policies/{tibet_policy.id}/versions", json=version_json("2026-01-01"))
    assert refused.status_code == 403
    assert (await api.patch(f"/api/v1/policy-versions/{version_id}", json={"note": "x"})).status_code == 403
    assert (await api.get(f"/api/v1/policies/{chamdo_rent}")).status_code == 404
    assert await state(tibet_policy.id) == before
    officer = await principal_of(world, "bureau_lhasa")
    with pytest.raises(Forbidden):
        await service.add_version(officer, tibet_policy, version_input(D(2026, 1, 1)))
    # Its own city's policy it edits.
    own = await lhasa.get(f"/policies/{lhasa_rent}")
    assert own.status_code == 200 and "新增版本" in own.text
    # The autonomous region's bureau edits the Chamdo policy below it.
    tibet = await login("bureau_tibet")
    edit = await tibet.post(
        f"/policies/{chamdo_rent}",
        {"name": "昌都市房租补贴（修订）", "issuing_body": "昌都市人社局", "is_active": "1"},
    )
    assert edit.status_code == 303
    assert (await Policy.get(id=chamdo_rent)).name == "昌都市房租补贴（修订）"


async def test_operators_read_but_never_change(world: World, login, token_for):
    policy = await installed()
    operator = await login("operator_dsj")
    api = await token_for("operator_dsj")
    assert (await operator.get("/policies")).status_code == 200
    assert (await operator.get(f"/policies/{policy.id}")).status_code == 200
    before = await state(policy.id)
    assert (await operator.post(f"/policies/{policy.id}/versions", version_form("2026-01-01"))).status_code == 403
    assert (await operator.post(f"/policies/{policy.id}", {"name": "x", "issuing_body": "y"})).status_code == 403
    assert (await operator.post("/policies/holidays", {"region_code": "540102", "name": "x"})).status_code == 403
    assert (await operator.get("/policies/new")).status_code == 403
    assert (
        await api.post(f"/api/v1/policies/{policy.id}/versions", json=version_json("2026-01-01"))
    ).status_code == 403
    assert await state(policy.id) == before
    # Founders see policies through their eligibility, not here.
    assert (await (await login("founder_dsj")).get("/policies")).status_code == 403
    assert (await (await token_for("founder_dsj")).get("/api/v1/policies")).status_code == 403


async def test_a_prefecture_creates_its_own_policy_once(world: World, login):
    await installed()
    chamdo = await login("bureau_chamdo")
    form = await chamdo.get("/policies/new?kind=startup_grant&region_code=540300")
    assert form.status_code == 200 and 'value="60000.00"' in form.text  # from Tibet's policy in force
    data = version_form("2025-01-01", amount_per_founder="70000")
    data.update(kind="startup_grant", region_code="540300", name="昌都市一次性创业补贴", issuing_body="昌都市人社局")
    created = await chamdo.post("/policies", data)
    assert created.status_code == 303
    policy = await Policy.get(region_id="540300", kind=GRANT)
    assert created.headers["location"] == f"/policies/{policy.id}"
    assert await AuditEvent.filter(action="policy.created", object_id=str(policy.id)).count() == 1
    count = await Policy.all().count()
    again = await chamdo.post("/policies", data)
    assert again.status_code == 422
    assert (
        zh("%(region)s already has its own policy of this kind: open it and add a version instead.", region="昌都市")
        in again.text
    )
    lhasa = await login("bureau_lhasa")
    assert (await lhasa.post("/policies", {**data, "kind": "loan_interest"})).status_code == 403
    assert await Policy.all().count() == count


async def test_editing_a_policy_is_audited_and_can_retire_it(world: World, login):
    policy = await installed()
    admin = await login("admin")
    events = await AuditEvent.all().count()
    blank = await admin.post(f"/policies/{policy.id}", {"name": "", "issuing_body": "x", "is_active": "1"})
    assert blank.status_code == 422 and zh("This field is required.") in blank.text
    assert await AuditEvent.all().count() == events
    response = await admin.post(
        f"/policies/{policy.id}",
        {
            "name": "一次性创业补贴",
            "issuing_body": "西藏自治区人力资源和社会保障厅",
            "document_number": "藏人社发〔2020〕99号",
            "is_active": "0",
        },
    )
    assert response.status_code == 303
    stored = await Policy.get(id=policy.id)
    assert stored.document_number == "藏人社发〔2020〕99号" and stored.is_active is False
    event = await AuditEvent.get(action="policy.updated")
    assert event.before["is_active"] is True and event.after["is_active"] is False
    assert event.after["document_number"] == "藏人社发〔2020〕99号"
    assert await service.in_force(GRANT, JOMDA, D(2025, 1, 1)) is None


# -- pages and API ------------------------------------------------------------------------


async def test_the_pages_show_each_parameter_with_its_source(world: World, login):
    policy = await installed()
    operator = await login("operator_chamdo")
    listing = await operator.get("/policies")
    assert listing.status_code == 200
    assert "一次性创业补贴" in listing.text and "财金〔2020〕21号" in listing.text
    assert "昌都市创业场地房租补贴" in listing.text and "拉萨市创业场地房租补贴" not in listing.text
    page = await operator.get(f"/policies/{policy.id}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "¥60,000.00" in text and "高校毕业生" in text and "退役军人" in text
    assert "西藏自治区一次性创业补贴标准，每名符合条件的创业者6万元" in text
    assert "待核对" in text
    loan = await Policy.get(region_id="540000", kind=PolicyKind.LOAN_INTEREST)
    loan_page = html.unescape((await operator.get(f"/policies/{loan.id}")).text)
    assert "¥4,000,000.00" in loan_page and "110%" in loan_page
    assert zh("The whole interest") in loan_page
    await operator.post("/language", {"locale": "en"})
    english = html.unescape((await operator.get(f"/policies/{loan.id}")).text)
    assert "Interest subsidy on guaranteed business-start loans" in english and "Unconfirmed" in english


async def test_the_api_lists_visible_policies_with_their_versions(world: World, token_for):
    policy = await installed()
    client = await token_for("bureau_lhasa")
    response = await client.get("/api/v1/policies", params={"limit": 10})
    assert response.status_code == 200
    body = response.json()
    # Tibet's three, the world's Lhasa rent policy, and other parts' policies of Lhasa's counties.
    regions = sorted({p["region_code"] for p in body["items"]})
    assert regions[:2] == ["540000", "540100"] and all(r.startswith("5401") for r in regions[1:])
    grant = next(p for p in body["items"] if p["id"] == policy.id)
    [version] = grant["versions"]
    assert grant["in_force_version_id"] == version["id"]
    assert version["params"]["amount_per_founder"] == "60000.00" and version["valid_until"] is None
    assert version["sources"]["max_founders"]["confirmed"] is False
    only = await client.get("/api/v1/policies", params={"kind": "rent_subsidy", "region": DAGZE})
    assert sorted(p["region_code"] for p in only.json()["items"]) == ["540000", "540100"]
    assert (await client.get("/api/v1/policies", params={"kind": "lottery"})).status_code == 422
    one = await client.get(f"/api/v1/policies/{policy.id}")
    assert one.status_code == 200 and one.json()["document_number"] == ""
    created = await (await token_for("bureau_tibet")).post(
        f"/api/v1/policies/{policy.id}/versions", json=version_json("2026-01-01", amount_per_founder="80000")
    )
    assert created.status_code == 201 and created.json()["params"]["amount_per_founder"] == "80000.00"
    rates = await client.get("/api/v1/lpr-rates", params={"limit": 200})
    assert rates.status_code == 200 and rates.json()["total"] == len(LPR_HISTORY) + 3
    holidays = await client.get("/api/v1/holidays", params={"limit": 200})
    codes = {h["region_code"] for h in holidays.json()["items"]}
    assert codes == {"540000", "540100"}


# -- LPR --------------------------------------------------------------------------------


async def test_lpr_on_takes_the_latest_rate_published_on_or_before_the_day(world: World):
    await service.install_defaults()
    cases = {
        D(2019, 8, 19): None,
        D(2019, 8, 20): Decimal("4.25"),
        D(2020, 4, 19): Decimal("4.05"),
        D(2020, 4, 20): Decimal("3.85"),
        D(2025, 5, 19): Decimal("3.10"),
        D(2025, 5, 20): Decimal("3.00"),
        D(2098, 12, 31): Decimal("3.00"),
        D(2099, 1, 20): Decimal("2.50"),  # the test world's own row
    }
    for day, expected in cases.items():
        rate = await service.lpr_on(day)
        assert (rate.one_year if rate else None) == expected, day


async def test_the_admin_keeps_the_lpr_table(world: World, login):
    admin = await login("admin")
    added = await admin.post("/policies/lpr", {"effective_on": "2025-06-20", "one_year": "2.95", "five_year": "3.45"})
    assert added.status_code == 303
    rate = await LprRate.get(effective_on=D(2025, 6, 20))
    assert rate.one_year == Decimal("2.95") and rate.five_year == Decimal("3.45")
    count, events = await LprRate.all().count(), await AuditEvent.all().count()
    twice = await admin.post("/policies/lpr", {"effective_on": "2025-06-20", "one_year": "3.00"})
    assert twice.status_code == 422 and zh("The table already has a rate from %(day)s.", day="2025-06-20") in twice.text
    bad = await admin.post("/policies/lpr", {"effective_on": "2025-07-20", "one_year": "abc"})
    assert bad.status_code == 422 and 'value="abc"' in bad.text
    assert (await LprRate.all().count(), await AuditEvent.all().count()) == (count, events)
    editing = await admin.get(f"/policies/lpr?edit={rate.id}")
    assert 'value="2.9500"' in editing.text or 'value="2.95"' in editing.text
    edited = await admin.post(f"/policies/lpr/{rate.id}", {"effective_on": "2025-06-20", "one_year": "2.90"})
    assert edited.status_code == 303 and (await LprRate.get(id=rate.id)).one_year == Decimal("2.90")
    bureau = await login("bureau_tibet")
    assert (await bureau.get("/policies/lpr")).status_code == 200
    assert (await bureau.post("/policies/lpr", {"effective_on": "2025-08-20", "one_year": "3"})).status_code == 403
    assert (await bureau.post(f"/policies/lpr/{rate.id}/delete")).status_code == 403
    deleted = await admin.post(f"/policies/lpr/{rate.id}/delete")
    assert deleted.status_code == 303 and not await LprRate.exists(id=rate.id)
    actions = [e.action for e in await AuditEvent.filter(object_type="LprRate").order_by("seq")]
    assert actions == ["lpr_rate.created", "lpr_rate.updated", "lpr_rate.deleted"]


# -- regional holidays and the calendar -----------------------------------------------------------


async def test_the_calendar_counts_losar_as_days_off_in_tibet(world: World):
    await service.install_defaults()
    friday = D(2026, 2, 13)
    # National: Fri 13, the make-up Saturday 14, then Spring Festival 15-23 off: Tue 24, Wed 25, Thu 26.
    assert Calendar().add_working_days(friday, 5) == D(2026, 2, 26)
    # Tibet adds 藏历新年 18-24: Tue 24 is off too, so the fifth working day is Fri 27.
    chamdo = await service.calendar_for("540302")
    assert chamdo.add_working_days(friday, 5) == D(2026, 2, 27)
    assert not chamdo.is_working_day(D(2026, 2, 24))
    assert (await service.calendar_for("540102")).add_working_days(friday, 5) == D(2026, 2, 27)
    assert (await service.calendar_for("630102")).add_working_days(friday, 5) == D(2026, 2, 26)
    assert await service.regional_holidays("540302") == [(start, end) for _n, start, end in TIBET_HOLIDAYS] + [
        (D(2099, 6, 10), D(2099, 6, 11))  # the world's Chamdo holiday
    ]


async def test_a_bureau_keeps_the_holidays_of_its_subtree(world: World, login):
    await service.install_defaults()
    chamdo = await login("bureau_chamdo")
    added = await chamdo.post(
        "/policies/holidays",
        {"region_code": "540300", "name": "昌都三江茶马文化艺术节", "starts_on": "2026-08-01", "ends_on": "2026-08-03"},
    )
    assert added.status_code == 303
    holiday = await RegionHoliday.get(region_id="540300", starts_on=D(2026, 8, 1))
    calendar = await service.calendar_for("540302")
    assert not calendar.is_working_day(D(2026, 8, 3)) and calendar.is_working_day(D(2026, 8, 4))
    assert (await service.calendar_for("540102")).is_working_day(D(2026, 8, 3))
    counts = (await RegionHoliday.all().count(), await AuditEvent.all().count())
    overlap = "This overlaps %(name)s (%(start)s to %(end)s) of the same region."
    refusals = [
        (
            ("2026-08-03", "2026-08-05"),
            zh(overlap, name="昌都三江茶马文化艺术节", start="2026-08-01", end="2026-08-03"),
        ),
        (("2026-09-01", "2026-10-15"), zh("A holiday lasts at most %(days)d days.", days=31)),
        (("2026-09-05", "2026-09-01"), zh("The last day cannot be before the first day.")),
    ]
    for (starts_on, ends_on), message in refusals:
        form = {"region_code": "540300", "name": "x", "starts_on": starts_on, "ends_on": ends_on}
        refused = await chamdo.post("/policies/holidays", form)
        assert refused.status_code == 422 and message in html.unescape(refused.text), starts_on
    assert (await RegionHoliday.all().count(), await AuditEvent.all().count()) == counts
    # Tibet's holidays are visible to Chamdo, not its to change; Lhasa cannot see Chamdo's at all.
    losar = await RegionHoliday.get(region_id="540000", starts_on=D(2026, 2, 18))
    assert (await chamdo.post(f"/policies/holidays/{losar.id}/delete")).status_code == 403
    assert (
        await chamdo.post(
            "/policies/holidays",
            {"region_code": "540000", "name": "x", "starts_on": "2026-09-01", "ends_on": "2026-09-01"},
        )
    ).status_code == 403
    lhasa = await login("bureau_lhasa")
    assert (await lhasa.post(f"/policies/holidays/{holiday.id}/delete")).status_code == 404
    assert (await lhasa.get(f"/policies/holidays?edit={holiday.id}")).status_code == 404
    page = await chamdo.get(f"/policies/holidays?edit={holiday.id}")
    assert page.status_code == 200 and "昌都三江茶马文化艺术节" in page.text and "藏历新年" in page.text
    moved = await chamdo.post(
        f"/policies/holidays/{holiday.id}",
        {"region_code": "540300", "name": "昌都三江茶马文化艺术节", "starts_on": "2026-08-02", "ends_on": "2026-08-04"},
    )
    assert moved.status_code == 303 and (await RegionHoliday.get(id=holiday.id)).ends_on == D(2026, 8, 4)
    assert (await chamdo.post(f"/policies/holidays/{holiday.id}/delete")).status_code == 303
    actions = [e.action for e in await AuditEvent.filter(object_type="RegionHoliday").order_by("seq")]
    assert actions == ["holiday.created", "holiday.updated", "holiday.deleted"]
    officer = await principal_of(world, "bureau_lhasa")
    with pytest.raises(Forbidden):
        await service.add_holiday(officer, HolidayInput("540300", "x", D(2026, 9, 1), D(2026, 9, 1)))
