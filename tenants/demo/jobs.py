"""The demo job roster (实名制用工) of every admitted startup, and the 自治区's counting rule.

Planned after the startups and founders as plain values, from one random stream per startup and
today's date, then written with bulk inserts. Employees are mostly Tibetan graduates of recent
years; every current founder is on the roster too. A few people work at two startups (one after
the other, at the same time, and once in both bases) so that de-duplicated counts show.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import TYPE_CHECKING

from incubator.models import Base
from incubator.pii import id_index
from tenants.demo.employees import EmployeePlan, employee, person_row
from tenants.demo.lifecycle import add_months, month_start
from tenants.demo.people import PersonPlan, Registry
from tenants.models import (
    BasePerson,
    ContractKind,
    CountingRule,
    Employment,
    ExitReason,
    Industry,
    LegalForm,
    Person,
    Startup,
    StartupStatus,
    Verification,
    month_index,
)
from tenants.models.people import TIBET_PREFIX

if TYPE_CHECKING:
    from tenants.demo import BasePlan, StartupPlan

DAY = dt.timedelta(days=1)
KINDS = (list(ContractKind), [79, 11, 4, 3, 3])  # in ContractKind's order
# Contracts that come with social insurance; the 自治区 counts only these.
INSURED_KINDS = [ContractKind.FIXED_TERM, ContractKind.OPEN_ENDED, ContractKind.PUBLIC_WELFARE]
QUIT_REASONS = (["合同到期", "个人辞职", "考取公务员", "考取事业单位编制", "继续深造"], [30, 38, 14, 8, 10])
QUIT_RATE, REFILL_RATE = 0.2, 0.8
FORM_SIZES = {LegalForm.UNREGISTERED_TEAM: (0, 2), LegalForm.SOLE_PROPRIETOR: (1, 3)}
FORM_SIZES |= {LegalForm.PARTNERSHIP: (2, 5), LegalForm.FARMER_COOPERATIVE: (2, 6)}
BIG_TEAMS = {Industry.E, Industry.G, Industry.H, Industry.N}  # building, delivery, catering, cleaning
WAGES = {Industry.I: (5000, 9000), Industry.M: (5000, 9000), Industry.E: (4500, 8500)}
LOW_WAGES = {Industry.A, Industry.C, Industry.F, Industry.G, Industry.H, Industry.N, Industry.O}
# The first employee of these works despite a disability (hand-made incense and carpets).
DISABLED_AT = {"拉萨圣地藏香制作有限公司", "卡若区达瓦手工藏毯店"}
HOME_AGAIN = "个人辞职，回家乡昌都工作"
FLAGS = ("is_farmer_herder", "is_veteran", "is_poverty_alleviated", "is_disabled")
RULE_SOURCE = "西藏自治区人力资源和社会保障厅 带动就业统计口径（演示数据，待与正式文件核对）"


@dataclass
class RosterEntry:
    """One employment to create, with its person's plan."""

    base: str
    startup: str
    person: PersonPlan | EmployeePlan
    hired_on: dt.date
    contract_kind: ContractKind
    insured_from: dt.date | None
    monthly_wage: Decimal | None
    is_founder: bool = False
    left_on: dt.date | None = None
    left_reason: str = ""
    insured_until: dt.date | None = None
    verification: Verification = Verification.DECLARED
    verification_note: str = ""
    verified_at: dt.datetime | None = None

    def leave(self, on: dt.date, reason: str) -> None:
        self.left_on, self.left_reason = on, reason
        if self.insured_from is not None and self.insured_from > on:
            self.insured_from = None
        self.insured_until = on if self.insured_from is not None else None


def _wage(s: StartupPlan, rng: random.Random, kind: ContractKind) -> Decimal | None:
    if rng.random() < (0.5 if kind in (ContractKind.SERVICE, ContractKind.FLEXIBLE) else 0.08):
        return None  # not declared
    low, high = WAGES.get(s.profile.industry, (3000, 5500) if s.profile.industry in LOW_WAGES else (3500, 7000))
    return Decimal(rng.randrange(low, high + 1, 50)).quantize(Decimal("0.01"))


def _hire(
    s: StartupPlan, base: str, person: EmployeePlan | PersonPlan, rng: random.Random, hired: dt.date, today: dt.date
) -> RosterEntry:
    kind = rng.choices(*KINDS)[0]
    insured: dt.date | None = None
    if rng.random() < (0.96 if kind in INSURED_KINDS else 0.1):
        # Most are insured from the month they are hired, some from one or two months later.
        delay = rng.choices([0, 1, 2], weights=[85, 10, 5])[0]
        insured = add_months(month_start(hired), delay) if delay else hired
    insured = insured if insured is not None and insured <= today else None
    return RosterEntry(base, s.profile.name, person, hired, kind, insured, _wage(s, rng, kind))


def _positions(s: StartupPlan, base: str) -> tuple[int, int]:
    """How many employees besides the founders the startup keeps at one time."""
    if s.profile.form in FORM_SIZES:
        return FORM_SIZES[s.profile.form]
    industry = s.profile.industry
    low, high = (5, 15) if industry in (Industry.I, Industry.M) else (5, 12) if industry in BIG_TEAMS else (4, 9)
    # Firms that gave up stayed small; 昌都's first batch are younger firms in a smaller town.
    small = base != "DSJ" or s.profile.status is StartupStatus.EXITED
    return (low // 2, high // 2 - 1) if small else (low, high)


def _leaving_reason(s: StartupPlan) -> str:
    """Why everyone still on the roster leaves it when the startup leaves the base."""
    if s.profile.status is StartupStatus.GRADUATED:
        return "企业孵化毕业迁出基地"
    return "企业注销" if s.profile.exit_reason is ExitReason.DEREGISTERED else "企业退出基地"


def startup_roster(s: StartupPlan, base: str, seed: int, taken: Registry, today: dt.date) -> list[RosterEntry]:
    """The founders and the employees of one admitted startup, hired on or after its admission."""
    admitted = s.life.admitted_on
    if admitted is None:
        return []
    rng = random.Random(f"{seed}/{base}/{s.profile.name}/roster")
    end = min(s.life.left_on or today, today)
    entries = []
    companies = (LegalForm.LIMITED_COMPANY, LegalForm.PARTNERSHIP, LegalForm.FARMER_COOPERATIVE)
    for founder in s.founders:
        # Most founders of a firm sign a contract with it and are insured; the others work flexibly.
        fixed = s.profile.form in companies and rng.random() < 0.7
        hired = max(founder.joined_on, admitted)
        kind = ContractKind.FIXED_TERM if fixed else ContractKind.FLEXIBLE
        entries.append(RosterEntry(base, s.profile.name, founder, hired, kind, hired if fixed else None, None, True))
    # Nobody is hired in the last two months before a startup leaves the base.
    span = max(0, (end - admitted).days - (60 if s.life.left_on else 0))
    for _slot in range(rng.randint(*_positions(s, base))):
        # Most of the team is hired early on; the rest as the firm grows.
        hired = admitted + dt.timedelta(days=int(span * rng.random() ** 3))
        while True:
            person = employee(s.profile, base, rng, taken, hired, today)
            person.is_disabled = s.profile.name in DISABLED_AT and len(entries) == len(s.founders)
            entries.append(entry := _hire(s, base, person, rng, hired, today))
            if (end - hired).days < 120 or rng.random() > QUIT_RATE:
                break
            left = hired + dt.timedelta(days=rng.randint(90, min((end - hired).days - 20, 900)))
            entry.leave(left, rng.choices(*QUIT_REASONS)[0])
            hired = left + dt.timedelta(days=rng.randint(10, 90))
            if hired > end or rng.random() > REFILL_RATE:
                break
    if s.life.left_on is not None:
        for entry in entries:
            if entry.left_on is None:
                entry.leave(s.life.left_on, _leaving_reason(s))
    return entries


def _firms(b: BasePlan, entry: RosterEntry) -> list[StartupPlan]:
    """The open startups of base `b` that could hire the person of `entry` next."""
    after = (entry.left_on or entry.hired_on) + dt.timedelta(days=60)
    return [
        s
        for s in b.startups
        if s.profile.status is StartupStatus.INCUBATING and s.profile.name != entry.startup
        and s.life.admitted_on and s.life.admitted_on <= after
    ]  # fmt: skip


def _quitters(entries: list[RosterEntry], target: BasePlan, until: dt.date) -> list[RosterEntry]:
    """Those who resigned by `until` while another startup of `target` was already open."""
    return [
        e for e in entries if e.left_reason == "个人辞职" and e.left_on and e.left_on <= until and _firms(target, e)
    ]


def _rehire(entry: RosterEntry, b: BasePlan, rng: random.Random, today: dt.date, kind: ContractKind) -> RosterEntry:
    """The same person hired by another open startup of base `b` after leaving (or while at) `entry`."""
    firm = rng.choice(_firms(b, entry))
    assert firm.life.admitted_on is not None
    after = (entry.left_on or entry.hired_on) + dt.timedelta(days=rng.randint(15, 60))
    hired = min(max(firm.life.admitted_on, after), today - 120 * DAY)
    again = _hire(firm, b.code, entry.person, rng, hired, today)
    again.contract_kind, again.insured_from = kind, hired if kind in INSURED_KINDS else None
    return again


def _share(b: BasePlan, entries: list[RosterEntry], rng: random.Random, today: dt.date, moves: int) -> None:
    """People who moved from one startup of the base to another, and people working at two at once."""
    quitters = _quitters(entries, b, today - 180 * DAY)
    # Those still on the roster work for a startup still in the base.
    workers = [
        e
        for e in entries
        if not e.is_founder and e.left_on is None and e.contract_kind in INSURED_KINDS and _firms(b, e)
        and e.insured_from is not None and e.insured_from <= today - 180 * DAY and e.hired_on <= today - 200 * DAY
    ]  # fmt: skip
    for entry in rng.sample(quitters, moves):
        entries.append(_rehire(entry, b, rng, today, ContractKind.FIXED_TERM))
    # A bookkeeper keeping a second firm's accounts on a service contract; a designer on two fixed terms.
    for entry, kind in zip(rng.sample(workers, 2), [ContractKind.SERVICE, ContractKind.FIXED_TERM], strict=True):
        entries.append(_rehire(entry, b, rng, today, kind))


def plan_roster(plans: list[BasePlan], seed: int, today: dt.date) -> list[RosterEntry]:
    """Every roster entry of both demo bases; no new person shares a founder's ID number, phone or name."""
    founders = [p for b in plans for s in b.startups for p in s.founders]
    taken = Registry()
    taken.id_numbers.update(p.id_number for p in founders)
    taken.phones.update(p.phone for p in founders)
    taken.names.update(p.name for p in founders)
    rosters: dict[str, list[RosterEntry]] = {}
    for b in plans:
        entries = [e for s in b.startups for e in startup_roster(s, b.code, seed, taken, today)]
        _share(b, entries, random.Random(f"{seed}/{b.code}/shared"), today, moves=3 if b.code == "DSJ" else 1)
        rosters[b.code] = entries
    # One graduate left a Lhasa firm to work back home in Chamdo.
    rng = random.Random(f"{seed}/moved-home")
    chamdo = next(b for b in plans if b.code == "CDCK")
    jobs = Counter(e.person.id_number for e in rosters["DSJ"])
    quitters = [e for e in _quitters(rosters["DSJ"], chamdo, today - 180 * DAY) if jobs[e.person.id_number] == 1]
    home = [e for e in quitters if e.person.hukou_region_code.startswith("5403")] or quitters
    leaver = rng.choice(home)
    leaver.left_reason = HOME_AGAIN
    rosters["CDCK"].append(_rehire(leaver, chamdo, rng, today, ContractKind.FIXED_TERM))
    return [e for b in plans for e in rosters[b.code]]


async def write_roster(bases: dict[str, Base], entries: list[RosterEntry]) -> None:
    """Create the new people with their registrations, every employment and the 自治区's counting rule."""
    newcomers = {e.person.id_number: e.person for e in entries if isinstance(e.person, EmployeePlan)}
    await Person.bulk_create([person_row(p) for p in newcomers.values()])
    indexes = {e.person.id_number: id_index(e.person.id_number) for e in entries}
    by_index = dict(await Person.filter(id_index__in=list(indexes.values())).values_list("id_index", "id"))
    person_ids = {number: by_index[index] for number, index in indexes.items()}
    base_ids = [base.id for base in bases.values()]
    rows = await Startup.filter(base_id__in=base_ids).values_list("base_id", "name", "id")
    startup_ids = {(base_id, name): pk for base_id, name, pk in rows}
    await Employment.bulk_create([_employment(e, bases[e.base], startup_ids, person_ids) for e in entries])
    registered = set(await BasePerson.filter(base_id__in=base_ids).values_list("base_id", "person_id"))
    pairs = dict.fromkeys((bases[e.base].id, person_ids[e.person.id_number]) for e in entries)
    await BasePerson.bulk_create(
        [BasePerson(base_id=base_id, person_id=pk) for base_id, pk in pairs if (base_id, pk) not in registered]
    )
    await CountingRule.create(
        region_id="540000",
        effective_from=dt.date(2020, 1, 1),
        include_founders=True,
        min_insured_months=3,
        contract_kinds=[kind.value for kind in INSURED_KINDS],
        source=RULE_SOURCE,
        created_by="bureau.tibet",
    )


def _employment(
    e: RosterEntry, base: Base, startup_ids: dict[tuple[int, str], int], person_ids: dict[str, int]
) -> Employment:
    p, start, until = e.person, e.insured_from, e.insured_until
    return Employment(
        startup_id=startup_ids[base.id, e.startup],
        person_id=person_ids[p.id_number],
        base_id=base.id,
        region_code=base.region_id,
        **{f.name: getattr(e, f.name) for f in fields(e) if f.name not in ("base", "startup", "person")},
        insured_from_month=month_index(start.year, start.month) if start else None,
        insured_until_month=month_index(until.year, until.month) if until else None,
        # Categories as they are at hiring, as the roster service copies them.
        is_graduate=bool(p.school),
        graduation_year=p.graduation_year if p.school else None,
        is_tibetan=p.hukou_region_code.startswith(TIBET_PREFIX),
        **{flag: getattr(p, flag) for flag in FLAGS},
    )
