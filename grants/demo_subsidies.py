"""Demo data of grants/: subsidy policies and the applications of both bases, replayed through the services.

阿琼's company (three graduates, registered 18 April 2023) got its one-time grant of 180,000
in 2023 and the rent subsidy of 20,000 for the year before last; last year's rent subsidy
(20,000 again) is hers to apply for, and so is the latest quarter's interest on her
guaranteed loan. Other startups' applications wait at each step: the base's pre-review, the
bureau's review, a public notice running now, returned with a comment, rejected; 第三极's
founders have one-time grants under review and one paid this year.

History is entered as of its own days (the services take `on`); steps the services date
themselves today (a notice's publication, a payment) are moved back to their day afterwards,
so timelines read as they happened.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

from starlette.datastructures import UploadFile

from grants.forms.applications import ClaimInput, DetailsInput, TransitionInput
from grants.forms.loans import LoanInput, RepaymentInput
from grants.forms.notices import DisbursementInput, NoticeInput, PaidInput
from grants.models import (
    Application,
    ApplicationEvent,
    AppState,
    BorrowerKind,
    Disbursement,
    PolicyKind,
    RepaymentMethod,
)
from grants.rules.schedule import schedule
from grants.services import applications, disbursements, loans, notices
from grants.services.applications import moment
from grants.services.eligibility import Period, evaluate
from grants.services.policies import install_defaults
from incubator.access import MEMBERSHIP_RELATED, Principal, principal_for
from incubator.formatting import today
from incubator.models import Base, Membership
from tenants.demo.catalogue import AQIONG_STARTUP
from tenants.models import Founder, Startup, StartupStatus

SEED = "subsidies"
# A one-page PDF standing in for scanned evidence.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
BANKS = {"CDCK": "西藏银行昌都分行", "DSJ": "西藏银行拉萨城关支行"}
CONTACT = {
    "CDCK": "昌都市人力资源和社会保障局就业科 0895-4821234",
    "DSJ": "拉萨市人力资源和社会保障局就业科 0891-6321234",
}
FORWARD_NOTE = "经基地核实，企业在孵、租金已缴清，材料齐全，同意上报。"


async def _principal(username: str) -> Principal:
    membership = await Membership.filter(user__username=username).select_related(*MEMBERSHIP_RELATED).get()
    return principal_for(membership)


def _account(rng: random.Random) -> str:
    return "6228" + "".join(str(rng.randrange(10)) for _ in range(15))


class Replay:
    def __init__(self, bases: dict[str, Base]) -> None:
        self.bases = bases
        self.rng = random.Random(SEED)
        self.today = today()
        self.counts: dict[str, int] = {}

    async def load(self) -> dict[str, int]:
        await install_defaults(None)
        self.officers = {"CDCK": await _principal("bureau.chamdo"), "DSJ": await _principal("bureau.lhasa")}
        self.operators = {"CDCK": await _principal("operator.chamdo"), "DSJ": await _principal("operator.dsj")}
        self.aqiong = await _principal("founder.aqiong")
        await self._aqiong()
        await self._chamdo_rent()
        await self._lhasa_grants()
        self.counts["applications"] = await Application.all().count()
        return self.counts

    # -- one application through the services ------------------------------------------------

    async def _apply(
        self, applicant: Principal, startup: Startup, claim: ClaimInput, on: dt.date, evidence: list[str]
    ) -> Application:
        app = await applications.create_draft(applicant, claim, on=on)
        await applications.update_details(
            applicant, app, DetailsInput(startup.name, BANKS[self._code(startup)], _account(self.rng), "", {})
        )
        for label in evidence:
            upload = UploadFile(io.BytesIO(PDF), filename=f"{label}.pdf")
            await applications.add_evidence(applicant, app, upload, label)
        await applications.submit(applicant, app.id, on=on)
        return app

    def _code(self, startup: Startup) -> str:
        return "CDCK" if startup.base_id == self.bases["CDCK"].id else "DSJ"

    async def _forward(self, code: str, app: Application, on: dt.date, note: str = FORWARD_NOTE) -> None:
        data = TransitionInput(AppState.FORWARDED, note, None, None)
        await applications.prereview(self.operators[code], app.id, data, on=on)

    async def _approve(self, code: str, app: Application, on: dt.date) -> None:
        data = TransitionInput(AppState.APPROVED, "经审核，符合政策规定，同意按核算金额发放。", None, None)
        await applications.review(self.officers[code], app.id, data, on=on)

    async def _publish(self, code: str, apps: list[Application], on: dt.date) -> int:
        notice = await notices.publish(
            self.officers[code], NoticeInput(tuple(a.id for a in apps), "", on, 5, CONTACT[code])
        )
        await self._backdate(apps, AppState.IN_NOTICE, on)
        return notice.id

    async def _pay(self, code: str, apps: list[Application], prepared: dt.date, paid: dt.date) -> None:
        officer = self.officers[code]
        batch = await disbursements.create_batch(officer, DisbursementInput(paid, tuple(a.id for a in apps)))
        await Disbursement.filter(id=batch.id).update(created_at=moment(prepared))
        batch = await Disbursement.get(id=batch.id)
        reference = f"{paid:%Y%m%d}{self.rng.randrange(10**8):08d}"
        await disbursements.record_paid(officer, batch, PaidInput(paid, reference))
        await self._backdate(apps, AppState.PAID, paid)

    async def _backdate(self, apps: list[Application], state: AppState, on: dt.date) -> None:
        ids = [a.id for a in apps]
        await ApplicationEvent.filter(application_id__in=ids, to_state=state).update(at=moment(on))
        await Application.filter(id__in=ids, state=state).update(state_changed_at=moment(on))

    # -- 阿琼's company ------------------------------------------------------------------------

    async def _aqiong(self) -> None:
        startup = await Startup.get(name=AQIONG_STARTUP)
        grant_on = dt.date(2023, 11, 6)
        grant = await self._apply(
            self.aqiong,
            startup,
            ClaimInput(None, PolicyKind.STARTUP_GRANT, None, None, None),
            grant_on,
            ["营业执照", "阿琼 毕业证书", "洛桑旦增 毕业证书", "德吉央宗 毕业证书"],
        )
        await self._forward("CDCK", grant, dt.date(2023, 11, 8))
        await self._approve("CDCK", grant, dt.date(2023, 11, 20))
        await self._publish("CDCK", [grant], dt.date(2023, 11, 22))
        await self._pay("CDCK", [grant], dt.date(2023, 12, 4), dt.date(2023, 12, 8))
        # The rent of the year before last, claimed the next January.
        year = self.today.year - 2
        rent = await self._apply(
            self.aqiong,
            startup,
            ClaimInput(None, PolicyKind.RENT_SUBSIDY, year, None, None),
            dt.date(year + 1, 1, 12),
            ["房屋租赁协议", f"{year}年房租缴费收据"],
        )
        await self._forward("CDCK", rent, dt.date(year + 1, 1, 15))
        await self._approve("CDCK", rent, dt.date(year + 1, 2, 3))
        await self._publish("CDCK", [rent], dt.date(year + 1, 2, 5))
        await self._pay("CDCK", [rent], dt.date(year + 1, 2, 20), dt.date(year + 1, 2, 26))
        await self._loan(startup)

    async def _loan(self, startup: Startup) -> None:
        """阿琼's guaranteed loan: 200,000 over three years, interest quarterly, paid on the due days."""
        founder = await Founder.filter(startup_id=startup.id, person__name="阿琼").first()
        contract = dt.date(self.today.year - 2, 3, 10)
        data = LoanInput(
            startup_id=startup.id,
            borrower_kind=BorrowerKind.INDIVIDUAL,
            person_id=founder.person_id if founder else None,
            partners=1,
            borrower_name="阿琼",
            bank="西藏银行昌都分行",
            guarantee_agency="昌都市创业担保贷款担保中心",
            contract_number=f"XZYH-CD-{contract.year}-0315",
            principal=Decimal("200000.00"),
            annual_rate=Decimal("3.9500"),
            lpr=None,
            contract_on=contract,
            start_on=contract + dt.timedelta(days=5),
            term_months=36,
            period_months=3,
            method=RepaymentMethod.INTEREST_ONLY,
            note="高校毕业生个人创业担保贷款",
        )
        loan = await loans.create_loan(self.operators["CDCK"], startup, data)
        for period in schedule(
            loan.principal, loan.annual_rate, loan.start_on, loan.term_months, loan.period_months, loan.method
        ):
            due = period.end + dt.timedelta(days=1)
            if due > self.today:
                break
            repayment = RepaymentInput(due, period.principal, period.interest, f"HK{due:%Y%m%d}")
            await loans.record_repayment(self.operators["CDCK"], loan, repayment)
        self.counts["loans"] = 1

    # -- 昌都: last year's rent subsidies at every step -----------------------------------------

    async def _eligible(self, startups: list[Startup], period: Period, on: dt.date, want: int) -> list[Startup]:
        found = []
        for startup in startups:
            if (await evaluate(startup, period, applied_on=on)).decision.eligible:
                found.append(startup)
                if len(found) == want:
                    break
        return found

    async def _chamdo_rent(self) -> None:
        base = self.bases["CDCK"]
        year = self.today.year - 1
        candidates = (
            await Startup.filter(base_id=base.id, status=StartupStatus.INCUBATING)
            .exclude(name=AQIONG_STARTUP)
            .order_by("id")
        )
        day = self.today - dt.timedelta(days=40)
        chosen = await self._eligible(candidates, Period(PolicyKind.RENT_SUBSIDY, year=year), day, 9)
        claim = ClaimInput(None, PolicyKind.RENT_SUBSIDY, year, None, None)
        made = []
        operator = self.operators["CDCK"]
        for n, startup in enumerate(chosen):
            applicant = operator
            claim = ClaimInput(startup.id, PolicyKind.RENT_SUBSIDY, year, None, None)
            made.append(
                await self._apply(
                    applicant, startup, claim, day + dt.timedelta(days=n), ["房屋租赁协议", "房租缴费收据"]
                )
            )
        # Three in the notice running now, one approved after it, two waiting for the bureau,
        # one returned, one rejected, and the rest waiting for the base.
        forward_on = day + dt.timedelta(days=12)
        for app in made[:7]:
            await self._forward("CDCK", app, forward_on)
        for app in made[:4]:
            await self._approve("CDCK", app, forward_on + dt.timedelta(days=7))
        if len(made) >= 3:
            published = self.today - dt.timedelta(days=2)
            await self._publish("CDCK", made[:3], published)
        if len(made) >= 6:
            returned = TransitionInput(AppState.RETURNED, "请补充上传当年全部房租缴费收据（缺7月、8月）。", None, None)
            await applications.review(self.officers["CDCK"], made[6].id, returned, on=forward_on + dt.timedelta(days=8))
        if len(made) >= 7:
            rejected = TransitionInput(
                AppState.REJECTED, "经核实，该企业当年已享受其他场地租金补贴，不得重复享受。", None, None
            )
            await applications.review(self.officers["CDCK"], made[5].id, rejected, on=forward_on + dt.timedelta(days=8))
        self.counts["chamdo_rent"] = len(made)

    # -- 第三极: one-time grants ----------------------------------------------------------------

    async def _lhasa_grants(self) -> None:
        base = self.bases["DSJ"]
        candidates = (
            await Startup.filter(base_id=base.id, status=StartupStatus.INCUBATING).exclude(uscc=None).order_by("id")
        )
        paid_on = self.today - dt.timedelta(days=70)
        early = await self._eligible(candidates, Period(PolicyKind.STARTUP_GRANT), paid_on - dt.timedelta(days=60), 1)
        operator = self.operators["DSJ"]
        for startup in early:
            claim = ClaimInput(startup.id, PolicyKind.STARTUP_GRANT, None, None, None)
            app = await self._apply(operator, startup, claim, paid_on - dt.timedelta(days=60), ["营业执照", "毕业证书"])
            await self._forward("DSJ", app, paid_on - dt.timedelta(days=55))
            await self._approve("DSJ", app, paid_on - dt.timedelta(days=40))
            await self._publish("DSJ", [app], paid_on - dt.timedelta(days=38))
            await self._pay("DSJ", [app], paid_on - dt.timedelta(days=20), paid_on)
        recent = self.today - dt.timedelta(days=12)
        later = await self._eligible(
            [s for s in candidates if s not in early], Period(PolicyKind.STARTUP_GRANT), recent, 3
        )
        for n, startup in enumerate(later):
            claim = ClaimInput(startup.id, PolicyKind.STARTUP_GRANT, None, None, None)
            app = await self._apply(operator, startup, claim, recent + dt.timedelta(days=n), ["营业执照", "毕业证书"])
            if n == 0:
                await self._forward("DSJ", app, recent + dt.timedelta(days=4))
        self.counts["lhasa_grants"] = len(early) + len(later)


async def load_subsidies(bases: dict[str, Base]) -> dict[str, int]:
    """The policies, 阿琼's history and loan, and applications at every step in both bases."""
    return await Replay(bases).load()
