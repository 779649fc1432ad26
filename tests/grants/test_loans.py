"""The loan registry: recording loans and repayments, their pages and API, access, and the interest facts.

The world gives every startup a loan of 120,000 at 3.45 % from 15 Jan 2025 over 24 months,
equal principal (5,000 a month), with 5,000 principal and 356.50 interest repaid on 15 Feb 2025.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from grants.forms.loans import parse_loan, parse_repayment
from grants.models import (
    Application,
    AppState,
    BorrowerKind,
    Claim,
    Loan,
    LoanRepayment,
    LprRate,
    Policy,
    PolicyKind,
    PolicyVersion,
)
from grants.rules.loan_interest import decide
from grants.rules.params import ELIGIBLE_GROUPS, InterestMode, InterestParams
from grants.services import loans as service
from incubator.errors import Forbidden, ValidationFailed
from incubator.models import AuditEvent
from tests.personas import World, principal_of

D = Decimal
TODAY = dt.date(2026, 6, 1)


async def counts() -> tuple[int, int, int]:
    """Loans, repayments and audit events (logging in is audited too, and changes nothing)."""
    changes = await AuditEvent.exclude(action="user.login").count()
    return await Loan.all().count(), await LoanRepayment.all().count(), changes


async def lpr_table() -> None:
    await LprRate.create(effective_on=dt.date(2024, 10, 21), one_year=D("3.10"), five_year=D("3.60"))
    await LprRate.create(effective_on=dt.date(2025, 5, 20), one_year=D("3.00"), five_year=D("3.50"))


def form(world: World, key: str = "chamdo", **changes: str) -> dict[str, str]:
    """A new loan of the startup `key` to its founding person, as the operator types it."""
    data = {
        "startup_id": str(world.startups[key].id),
        "borrower_kind": "individual",
        "person_id": str(world.persons[key].id),
        "bank": "西藏银行昌都分行",
        "guarantee_agency": "昌都市创业担保中心",
        "contract_number": "CD-2025-0088",
        "principal": "200000",
        "annual_rate": "3.45",
        "contract_on": "2025-05-10",
        "start_on": "2025-05-15",
        "term_months": "36",
        "period_months": "3",
        "method": "equal_principal",
    }
    data.update(changes)
    return data


def loan_id(world: World, key: str) -> int:
    return world.more["loan_id"][key]


async def application_on(world: World, key: str, *, state: AppState = AppState.SUBMITTED) -> Application:
    """An application of the startup referring to its loan (the workflow itself is not tested here)."""
    startup = world.startups[key]
    base = world.bases[key.removesuffix("_sibling")]
    policy = await Policy.filter(kind=PolicyKind.LOAN_INTEREST, region_id="540000").first()
    if policy is None:
        policy = await Policy.create(
            kind=PolicyKind.LOAN_INTEREST, region_id="540000", name="创业担保贷款贴息", issuing_body="人社厅"
        )
    version = await PolicyVersion.filter(policy_id=policy.id).first()
    if version is None:
        version = await PolicyVersion.create(policy=policy, valid_from=dt.date(2020, 1, 1), params={}, sources={})
    return await Application.create(
        policy=policy,
        version=version,
        kind=PolicyKind.LOAN_INTEREST,
        startup=startup,
        base_id=base.id,
        region_code=base.region_id,
        loan_id=loan_id(world, key),
        period_no=1,
        state=state,
    )


# -- services ------------------------------------------------------------------------------


async def test_it_records_a_loan_with_the_lpr_of_the_contract_date(world: World):
    await lpr_table()
    operator = await principal_of(world, "operator_chamdo")
    data = parse_loan(form(world), today=TODAY)
    startup = await service.startup_for_loan(operator, world.startups["chamdo"].id)
    loan = await service.create_loan(operator, startup, data)
    await loan.refresh_from_db()
    assert (loan.borrower_name, loan.person_id, loan.partners) == ("阿琼", world.persons["chamdo"].id, 1)
    assert (loan.principal, loan.annual_rate, loan.lpr) == (D("200000.00"), D("3.45"), D("3.10"))
    assert (loan.base_id, loan.region_code) == (world.bases["chamdo"].id, "540302")
    event = await AuditEvent.get(action="loan.created")
    assert event.object_id == str(loan.id) and event.after["lpr"] == "3.1000" and event.base_id == loan.base_id
    # Quarterly over 36 months: 12 periods of 200,000 / 12 = 16,666.67 (the last 16,666.63).
    instalments = service.loan_schedule(loan)
    assert len(instalments) == 12 and instalments[0].principal == D("16666.67")
    assert instalments[-1].principal == D("16666.63") and instalments[-1].end == dt.date(2028, 5, 14)
    # A contract after 20 May 2025 takes the LPR of that day; a typed LPR wins.
    later = parse_loan(
        form(world, contract_number="CD-2025-0089", contract_on="2025-05-20", start_on="2025-05-20"), today=TODAY
    )
    assert (await service.create_loan(operator, startup, later)).lpr == D("3.00")
    typed = parse_loan(form(world, contract_number="CD-2025-0090", lpr="3.85"), today=TODAY)
    assert (await service.create_loan(operator, startup, typed)).lpr == D("3.85")


async def test_it_records_partnership_and_enterprise_borrowers(world: World):
    await lpr_table()
    operator = await principal_of(world, "operator_chamdo")
    startup = world.startups["chamdo"]
    partnership = await service.create_loan(
        operator,
        startup,
        parse_loan(form(world, borrower_kind="partnership", partners="3", principal="900000"), today=TODAY),
    )
    assert (partnership.borrower_kind, partnership.partners) == (BorrowerKind.PARTNERSHIP, 3)
    enterprise = await service.create_loan(
        operator,
        startup,
        parse_loan(form(world, borrower_kind="enterprise", contract_number="QY-1", person_id=""), today=TODAY),
    )
    assert (enterprise.person_id, enterprise.borrower_name) == (None, "昌都童心课后托管服务有限公司")
    with pytest.raises(ValidationFailed) as refused:
        parse_loan(form(world, borrower_kind="partnership", partners="1"), today=TODAY)
    assert refused.value.fields == {"partners": "A partnership has at least two partners."}


async def test_it_needs_an_lpr_when_none_is_recorded(world: World):
    operator = await principal_of(world, "operator_chamdo")
    before = await counts()
    with pytest.raises(ValidationFailed) as refused:
        await service.create_loan(operator, world.startups["chamdo"], parse_loan(form(world), today=TODAY))
    assert refused.value.fields == {"lpr": "No LPR is recorded for the contract date: enter the LPR."}
    assert await counts() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"principal": "0"}, "principal", "The principal must be more than zero."),
        ({"principal": "-100"}, "principal", "The principal must be more than zero."),
        ({"principal": "12.345"}, "principal", "At most %(places)d decimal places."),
        ({"annual_rate": "0"}, "annual_rate", "Enter a rate above 0 and below 36 (percent a year), e.g. 3.45."),
        ({"annual_rate": "36"}, "annual_rate", "Enter a rate above 0 and below 36 (percent a year), e.g. 3.45."),
        ({"annual_rate": "3.12345"}, "annual_rate", "At most %(places)d decimal places."),
        ({"term_months": "0"}, "term_months", "Enter a number between %(low)s and %(high)s."),
        ({"term_months": "361"}, "term_months", "Enter a number between %(low)s and %(high)s."),
        ({"period_months": "2"}, "period_months", "Choose monthly, quarterly, half-yearly or yearly instalments."),
        ({"term_months": "2"}, "term_months", "The term is shorter than one repayment period."),
        ({"start_on": "2025-05-31"}, "start_on", "The loan cannot start before the contract is signed."),
        ({"contract_on": "2026-06-02"}, "contract_on", "The date cannot be in the future."),
        ({"person_id": ""}, "person_id", "Choose the founder who borrowed."),
        ({"method": "balloon"}, "method", "Choose one of the listed values."),
        ({"bank": ""}, "bank", "This field is required."),
    ],
)
def test_it_refuses_bad_terms(world_free_form, changes, field, message):
    with pytest.raises(ValidationFailed) as refused:
        parse_loan({**world_free_form, **changes}, today=TODAY)
    assert refused.value.fields[field] == message


@pytest.fixture
def world_free_form() -> dict[str, str]:
    return {
        "startup_id": "1",
        "borrower_kind": "individual",
        "person_id": "1",
        "bank": "西藏银行",
        "guarantee_agency": "担保中心",
        "contract_number": "X-1",
        "principal": "100000",
        "annual_rate": "3.45",
        "contract_on": "2025-06-01",
        "start_on": "2025-06-01",
        "term_months": "12",
        "period_months": "3",
        "method": "equal_principal",
    }


async def test_it_refuses_a_borrower_who_is_not_a_founder_and_a_duplicate_contract(world: World):
    await lpr_table()
    operator = await principal_of(world, "operator_chamdo")
    startup = world.startups["chamdo"]
    before = await counts()
    # The sibling startup's founder did not found this one.
    stranger = parse_loan(form(world, person_id=str(world.persons["chamdo_sibling"].id)), today=TODAY)
    with pytest.raises(ValidationFailed) as refused:
        await service.create_loan(operator, startup, stranger)
    assert refused.value.fields == {"person_id": "Choose a founder of this startup."}
    # The world's loan of the Chamdo startup is contract DB2025-<id> of 西藏银行昌都分行.
    taken = parse_loan(form(world, contract_number=f"DB2025-{startup.id:04d}"), today=TODAY)
    with pytest.raises(ValidationFailed) as refused:
        await service.create_loan(operator, startup, taken)
    assert refused.value.fields == {
        "contract_number": "A loan under contract %(number)s of %(bank)s is already recorded."
    }
    assert await counts() == before
    # The same number at another bank is another contract.
    other_bank = parse_loan(form(world, contract_number=f"DB2025-{startup.id:04d}", bank="中国银行"), today=TODAY)
    assert (await service.create_loan(operator, startup, other_bank)).bank == "中国银行"


async def test_it_keeps_loans_to_the_operators_of_their_base(world: World):
    await lpr_table()
    data = parse_loan(form(world), today=TODAY)
    for persona in ("operator_dsj", "founder_chamdo", "bureau_chamdo"):
        principal = await principal_of(world, persona)
        with pytest.raises(Forbidden):
            await service.create_loan(principal, world.startups["chamdo"], data)
    with pytest.raises(ValidationFailed) as refused:
        await service.startup_for_loan(await principal_of(world, "operator_dsj"), world.startups["chamdo"].id)
    assert refused.value.fields == {"startup_id": "Choose a startup of your base."}


async def test_it_records_repayments_up_to_the_principal_outstanding(world: World):
    operator = await principal_of(world, "operator_chamdo")
    loan = await Loan.get(id=loan_id(world, "chamdo"))
    repayment = await service.record_repayment(
        operator,
        loan,
        parse_repayment({"paid_on": "2025-03-15", "principal": "5000", "interest": "330.63"}, today=TODAY),
    )
    assert (repayment.principal, repayment.interest, repayment.base_id) == (D("5000.00"), D("330.63"), loan.base_id)
    event = await AuditEvent.get(action="loan.repayment_recorded")
    assert event.after["outstanding"] == "110000.00" and event.after["repayment_id"] == repayment.id
    before = await counts()
    too_much = parse_repayment({"paid_on": "2025-04-15", "principal": "110000.01"}, today=TODAY)
    with pytest.raises(ValidationFailed) as refused:
        await service.record_repayment(operator, loan, too_much)
    assert refused.value.fields == {"principal": "Only %(outstanding)s of principal is outstanding."}
    assert refused.value.field_params["principal"]["outstanding"] == "¥110,000.00"
    early = parse_repayment({"paid_on": "2025-01-14", "interest": "1"}, today=TODAY)
    with pytest.raises(ValidationFailed):
        await service.record_repayment(operator, loan, early)
    assert await counts() == before
    # Everything left can be repaid, then nothing more.
    await service.record_repayment(
        operator, loan, parse_repayment({"paid_on": "2025-04-15", "principal": "110000"}, today=TODAY)
    )
    with pytest.raises(ValidationFailed):
        await service.record_repayment(
            operator, loan, parse_repayment({"paid_on": "2025-04-16", "principal": "0.01"}, today=TODAY)
        )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"paid_on": "2026-06-02", "interest": "10"}, "paid_on", "The date cannot be in the future."),
        ({"paid_on": "2026-05-01"}, "interest", "Enter the principal or the interest repaid."),
        ({"paid_on": "2026-05-01", "principal": "-1"}, "principal", "The amount cannot be negative."),
        ({"paid_on": "", "interest": "10"}, "paid_on", "This field is required."),
    ],
)
def test_it_refuses_bad_repayments(data, field, message):
    with pytest.raises(ValidationFailed) as refused:
        parse_repayment(data, today=TODAY)
    assert refused.value.fields[field] == message


async def test_it_corrects_terms_only_while_no_application_refers_to_the_loan(world: World):
    operator = await principal_of(world, "operator_chamdo")
    loan = await Loan.get(id=loan_id(world, "chamdo"))
    changed = form(world, contract_number=loan.contract_number, bank=loan.bank, annual_rate="3.65", lpr="3.10")
    changed["guarantee_agency"] = loan.guarantee_agency
    changed.update(principal="120000", contract_on="2025-01-10", start_on="2025-01-15", term_months="24")
    changed.update(period_months="1")
    await service.update_loan(operator, loan, parse_loan(changed, today=TODAY, creating=False))
    await loan.refresh_from_db()
    assert loan.annual_rate == D("3.65")
    event = await AuditEvent.get(action="loan.updated")
    assert event.before == {"annual_rate": "3.4500"} and event.after == {"annual_rate": "3.6500"}
    # Less principal than is already repaid (5,000) is refused.
    with pytest.raises(ValidationFailed) as refused:
        lower = {**changed, "principal": "4999.99"}
        await service.update_loan(operator, loan, parse_loan(lower, today=TODAY, creating=False))
    assert refused.value.fields == {
        "principal": "%(repaid)s of principal is already repaid: the principal cannot be less."
    }
    await application_on(world, "chamdo")
    before = await counts()
    with pytest.raises(ValidationFailed) as refused:
        await service.update_loan(
            operator, loan, parse_loan({**changed, "annual_rate": "4"}, today=TODAY, creating=False)
        )
    assert refused.value.fields == {
        "__all__": "A subsidy application refers to this loan: its terms can no longer be changed."
    }
    assert await counts() == before
    await loan.refresh_from_db()
    assert loan.annual_rate == D("3.65")


# -- the facts of the interest subsidy --------------------------------------------------------


async def test_it_gathers_the_interest_facts_of_a_period(world: World):
    person = world.persons["chamdo"]
    person.graduation_year, person.is_veteran = 2023, True
    await person.save()
    loan = await Loan.get(id=loan_id(world, "chamdo"))
    first = await service.interest_facts(loan, 1, dt.date(2025, 4, 1))
    assert (first.instalment.start, first.instalment.end, first.instalment.days) == (
        dt.date(2025, 1, 15),
        dt.date(2025, 2, 14),
        31,
    )
    # Nothing repaid by 15 Jan; 356.50 of interest paid on 15 Feb, within [15 Jan, 1 Mar].
    assert (first.outstanding, first.interest_paid) == (D("120000.00"), D("356.50"))
    assert (first.paid_from, first.paid_to) == (dt.date(2025, 1, 15), dt.date(2025, 3, 1))
    assert (first.recorded_groups, first.graduation_year, first.earlier_claim) == (frozenset({"veteran"}), 2023, None)
    # Period 2 opens after the 5,000 repaid on its first day (15 Feb); its interest is not paid yet.
    second = await service.interest_facts(loan, 2, dt.date(2025, 4, 1))
    assert (second.instalment.opening_balance, second.outstanding, second.interest_paid) == (
        D("115000.00"),
        D("115000.00"),
        D("0.00"),
    )
    with pytest.raises(LookupError):
        await service.interest_facts(loan, 25, dt.date(2025, 4, 1))
    with pytest.raises(LookupError):
        await service.interest_facts(loan, 0, dt.date(2025, 4, 1))
    # The rule on these facts: the whole interest of period 1, 120,000 × 0.0345 / 360 × 31 = 356.50.
    params = InterestParams(
        individual_cap=D("300000"),
        partnership_percent=D(110),
        enterprise_cap=D("4000000"),
        individual_term_months=36,
        enterprise_term_months=24,
        mode=InterestMode.FULL,
        share_percent=D(50),
        lpr_spread_bp=150,
        graduate_years=5,
        eligible_groups=frozenset(ELIGIBLE_GROUPS),
    )
    decision = decide(first, params)
    assert (decision.eligible, decision.amount, decision.subjects) == (True, D("356.50"), (f"loan:{loan.id}:1",))
    assert not decide(second, params).eligible


async def test_it_finds_an_earlier_live_claim_on_the_period(world: World):
    loan = await Loan.get(id=loan_id(world, "chamdo"))
    app = await application_on(world, "chamdo")
    await Claim.create(kind=PolicyKind.LOAN_INTEREST, subject=f"loan:{loan.id}:1", application=app)
    facts = await service.interest_facts(loan, 1, dt.date(2025, 4, 1))
    assert facts.earlier_claim == app.reference and app.reference.startswith("BT")
    assert (await service.interest_facts(loan, 1, dt.date(2025, 4, 1), exclude=app.id)).earlier_claim is None
    assert (await service.interest_facts(loan, 2, dt.date(2025, 4, 1))).earlier_claim is None
    app.state = AppState.WITHDRAWN
    await app.save()
    assert (await service.interest_facts(loan, 1, dt.date(2025, 4, 1))).earlier_claim is None


async def test_it_treats_enterprise_borrowers_without_a_person(world: World):
    loan = await Loan.get(id=loan_id(world, "chamdo"))
    loan.borrower_kind, loan.person_id = BorrowerKind.ENTERPRISE, None
    await loan.save()
    facts = await service.interest_facts(loan, 1, dt.date(2025, 4, 1))
    assert (facts.recorded_groups, facts.graduation_year) == (frozenset(), None)


# -- pages -----------------------------------------------------------------------------------


async def test_it_lists_the_loans_with_their_outstanding_balance(world: World, login):
    operator = await login("operator_chamdo")
    page = await operator.get("/loans")
    assert page.status_code == 200
    assert "昌都童心课后托管服务有限公司" in page.text and "卡若区藏香制作合作社" in page.text
    assert "拉萨雪域青稞文创有限公司" not in page.text
    assert page.text.count("¥115,000.00") == 2 and "创业担保贷款" in page.text and "登记贷款" in page.text
    founder = await login("founder_chamdo")
    own = await founder.get("/loans")
    assert own.status_code == 200 and "昌都童心课后托管服务有限公司" in own.text
    assert "卡若区藏香制作合作社" not in own.text and "登记贷款" not in own.text
    bureau = await login("bureau_lhasa")
    listed = await bureau.get("/loans")
    assert "拉萨雪域青稞文创有限公司" in listed.text and "昌都童心课后托管服务有限公司" not in listed.text


async def test_it_records_a_loan_from_the_form(world: World, login):
    await lpr_table()
    operator = await login("operator_chamdo")
    page = await operator.get("/loans/new")
    assert page.status_code == 200 and "阿琼" in page.text and "卡若区藏香制作合作社" in page.text
    assert "拉萨雪域青稞文创有限公司" not in page.text
    response = await operator.post("/loans", form(world))
    assert response.status_code == 303
    loan = await Loan.get(contract_number="CD-2025-0088")
    assert response.headers["location"] == f"/loans/{loan.id}" and loan.lpr == D("3.10")
    detail = await operator.get(response.headers["location"])
    assert detail.status_code == 200 and "贷款已登记" in detail.text
    assert "¥200,000.00" in detail.text and "人民币贰拾万元整" in detail.text
    assert detail.text.count('id="period-') == 12 and "3.45%" in detail.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"principal": "0"}, "贷款本金必须大于零"),
        ({"annual_rate": "40"}, "请输入大于 0、小于 36 的年利率"),
        ({"person_id": "999999"}, "请选择该企业的创业者"),
        ({"contract_number": "DUP"}, "合同编号为 DUP 的贷款已登记"),
        ({"start_on": "2025-01-01"}, "贷款起始日不能早于合同签订日"),
    ],
)
async def test_it_shows_the_form_again_with_what_was_typed(world: World, login, changes, message):
    await lpr_table()
    operator = await login("operator_chamdo")
    if changes.get("contract_number") == "DUP":
        assert (
            await operator.post("/loans", form(world, contract_number="DUP", bank="西藏银行昌都分行营业部"))
        ).status_code == 303
    before = await counts()
    response = await operator.post("/loans", form(world, bank="西藏银行昌都分行营业部", **changes))
    assert response.status_code == 422 and message in response.text
    typed = changes.get("contract_number", "CD-2025-0088")
    assert 'value="西藏银行昌都分行营业部"' in response.text and f'value="{typed}"' in response.text
    assert await counts() == before


async def test_it_refuses_a_startup_of_another_base_on_the_form(world: World, login):
    await lpr_table()
    operator = await login("operator_chamdo")
    before = await counts()
    response = await operator.post("/loans", form(world, key="dsj"))
    assert response.status_code == 422 and "请选择本基地的入驻企业" in response.text
    assert await counts() == before


async def test_it_shows_a_loan_with_its_schedule_and_repayments(world: World, login):
    url = f"/loans/{loan_id(world, 'chamdo')}"
    founder = await login("founder_chamdo")
    page = await founder.get(url)
    assert page.status_code == 200
    assert "西藏银行昌都分行" in page.text and "阿琼" in page.text and "¥115,000.00" in page.text
    assert page.text.count('id="period-') == 24
    assert "¥356.50" in page.text and "HK" in page.text
    # Period 1 ended with its interest paid: the founder may apply; period 2's interest is not recorded.
    apply = f"/subsidies/apply?policy=loan_interest&amp;loan={loan_id(world, 'chamdo')}&amp;period="
    assert f"{apply}1" in page.text and f"{apply}2" not in page.text
    assert "无付息记录" in page.text and 'id="repayment-form"' not in page.text
    operator = await login("operator_chamdo")
    managed = await operator.get(url)
    assert 'id="repayment-form"' in managed.text and f"{apply}1" in managed.text
    bureau = await login("bureau_chamdo")
    read = await bureau.get(url)
    assert read.status_code == 200 and f"{apply}1" not in read.text and 'id="repayment-form"' not in read.text


async def test_it_records_a_repayment_from_the_loan_page(world: World, login):
    operator = await login("operator_chamdo")
    url = f"/loans/{loan_id(world, 'chamdo')}"
    response = await operator.post(
        f"{url}/repayments", {"paid_on": "2025-03-15", "principal": "5000", "interest": "330.63", "reference": "B-2"}
    )
    assert response.status_code == 303 and response.headers["location"] == f"{url}#repayments"
    page = await operator.get(url)
    assert "已登记还款：本金 ¥5,000.00，利息 ¥330.63。" in page.text and "¥110,000.00" in page.text
    before = await counts()
    refused = await operator.post(f"{url}/repayments", {"paid_on": "2025-04-15", "principal": "110000.01"})
    assert refused.status_code == 422 and "未还本金仅剩 ¥110,000.00" in refused.text
    assert 'value="110000.01"' in refused.text
    future = await operator.post(f"{url}/repayments", {"paid_on": "2099-01-01", "interest": "10"})
    assert future.status_code == 422 and 'value="2099-01-01"' in future.text
    assert await counts() == before


async def test_it_corrects_the_terms_from_the_edit_page(world: World, login):
    operator = await login("operator_chamdo")
    loan = await Loan.get(id=loan_id(world, "chamdo"))
    url = f"/loans/{loan.id}/edit"
    page = await operator.get(url)
    assert page.status_code == 200 and 'value="DB2025-' in page.text and "更正贷款条款" in page.text
    data = form(world, contract_number=loan.contract_number, bank=loan.bank, guarantee_agency="新担保中心")
    data.update(principal="120000", contract_on="2025-01-10", start_on="2025-01-15", term_months="24", lpr="3.1")
    data.update(period_months="1")
    response = await operator.post(url, data)
    assert response.status_code == 303
    await loan.refresh_from_db()
    assert loan.guarantee_agency == "新担保中心" and loan.startup_id == world.startups["chamdo"].id
    await application_on(world, "chamdo")
    locked = await operator.get(url)
    assert "已有贴息申请引用该笔贷款" in locked.text
    before = await counts()
    refused = await operator.post(url, {**data, "guarantee_agency": "又一个担保中心"})
    assert refused.status_code == 422 and "已有贴息申请引用该笔贷款" in refused.text
    assert await counts() == before


async def test_it_keeps_other_bases_and_founders_out(world: World, login):
    chamdo = loan_id(world, "chamdo")
    operator = await login("operator_dsj")
    before = await counts()
    assert (await operator.get(f"/loans/{chamdo}")).status_code == 404
    assert (
        await operator.post(f"/loans/{chamdo}/repayments", {"paid_on": "2025-03-15", "interest": "1"})
    ).status_code == 404
    assert (await operator.get(f"/loans/{chamdo}/edit")).status_code == 404
    founder = await login("founder_chamdo")
    assert (await founder.get(f"/loans/{loan_id(world, 'chamdo_sibling')}")).status_code == 404
    own = await founder.post(f"/loans/{chamdo}/repayments", {"paid_on": "2025-03-15", "interest": "1"})
    assert own.status_code == 403
    assert (await founder.get("/loans/new")).status_code == 403
    assert (await founder.post("/loans", form(world))).status_code == 403
    assert (await founder.get(f"/loans/{chamdo}/edit")).status_code == 403
    bureau = await login("bureau_chamdo")
    assert (
        await bureau.post(f"/loans/{chamdo}/repayments", {"paid_on": "2025-03-15", "interest": "1"})
    ).status_code == 403
    assert await counts() == before


# -- API -------------------------------------------------------------------------------------


async def test_it_lists_and_shows_loans_over_the_api(world: World, token_for):
    api = await token_for("operator_chamdo")
    listed = (await api.get("/api/v1/loans")).json()
    assert listed["total"] == 2 and {item["outstanding"] for item in listed["items"]} == {"115000.00"}
    one = await api.get("/api/v1/loans", params={"startup_id": world.startups["chamdo"].id, "limit": 1})
    assert [item["id"] for item in one.json()["items"]] == [loan_id(world, "chamdo")]
    assert (await api.get("/api/v1/loans", params={"startup_id": "x"})).status_code == 422
    detail = (await api.get(f"/api/v1/loans/{loan_id(world, 'chamdo')}")).json()
    assert (detail["principal"], detail["annual_rate"], detail["principal_repaid"]) == (
        "120000.00",
        "3.4500",
        "5000.00",
    )
    assert len(detail["schedule"]) == 24
    first = detail["schedule"][0]
    assert (first["start"], first["end"], first["days"], first["interest"], first["interest_paid"]) == (
        "2025-01-15",
        "2025-02-14",
        31,
        "356.50",
        "356.50",
    )
    assert detail["repayments"][0]["paid_on"] == "2025-02-15"
    assert (await api.get(f"/api/v1/loans/{loan_id(world, 'dsj')}")).status_code == 404
    founder = await token_for("founder_chamdo")
    assert (await founder.get("/api/v1/loans")).json()["total"] == 1


async def test_it_records_loans_and_repayments_over_the_api(world: World, token_for):
    await lpr_table()
    api = await token_for("operator_chamdo")
    body = {**form(world), "principal": 300000, "term_months": 24, "period_months": 1}
    created = await api.post("/api/v1/loans", json=body)
    assert created.status_code == 201, created.text
    loan = created.json()
    assert (loan["lpr"], loan["outstanding"], len(loan["schedule"])) == ("3.1000", "300000.00", 24)
    before = await counts()
    duplicate = await api.post("/api/v1/loans", json=body)
    assert duplicate.status_code == 422 and "contract_number" in duplicate.json()["error"]["fields"]
    bad = await api.post("/api/v1/loans", json={**body, "annual_rate": "0", "principal": "-1"})
    assert bad.status_code == 422 and set(bad.json()["error"]["fields"]) == {"annual_rate", "principal"}
    assert await counts() == before
    repaid = await api.post(
        f"/api/v1/loans/{loan['id']}/repayments", json={"paid_on": "2025-07-05", "principal": "12500", "interest": 890}
    )
    assert repaid.status_code == 201 and repaid.json()["principal"] == "12500.00"
    too_much = await api.post(
        f"/api/v1/loans/{loan['id']}/repayments", json={"paid_on": "2025-08-05", "principal": "287500.01"}
    )
    assert too_much.status_code == 422
    founder = await token_for("founder_chamdo")
    assert (await founder.post("/api/v1/loans", json=body)).status_code == 403
    assert (
        await founder.post(f"/api/v1/loans/{loan['id']}/repayments", json={"paid_on": "2025-08-05", "interest": "1"})
    ).status_code == 403
    other = await token_for("operator_dsj")
    assert (
        await other.post(f"/api/v1/loans/{loan['id']}/repayments", json={"paid_on": "2025-08-05", "interest": "1"})
    ).status_code == 404
    assert await LoanRepayment.filter(loan_id=loan["id"]).count() == 1
