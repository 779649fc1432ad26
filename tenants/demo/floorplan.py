"""The demo bases' spaces, and leases placed on them so that no space is let twice on any day."""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from tenants.demo.catalogue import AQIONG_STARTUP, Profile
from tenants.demo.lifecycle import DAY, Lifecycle, add_months, add_years, month_start
from tenants.models import BillingCycle, ExitReason, LeaseOrigin, SpaceKind, SpaceStatus, StartupStatus

NEED_PART = re.compile(r"^(?:=(?P<code>.+)|(?P<kind>[ODWS])(?P<count>\d*))$")
KIND_OF = {"O": SpaceKind.OFFICE, "D": SpaceKind.DESK, "W": SpaceKind.WORKSHOP, "S": SpaceKind.STORAGE}
EARLY_END = {
    ExitReason.ABNORMAL: "经营异常，解除入驻协议",
    ExitReason.MOVED_OUT: "企业迁出，提前解除协议",
    ExitReason.DEREGISTERED: "企业注销，提前解除协议",
    ExitReason.OTHER: "企业申请退出，提前解除协议",
}
SHARED = "入驻企业按次预约使用"
# 第三极 lets its desks to graduates' teams free of charge: billed at list rent, all of it waived.
FREE_DESK_BASES = frozenset({"DSJ"})
FREE_DESK_NOTE = "众创空间免费工位，租金全免"
# 阿琼's office: listed at 1,700 a month, agreed at 1,680 (20,160 a year).
AQIONG_MONTHLY_RENT = Decimal("1680.00")


@dataclass(frozen=True)
class SpacePlan:
    code: str
    kind: SpaceKind
    floor: str
    area_m2: Decimal
    list_rent: Decimal
    status: SpaceStatus = SpaceStatus.IN_SERVICE
    note: str = ""


@dataclass
class ConcessionPlan:
    start_on: dt.date
    end_on: dt.date
    monthly_rent: Decimal
    note: str


@dataclass
class LeasePlan:
    """A lease to create: its startup (by name), spaces, dates, rent and predecessor."""

    startup: str
    spaces: list[SpacePlan]
    start_on: dt.date
    end_on: dt.date
    monthly_rent: Decimal
    billing_cycle: BillingCycle
    ended_on: dt.date | None = None
    end_reason: str = ""
    origin: LeaseOrigin = LeaseOrigin.NEW
    previous: LeasePlan | None = None
    note: str = ""
    concessions: list[ConcessionPlan] = field(default_factory=list)

    @property
    def occupied_until(self) -> dt.date:
        return self.ended_on or self.end_on

    @property
    def list_rent(self) -> Decimal:
        return sum((space.list_rent for space in self.spaces), Decimal("0.00"))


def _rent(value: float) -> Decimal:
    """A list rent rounded to 50 yuan."""
    return Decimal(round(value / 50) * 50).quantize(Decimal("0.01"))


def _space(code: str, kind: SpaceKind, floor: str, area: int, rent: float, note: str = "") -> SpacePlan:
    return SpacePlan(code, kind, floor, Decimal(area).quantize(Decimal("0.01")), _rent(rent), note=note)


def inventory(base_code: str, rng: random.Random) -> list[SpacePlan]:
    """第三极: 60 desks, 24 offices, 3 meeting rooms, 2 workshops, 2 storage rooms; 昌都 smaller."""
    if base_code == "DSJ":
        spaces = [_space(f"工位-{n:02d}", SpaceKind.DESK, "1", 4, 300) for n in range(1, 61)]
        for floor in ("2", "3"):
            for n in range(1, 13):
                area = rng.choice([18, 20, 24, 24, 28, 30, 32, 36, 40, 45, 50, 60])
                spaces.append(
                    _space(f"A-{floor}{n:02d}", SpaceKind.OFFICE, floor, area, 1200 + (area - 18) * 2400 / 42)
                )
        spaces[-1] = replace(spaces[-1], status=SpaceStatus.OUT_OF_SERVICE, note="墙面渗水，维修中")
        spaces += [
            _space("会议室-201", SpaceKind.MEETING_ROOM, "2", 40, 1500, SHARED),
            _space("会议室-301", SpaceKind.MEETING_ROOM, "3", 40, 1500, SHARED),
            _space("路演厅", SpaceKind.MEETING_ROOM, "1", 120, 4000, SHARED),
            _space("工坊-1", SpaceKind.WORKSHOP, "1", 96, 3200, "唐卡、藏香等手工制作，配通风设备"),
            _space("工坊-2", SpaceKind.WORKSHOP, "1", 80, 2800, "唐卡、藏香等手工制作，配通风设备"),
            _space("库房-1", SpaceKind.STORAGE, "-1", 24, 600),
            _space("库房-2", SpaceKind.STORAGE, "-1", 30, 750),
        ]
        return spaces
    spaces = [_space(f"工位-{n:02d}", SpaceKind.DESK, "1", 4, 200) for n in range(1, 31)]
    for floor in ("2", "3"):
        for n in range(1, 7):
            area = rng.choice([20, 24, 28, 30, 36, 40, 45])
            spaces.append(_space(f"B-{floor}{n:02d}", SpaceKind.OFFICE, floor, area, 1000 + (area - 20) * 56))
    # B-203 (阿琼's) is the corner office with windows on two sides: let above the formula.
    spaces = [
        _space("B-203", SpaceKind.OFFICE, "2", 30, 1700, "转角办公室，两面采光") if s.code == "B-203" else s
        for s in spaces
    ]
    spaces += [
        _space("会议室", SpaceKind.MEETING_ROOM, "2", 50, 1200, SHARED),
        _space("手工坊", SpaceKind.WORKSHOP, "1", 90, 2400, "铜器、唐卡和藏毯制作"),
    ]
    return spaces


class Floorplan:
    """Which space is held on which days; hands out spaces free over a whole date range."""

    def __init__(self, spaces: list[SpacePlan], reserved: set[str]) -> None:
        self.spaces = [s for s in spaces if s.status is SpaceStatus.IN_SERVICE]
        self.reserved = reserved  # named by a profile: never handed out at random
        self.held: dict[str, list[tuple[dt.date, dt.date]]] = {s.code: [] for s in self.spaces}

    def _free(self, space: SpacePlan, start: dt.date, end: dt.date) -> bool:
        return all(end < since or start > until for since, until in self.held[space.code])

    def take(self, need: str, start: dt.date, end: dt.date, rng: random.Random) -> list[SpacePlan]:
        chosen: list[SpacePlan] = []
        for part in need.split("+"):
            match = NEED_PART.match(part)
            if match is None:
                raise ValueError(f"demo floor plan: bad need {need!r}")
            if match["code"]:
                free = [s for s in self.spaces if s.code == match["code"] and self._free(s, start, end)]
                count = 1
            else:
                kind, count = KIND_OF[match["kind"]], int(match["count"] or 1)
                free = [
                    s
                    for s in self.spaces
                    if s.kind is kind and s.code not in self.reserved and s not in chosen and self._free(s, start, end)
                ]
            if len(free) < count:
                raise RuntimeError(f"demo floor plan: no {part} free from {start} to {end}")
            if match["kind"] == "D":
                # Neighbouring desks when a run is free, so a team sits together.
                runs = [free[i : i + count] for i in range(len(free) - count + 1)]
                together = [r for r in runs if self.spaces.index(r[-1]) - self.spaces.index(r[0]) == count - 1]
                chosen += together[0] if together else free[:count]
            else:
                chosen += rng.sample(free, count)
        for space in chosen:
            self.held[space.code].append((start, end))
        return chosen


def _agreed(rng: random.Random, list_rent: Decimal) -> Decimal:
    if rng.random() < 0.3:
        rate = Decimal(rng.choice(["0.90", "0.85", "0.80"]))
        return (list_rent * rate / 10).quantize(Decimal("1")) * 10
    return list_rent


def _concessions(rng: random.Random, start: dt.date, monthly: Decimal) -> list[ConcessionPlan]:
    roll = rng.random()
    if roll < 0.25:
        return [ConcessionPlan(start, add_months(start, 3) - DAY, Decimal("0.00"), "入驻前三个月免租")]
    if roll < 0.35:
        half = (monthly / 2).quantize(Decimal("0.01"))
        return [ConcessionPlan(add_months(start, 3), add_months(start, 6) - DAY, half, "孵化扶持，第4—6个月租金减半")]
    return []


def _end_reason(profile: Profile) -> str:
    if profile.status is StartupStatus.GRADUATED:
        return "提前毕业，迁出基地"
    return EARLY_END.get(profile.exit_reason or ExitReason.OTHER, "")


def _free_of_charge(lease: LeasePlan) -> None:
    """A lease of desks only, let free: no rent, so no concessions (decided after drawing them: same stream)."""
    if all(space.kind is SpaceKind.DESK for space in lease.spaces):
        lease.monthly_rent, lease.concessions = Decimal("0.00"), []
        lease.note = lease.note or FREE_DESK_NOTE


def leases(
    profile: Profile, life: Lifecycle, plan: Floorplan, rng: random.Random, today: dt.date, *, free_desks: bool = False
) -> list[LeasePlan]:
    """The leases of one startup: from admission to the end of its term, or until it left.

    With `free_desks`, a lease of desks only is let free of charge (第三极's graduate teams).
    """
    if not profile.need or life.admitted_on is None or life.ends_on is None:
        return []
    upcoming = profile.story == "upcoming"
    start = month_start(add_months(today, 1)) if upcoming else life.admitted_on
    early = life.left_on if life.left_on is not None and life.left_on < life.ends_on else None
    until, reason = early or life.ends_on, _end_reason(profile) if early else ""
    cycle = BillingCycle.QUARTERLY if rng.random() < 0.15 else BillingCycle.MONTHLY
    if profile.story == "moved":
        move = month_start(today - dt.timedelta(days=rng.randint(60, 150)))
        desks = plan.take("D4", start, move - DAY, rng)
        first = LeasePlan(profile.name, desks, start, life.ends_on, Decimal(0), cycle, move - DAY, "迁入独立办公室")
        first.monthly_rent = _agreed(rng, first.list_rent)
        if free_desks:
            _free_of_charge(first)
        office = plan.take(profile.need, move, until, rng)
        second = LeasePlan(profile.name, office, move, life.ends_on, Decimal(0), cycle, early, reason, LeaseOrigin.MOVE)
        second.previous, second.note = first, "由工位迁入独立办公室"
        second.monthly_rent = _agreed(rng, second.list_rent)
        return [first, second]
    spaces = plan.take(profile.need, start, until, rng)
    lease = LeasePlan(profile.name, spaces, start, life.ends_on, Decimal(0), cycle, early, reason)
    lease.monthly_rent = AQIONG_MONTHLY_RENT if profile.name == AQIONG_STARTUP else _agreed(rng, lease.list_rent)
    lease.note = "已签约，下月起租" if upcoming else ""
    if profile.story != "renewal":
        lease.concessions = _concessions(rng, start, lease.monthly_rent)
        if free_desks:
            _free_of_charge(lease)
        return [lease]
    if free_desks:
        _free_of_charge(lease)
    # A one-year agreement, renewed on the same spaces and rent until the end of the term.
    renewed_on = add_years(start, 1)
    renewal = LeasePlan(profile.name, spaces, renewed_on, life.ends_on, lease.monthly_rent, cycle, early, reason)
    renewal.origin, renewal.previous, renewal.note = LeaseOrigin.RENEWAL, lease, "期满续签"
    lease.end_on, lease.ended_on, lease.end_reason = renewed_on - DAY, None, ""
    return [lease, renewal]
