"""Billing in the demo bases: runs, service charges, payments, credit notes, fapiao, closed months.

Everything goes through the billing services, as the base's operator would do it in the
pages and in date order, so every number, hash link and audit event is a real one. Planned
from a fixed seed and today's date over the last twelve months (the current one included;
昌都 since January two years ago, so its startups can claim whole years of rent):
most bills are paid in full a few days after issue, some in two instalments, one overpaid
(the credit goes to the next bill), and a few slow payers leave the last months overdue.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import partial

from incubator.access import MEMBERSHIP_RELATED, Principal, principal_for
from incubator.formatting import to_fen
from incubator.formatting import today as china_today
from incubator.models import Base, Membership
from tenants.demo import OPERATOR_OF_BASE, SEED
from tenants.demo.catalogue import AQIONG_STARTUP
from tenants.demo.lifecycle import DAY, add_months, month_end, month_start
from tenants.forms.billing import (
    parse_bill,
    parse_charge,
    parse_credit_note,
    parse_fapiao,
    parse_payment,
    parse_profile,
)
from tenants.models import (
    Bill,
    BillingCycle,
    BillingRun,
    BillLine,
    BillStatus,
    CreditNote,
    FapiaoRecord,
    Lease,
    LeaseSpace,
    LegalForm,
    LineKind,
    Payment,
    PaymentMethod,
    ServiceCharge,
    SpaceKind,
    Startup,
)
from tenants.models.billing import DEFAULT_BILL_PATTERN, DEFAULT_CREDIT_NOTE_PATTERN, DEFAULT_RECEIPT_PATTERN
from tenants.services import bills, ledger, payments

MONTHS = 12
# 昌都's community went onto the platform two Januaries ago: its rent subsidies are claimed on
# whole years of bills. Its extra months come before the last twelve, with negative indexes.
HISTORY_FROM_JANUARY_YEARS_AGO = {"CDCK": 2}
# The month (counted from the first of the twelve) of the credit notes and the overpayment.
LINE_CREDIT_MONTH, WRONG_BILL_MONTH, OVERPAY_FROM = 6, 8, 4
FAPIAO_MONTHS = (3, 9)
SLOW_PAYERS = 2
PATTERNS = {
    "bill_pattern": DEFAULT_BILL_PATTERN,
    "credit_note_pattern": DEFAULT_CREDIT_NOTE_PATTERN,
    "receipt_pattern": DEFAULT_RECEIPT_PATTERN,
}
PURPOSES = ("客户洽谈", "团队例会", "员工培训", "投资人路演", "产品评审", "合作签约")
WRONG_BILL = "误开至本企业，实际使用单位为{right}，全额红冲后重新开具"


@dataclass(frozen=True)
class BaseStyle:
    """What differs between the two bases: payee, rooms, prices and the words of their notes."""

    payee: dict[str, str]
    rooms: tuple[tuple[str, str], ...]  # (room, price per hour)
    hall: tuple[str, str, str]  # a room let for an event: (room, purpose, price)
    bookings: tuple[int, int]  # meeting-room bookings a month
    power_price: str
    line_credit: str  # reason of the line credited, with {space} and {days}


STYLES = {
    "DSJ": BaseStyle(
        payee={
            "payee_name": "拉萨市第三极众创空间运营管理有限公司",
            "bank_name": "中国农业银行拉萨金珠西路支行",
            "bank_account": "22600101040012345",
            "footer": "请于到期日前缴清；通过银行转账缴费时请在附言中注明缴费通知单编号。",
        },
        rooms=(("会议室-201", "100.00"), ("会议室-301", "100.00")),
        hall=("路演厅", "项目路演活动（半天）", "800.00"),
        bookings=(3, 6),
        power_price="0.85",
        line_credit="{space} 空调故障停用 {days} 天，按天减免该期租金",
    ),
    "CDCK": BaseStyle(
        payee={
            "payee_name": "昌都市大学生创客社区",
            "bank_name": "中国建设银行昌都分行营业部",
            "bank_account": "54050165360800001234",
            "footer": "缴费可通过银行转账、微信或现金；如有疑问请联系社区运营办公室。",
        },
        rooms=(("会议室", "80.00"),),
        hall=("会议室", "创业培训活动（全天）", "600.00"),
        bookings=(1, 3),
        power_price="0.80",
        line_credit="{space} 暖气管道检修停暖 {days} 天，按天减免该期租金",
    ),
}


@dataclass(order=True)
class Event:
    day: dt.date
    order: int  # on one day: close the books, charges, the run, corrections, payments, fapiao
    seq: int
    action: Callable[[], Awaitable[None]] = field(compare=False)


@dataclass(frozen=True)
class Habit:
    """How a startup pays: its method and how many days after issue it usually pays."""

    method: PaymentMethod
    delay: tuple[int, int]
    every: int  # months between payments: some teams pay two or three bills at once


def _months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _round(amount: Decimal, step: int, rounding: str) -> Decimal:
    return (amount / step).quantize(Decimal(1), rounding=rounding) * step


class BillingYear:
    """The operator's year at one base, replayed day by day."""

    def __init__(self, principal: Principal, base: Base, today: dt.date) -> None:
        self.principal, self.base, self.today = principal, base, today
        self.rng = random.Random(f"{SEED}/billing/{base.code}")
        self.style = STYLES[base.code]
        self.current = month_start(today)
        years = HISTORY_FROM_JANUARY_YEARS_AGO.get(base.code)
        start = dt.date(today.year - years, 1, 1) if years else add_months(self.current, 1 - MONTHS)
        self.extra = max(_months_between(start, self.current) + 1 - MONTHS, 0)
        self.first = add_months(self.current, 1 - MONTHS)
        self.queue: list[Event] = []
        self.seq = itertools.count()
        self.habits: dict[int, Habit] = {}
        self.overpaid = False
        self.fapiao_months: set[int] = set()
        self.startups: dict[int, Startup] = {}
        self.leases: list[Lease] = []
        self.workshops: dict[int, str] = {}  # lease id -> its workshop's code
        self.slow: set[int] = set()

    def at(self, day: dt.date, order: int, action: Callable[[], Awaitable[None]]) -> None:
        """Schedule an action; nothing is done after today."""
        if day <= self.today:
            heapq.heappush(self.queue, Event(day, order, next(self.seq), action))

    async def load(self) -> None:
        """Set the payee details, plan the year, then do it event by event in date order."""
        settings = parse_profile({**self.style.payee, **PATTERNS, "due_days": "15"})
        await ledger.update_profile(self.principal, self.base.id, settings)
        self.startups = {s.id: s for s in await Startup.filter(base_id=self.base.id)}
        self.leases = await Lease.filter(base_id=self.base.id).order_by("id")
        workshops = LeaseSpace.filter(lease__base_id=self.base.id, space__kind=SpaceKind.WORKSHOP)
        self.workshops = dict(await workshops.values_list("lease_id", "space__code"))
        self.slow = self._slow_payers()
        for index in range(-self.extra, MONTHS):
            self._plan_month(index, add_months(self.first, index))
        while self.queue:
            event = heapq.heappop(self.queue)
            await event.action()

    def _active(self, day: dt.date) -> list[Lease]:
        return [lease for lease in self.leases if lease.start_on <= day <= lease.occupied_until]

    def _slow_payers(self) -> set[int]:
        """Startups paying rent monthly and staying on, that have left their latest bills unpaid."""
        candidates = sorted(
            {
                lease.startup_id
                for lease in self._active(self.today)
                if lease.monthly_rent > 0
                and lease.billing_cycle is BillingCycle.MONTHLY
                and lease.start_on < add_months(self.current, -3)
                and self.startups[lease.startup_id].name != AQIONG_STARTUP
            }
        )
        return set(self.rng.sample(candidates, min(SLOW_PAYERS, len(candidates))))

    # -- one month: charges, the run, the books of the month before last ---------------

    def _plan_month(self, index: int, month: dt.date) -> None:
        issue_day = min(month + dt.timedelta(days=self.rng.randint(0, 4)), self.today)
        self.at(issue_day, 2, lambda: self._run(index, month, issue_day))
        if index >= 2:
            self.at(month, 0, lambda: self._close(add_months(month, -2)))
        for _ in range(self.rng.randint(*self.style.bookings)):
            day = month + dt.timedelta(days=self.rng.randrange(month_end(month).day))
            self.at(day, 1, partial(self._booking, day))
        last = month_end(month)
        for lease in self._active(last):
            if lease.id in self.workshops:
                kwh = self.rng.randint(280, 820)
                self.at(last, 1, partial(self._power, lease, last, kwh))
        if index == WRONG_BILL_MONTH:
            wrong_on = month + dt.timedelta(days=self.rng.randint(12, 18))
            self.at(wrong_on, 3, lambda: self._wrong_bill(wrong_on))

    async def _close(self, month: dt.date) -> None:
        await ledger.close_month(self.principal, self.base.id, month)

    async def _charge(self, startup_id: int, kind: LineKind, text: str, day: dt.date, qty: str, price: str) -> None:
        form = {
            "startup_id": str(startup_id),
            "kind": kind.value,
            "description": text,
            "incurred_on": day.isoformat(),
            "quantity": qty,
            "unit_price": price,
        }
        await bills.add_charge(self.principal, parse_charge(form, today=day))

    async def _booking(self, day: dt.date) -> None:
        users = sorted({lease.startup_id for lease in self._active(day)})
        if not users:
            return
        startup_id = self.rng.choice(users)
        if self.rng.random() < 0.2:
            room, purpose, price = self.style.hall
            await self._charge(startup_id, LineKind.MEETING_ROOM, f"{room} {purpose}", day, "1", price)
            return
        room, price = self.rng.choice(self.style.rooms)
        hours = str(self.rng.randint(2, 4))
        purpose = self.rng.choice(PURPOSES)
        await self._charge(startup_id, LineKind.MEETING_ROOM, f"{room} {purpose}", day, hours, price)

    async def _power(self, lease: Lease, day: dt.date, kwh: int) -> None:
        text = f"{self.workshops[lease.id]} 电费（{day.month}月抄表，单位：度）"
        await self._charge(lease.startup_id, LineKind.UTILITIES, text, day, str(kwh), self.style.power_price)

    async def _run(self, index: int, month: dt.date, day: dt.date) -> None:
        run = await bills.issue_run(self.principal, self.base.id, month, issued_on=day)
        issued = await Bill.filter(run_id=run.id).order_by("seq")
        for bill in issued:
            self._settle(bill, index)
        if index == LINE_CREDIT_MONTH:
            self._plan_line_credit(issued)

    # -- payments ------------------------------------------------------------------------

    def _habit(self, startup: Startup) -> Habit:
        if startup.id not in self.habits:
            company = startup.legal_form in (LegalForm.LIMITED_COMPANY, LegalForm.PARTNERSHIP)
            weights = (55, 20, 15, 10) if company else (20, 40, 25, 15)
            methods = (PaymentMethod.BANK_TRANSFER, PaymentMethod.WECHAT, PaymentMethod.ALIPAY, PaymentMethod.CASH)
            method = self.rng.choices(methods, weights)[0]
            low = self.rng.randint(1, 6)
            every = self.rng.choices((1, 2, 3), (65, 25, 10))[0]
            self.habits[startup.id] = Habit(method, (low, low + self.rng.randint(2, 6)), every)
        return self.habits[startup.id]

    def _settle(self, bill: Bill, index: int) -> None:
        """Schedule how the bill gets paid (nothing is paid after today)."""
        if bill.balance <= 0:
            return
        startup = self.startups[bill.startup_id]
        habit = self._habit(startup)
        day = bill.issued_on + dt.timedelta(days=self.rng.randint(*habit.delay))
        months_ago = _months_between(bill.period_start, self.current)
        if startup.id in self.slow:
            if months_ago <= 2:
                part = _round(bill.balance * Decimal("0.4"), 100, ROUND_FLOOR)
                if part > 0 and self.rng.random() < 0.5:
                    self.at(day, 4, lambda: self._pay(bill, startup, day, part, "资金周转困难，先付部分，余款另行约定"))
                return
        elif habit.every > 1 and self._monthly_rent(bill.startup_id, bill.period_start, bill.period_start):
            # Two or three months at once; every month lately (the operator reminded them), and when moving out.
            last = not self._monthly_rent(bill.startup_id, bill.period_start, add_months(bill.period_start, 1))
            if index % habit.every == habit.every - 1 or months_ago <= 1 or last:
                self.at(day, 4, lambda: self._pay_all(startup, day))
            return
        if self.rng.random() < 0.1:
            day += dt.timedelta(days=self.rng.randint(14, 30))  # paid late
        if not self.overpaid and index >= OVERPAY_FROM and self._stays(bill):
            self.overpaid = True
            extra = _round(bill.balance, 1000, ROUND_CEILING)
            extra = extra if extra > bill.balance else extra + 500
            self.at(day, 4, lambda: self._pay(bill, startup, day, extra, "多付部分转入下期账单抵扣"))
            return
        if self.rng.random() < 0.08 and bill.balance >= 400:
            part = _round(bill.balance / 2, 100, ROUND_FLOOR)
            rest_day = day + dt.timedelta(days=self.rng.randint(15, 35))
            self.at(day, 4, lambda: self._pay(bill, startup, day, part, "分两次缴清，本次为首付部分"))
            self.at(rest_day, 4, lambda: self._pay(bill, startup, rest_day, None, "结清余款"))
            return
        self.at(day, 4, lambda: self._pay(bill, startup, day, None, ""))
        if index in FAPIAO_MONTHS and index not in self.fapiao_months and startup.uscc and bill.rent > 0:
            self.fapiao_months.add(index)
            self.at(day + dt.timedelta(days=2), 5, lambda: self._fapiao(bill, day + dt.timedelta(days=2)))

    def _monthly_rent(self, startup_id: int, start: dt.date, until: dt.date) -> bool:
        """Whether the startup pays rent monthly on a lease held from `start` through `until`."""
        return any(
            lease.startup_id == startup_id
            and lease.monthly_rent > 0
            and lease.billing_cycle is BillingCycle.MONTHLY
            and lease.start_on <= start
            and lease.occupied_until >= until
            for lease in self.leases
        )

    def _stays(self, bill: Bill) -> bool:
        """A startup paying rent monthly for months to come: a credit on its account reaches its next bill."""
        later = add_months(bill.period_start, 3)
        return bill.startup_id not in self.slow and self._monthly_rent(bill.startup_id, bill.period_start, later)

    def _reference(self, method: PaymentMethod, day: dt.date) -> str:
        """A transfer's reference as the bank, WeChat Pay or Alipay prints it (cash has none)."""
        rng = self.rng
        if method is PaymentMethod.BANK_TRANSFER:
            return f"{day:%Y%m%d}{rng.randrange(10**10):010d}"
        if method is PaymentMethod.WECHAT:
            return f"4200{rng.randrange(10**6):06d}{day:%Y%m%d}{rng.randrange(10**10):010d}"
        if method is PaymentMethod.ALIPAY:
            return f"{day:%Y%m%d}2200{rng.randrange(10**20):020d}"
        return ""

    async def _record(
        self, startup: Startup, day: dt.date, amount: Decimal, note: str, allocation: dict[str, str] | None = None
    ) -> None:
        """Record a payment in the startup's habit, applied to the bill named (or the oldest owing)."""
        method = self._habit(startup).method
        company_account = method is PaymentMethod.BANK_TRANSFER and startup.uscc
        form = {
            "startup_id": str(startup.id),
            "received_on": day.isoformat(),
            "amount": str(amount),
            "method": method.value,
            "payer": startup.name if company_account else startup.contact_name,
            "reference": self._reference(method, day),
            "note": note or ("现金交至运营办公室" if method is PaymentMethod.CASH else ""),
            "allocations": [allocation] if allocation else [],
        }
        await payments.record_payment(self.principal, parse_payment(form, today=day))

    async def _pay(self, bill: Bill, startup: Startup, day: dt.date, amount: Decimal | None, note: str) -> None:
        """Pay `amount` (the bill's balance when None) on the bill; what is above its balance is kept as credit."""
        bill = await Bill.get(id=bill.id)
        if bill.balance <= 0:
            return
        amount = bill.balance if amount is None else amount
        share = {"bill_id": str(bill.id), "amount": str(min(amount, bill.balance))}
        await self._record(startup, day, amount, note, share)

    async def _pay_all(self, startup: Startup, day: dt.date) -> None:
        """Pay every bill still owing at once (applied to the oldest first)."""
        owing = await Bill.filter(startup_id=startup.id, status=BillStatus.ISSUED, balance__gt=0).values_list(
            "balance", flat=True
        )
        if owing:
            note = f"合并缴纳{len(owing)}期费用" if len(owing) > 1 else ""
            await self._record(startup, day, sum((Decimal(x) for x in owing), Decimal(0)), note)

    async def _fapiao(self, bill: Bill, day: dt.date) -> None:
        bill = await Bill.get(id=bill.id)
        net = bill.total - bill.credited
        if bill.paid < net or net <= 0:
            return
        number = f"{day.year % 100:02d}542{self.rng.randrange(10**15):015d}"
        form = {"number": number, "issued_on": day.isoformat(), "amount": str(net)}
        await payments.record_fapiao(self.principal, bill, parse_fapiao(form, today=day))

    # -- credit notes ----------------------------------------------------------------------

    def _plan_line_credit(self, issued: list[Bill]) -> None:
        """Some two weeks after the run, an office's heating or air conditioning has failed for days."""
        ids = [b.id for b in issued if b.total > 0 and self._stays(b)]
        day = issued[0].issued_on + dt.timedelta(days=self.rng.randint(15, 20)) if issued else self.today
        self.at(day, 3, lambda: self._line_credit(ids, day))

    async def _line_credit(self, bill_ids: list[int], day: dt.date) -> None:
        """Credit those days of the office's rent line; its bill paid already, the excess is credit for the next."""
        paid = await Bill.filter(id__in=bill_ids, balance=0, credited=0).values_list("id", flat=True)
        lines = await BillLine.filter(
            bill_id__in=list(paid), kind=LineKind.RENT, space_code__not="", days__gte=28, amount__gt=1000
        ).order_by("bill_id", "position")
        if not lines:
            return
        line = self.rng.choice(lines)
        days = self.rng.randint(5, 10)
        amount = to_fen(line.amount * days / (line.days or 30))
        reason = self.style.line_credit.format(space=line.space_code, days=days)
        await self._credit(line.bill_id, day, reason, [{"line_id": str(line.id), "amount": str(amount)}])

    async def _credit(self, bill_id: int, day: dt.date, reason: str, lines: list[dict[str, str]] | None) -> None:
        form: dict[str, object] = {"reason": reason, "issued_on": day.isoformat()}
        form.update({"whole": "1"} if lines is None else {"lines": lines})
        await payments.issue_credit_note(self.principal, await Bill.get(id=bill_id), parse_credit_note(form, today=day))

    async def _wrong_bill(self, day: dt.date) -> None:
        """A room let for an event, billed by hand to the wrong startup: reversed whole, billed to the right one."""
        companies = sorted({lease.startup_id for lease in self._active(day) if self.startups[lease.startup_id].uscc})
        if len(companies) < 2:
            return
        wrong, right = (self.startups[pk] for pk in self.rng.sample(companies, 2))
        room, purpose, price = self.style.hall
        line = {"kind": LineKind.MEETING_ROOM.value, "description": f"{room} {purpose}", "quantity": "1"}
        form: dict[str, object] = {
            "startup_id": str(wrong.id),
            "period_start": day.isoformat(),
            "period_end": day.isoformat(),
            "issued_on": day.isoformat(),
            "lines": [{**line, "unit_price": price}],
        }
        mistaken = await bills.issue_bill(self.principal, parse_bill(form, today=day))
        fixed_on = day + DAY
        reason = WRONG_BILL.format(right=right.name)
        self.at(fixed_on, 3, lambda: self._credit(mistaken.id, fixed_on, reason, None))
        form = {
            **form,
            "startup_id": str(right.id),
            "issued_on": fixed_on.isoformat(),
            "note": f"原缴费通知单 {mistaken.number} 开错单位已红冲，本单重新开具",
        }
        self.at(fixed_on, 3, lambda: self._reissue(right, form, fixed_on))

    async def _reissue(self, startup: Startup, form: dict[str, object], day: dt.date) -> None:
        bill = await bills.issue_bill(self.principal, parse_bill(form, today=day))
        paid_on = day + dt.timedelta(days=self.rng.randint(2, 6))
        self.at(paid_on, 4, lambda: self._pay(bill, startup, paid_on, None, ""))


async def _operator(code: str) -> Principal:
    membership = (
        await Membership.filter(user__username=OPERATOR_OF_BASE[code]).select_related(*MEMBERSHIP_RELATED).get()
    )
    return principal_for(membership)


async def load_billing(bases: dict[str, Base]) -> dict[str, int]:
    """A year of bills, payments, credit notes and fapiao records in each demo base; returns counts."""
    today = china_today()
    for code, base in bases.items():
        await BillingYear(await _operator(code), base, today).load()
    ids = [base.id for base in bases.values()]
    return {
        "billing_runs": await BillingRun.filter(base_id__in=ids).count(),
        "bills": await Bill.filter(base_id__in=ids).count(),
        "payments": await Payment.filter(base_id__in=ids).count(),
        "credit_notes": await CreditNote.filter(base_id__in=ids).count(),
        "fapiao": await FapiaoRecord.filter(base_id__in=ids).count(),
        "charges": await ServiceCharge.filter(base_id__in=ids).count(),
    }
