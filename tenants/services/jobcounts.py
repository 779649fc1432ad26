"""Job counts (带动就业人数) for a startup, a base or a region subtree, computed in SQL.

Every figure counts distinct persons, so a person employed by two startups counts once at
base and at region level. Each figure is split by category and by declared / verified, and
comes with the counting rule (统计口径) it was computed under.
"""

# ruff: noqa: S608 - statements are assembled from fixed fragments; every value is a bound parameter
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tortoise import connections

from incubator.i18n import N_
from incubator.regions import prefix_of, subtree_bounds
from tenants.models import ContractKind, CountingRule, month_index

CATEGORIES = ("graduate", "tibetan", "farmer_herder", "veteran", "poverty_alleviated", "disabled")
DEFAULT_SOURCE = N_(
    "Platform default until the bureau records its rule: founders included, every contract kind, "
    "no minimum of insured months."
)


@dataclass(frozen=True)
class Rule:
    """The counting rule in force: which roster entries count as jobs."""

    include_founders: bool
    min_insured_months: int
    contract_kinds: tuple[ContractKind, ...]
    source: str
    region_code: str | None = None
    effective_from: dt.date | None = None

    @property
    def is_default(self) -> bool:
        return self.region_code is None


DEFAULT_RULE = Rule(True, 0, tuple(ContractKind), DEFAULT_SOURCE)


async def rule_for(region_code: str, day: dt.date) -> Rule:
    """The most specific region's rule in force on `day` (a 地市 overrides the 自治区)."""
    prefix = prefix_of(region_code)
    candidates = {region_code, prefix[:4].ljust(6, "0"), prefix[:2].ljust(6, "0")}
    rules = await CountingRule.filter(region_id__in=list(candidates), effective_from__lte=day)
    if not rules:
        return DEFAULT_RULE
    best = max(rules, key=lambda r: (len(prefix_of(r.region_id)), r.effective_from))
    return Rule(
        include_founders=best.include_founders,
        min_insured_months=best.min_insured_months,
        contract_kinds=tuple(ContractKind(k) for k in best.contract_kinds),
        source=best.source,
        region_code=best.region_id,
        effective_from=best.effective_from,
    )


@dataclass(frozen=True)
class Target:
    """What is counted: exactly one of a startup, a base or a region subtree."""

    startup_id: int | None = None
    base_id: int | None = None
    region_code: str | None = None


@dataclass
class Figure:
    """Distinct persons in total and per category, declared and verified."""

    declared: dict[str, int] = field(default_factory=dict)
    verified: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.declared.get("total", 0)


class Sql:
    """Builds one parameterised statement in the connection's placeholder style."""

    def __init__(self) -> None:
        self.connection = connections.get("default")
        self.postgres = self.connection.capabilities.dialect == "postgres"
        self.values: list[Any] = []

    def param(self, value: Any) -> str:
        if isinstance(value, dt.date) and not self.postgres:
            value = value.isoformat()  # SQLite stores dates as ISO text
        self.values.append(value)
        if not self.postgres:
            return "?"
        # Explicit types: PostgreSQL cannot infer them inside a VALUES list.
        cast = "::date" if isinstance(value, dt.date) else "::integer" if type(value) is int else ""
        return f"${len(self.values)}{cast}"

    async def rows(self, sql: str) -> list[dict[str, Any]]:
        _count, rows = await self.connection.execute_query(sql, self.values)
        return [dict(row) for row in rows]


def _target_where(sql: Sql, target: Target) -> str:
    if target.startup_id is not None:
        return f"e.startup_id = {sql.param(target.startup_id)}"
    if target.base_id is not None:
        return f"e.base_id = {sql.param(target.base_id)}"
    assert target.region_code is not None
    low, high = subtree_bounds(target.region_code)
    return f"e.region_code BETWEEN {sql.param(low)} AND {sql.param(high)}"


def _rule_where(sql: Sql, rule: Rule, month: int | None) -> str:
    """Founders count if the rule includes them; employees by contract kind and insured months.

    Insured months are counted up to `month` (a month index), or to each row's m.mi of the
    months table when `month` is None.
    """
    kinds = ", ".join(sql.param(k.value) for k in rule.contract_kinds) or "NULL"
    employee = f"(NOT e.is_founder AND e.contract_kind IN ({kinds})"
    if rule.min_insured_months > 0:
        # One bound value per placeholder, in order of appearance: SQLite's "?" is positional.
        months = rule.min_insured_months
        reference = "m.mi" if month is None else sql.param(month)
        employee += (
            f" AND e.insured_from_month IS NOT NULL AND e.insured_from_month <= {reference} - {sql.param(months)} + 1"
            " AND (e.insured_until_month IS NULL"
            f" OR e.insured_until_month - e.insured_from_month + 1 >= {sql.param(months)})"
        )
    employee += ")"
    founders = "TRUE" if rule.include_founders else "FALSE"
    return f"((e.is_founder AND {founders}) OR {employee})"


def _month_of(day: dt.date) -> int:
    return month_index(day.year, day.month)


def _counting_columns(prefix: str = "") -> str:
    columns = ["COUNT(DISTINCT e.person_id) AS total"]
    verified = "e.verification = 'verified'"
    columns.append(f"COUNT(DISTINCT CASE WHEN {verified} THEN e.person_id END) AS v_total")
    for name in CATEGORIES:
        columns.append(f"COUNT(DISTINCT CASE WHEN e.is_{name} THEN e.person_id END) AS {name}")
        columns.append(f"COUNT(DISTINCT CASE WHEN e.is_{name} AND {verified} THEN e.person_id END) AS v_{name}")
    return prefix + ", ".join(columns)


def _figure(row: dict[str, Any]) -> Figure:
    figure = Figure()
    for name in ("total", *CATEGORIES):
        figure.declared[name] = int(row.get(name) or 0)
        figure.verified[name] = int(row.get(f"v_{name}") or 0)
    return figure


async def headcount(target: Target, rule: Rule, day: dt.date) -> Figure:
    """Distinct persons employed on `day` (hired on or before it, not left before it)."""
    sql = Sql()
    where = (
        f"{_target_where(sql, target)} AND e.verification <> 'rejected' AND e.hired_on <= {sql.param(day)}"
        f" AND (e.left_on IS NULL OR e.left_on >= {sql.param(day)}) AND ({_rule_where(sql, rule, _month_of(day))})"
    )
    rows = await sql.rows(f"SELECT {_counting_columns()} FROM employment e WHERE {where}")
    return _figure(rows[0])


async def created(target: Target, rule: Rule, start: dt.date, end: dt.date) -> Figure:
    """Distinct persons hired within [start, end] (jobs created in the period)."""
    sql = Sql()
    where = (
        f"{_target_where(sql, target)} AND e.verification <> 'rejected'"
        f" AND e.hired_on BETWEEN {sql.param(start)} AND {sql.param(end)}"
        f" AND {_rule_where(sql, rule, _month_of(end))}"
    )
    rows = await sql.rows(f"SELECT {_counting_columns()} FROM employment e WHERE {where}")
    return _figure(rows[0])


async def cumulative(target: Target, rule: Rule, day: dt.date) -> Figure:
    """Distinct persons employed at any time from their startup's admission up to `day`."""
    sql = Sql()
    where = (
        f"{_target_where(sql, target)} AND e.verification <> 'rejected' AND e.hired_on <= {sql.param(day)}"
        " AND s.admitted_on IS NOT NULL AND (e.left_on IS NULL OR e.left_on >= s.admitted_on)"
        f" AND ({_rule_where(sql, rule, _month_of(day))})"
    )
    rows = await sql.rows(
        f"SELECT {_counting_columns()} FROM employment e JOIN startup s ON s.id = e.startup_id WHERE {where}"
    )
    return _figure(rows[0])


async def graduates_by_year(target: Target, rule: Rule, day: dt.date) -> dict[int, int]:
    """Graduates employed on `day`, by graduation year (declared)."""
    sql = Sql()
    where = (
        f"{_target_where(sql, target)} AND e.verification <> 'rejected' AND e.is_graduate"
        f" AND e.hired_on <= {sql.param(day)} AND (e.left_on IS NULL OR e.left_on >= {sql.param(day)})"
        f" AND ({_rule_where(sql, rule, _month_of(day))})"
    )
    rows = await sql.rows(
        "SELECT e.graduation_year AS year, COUNT(DISTINCT e.person_id) AS n FROM employment e"
        f" WHERE {where} GROUP BY e.graduation_year ORDER BY e.graduation_year"
    )
    return {int(r["year"]): int(r["n"]) for r in rows if r["year"] is not None}


@dataclass(frozen=True)
class JobCounts:
    """The figures of one target: as of a day, over a period, and since admission."""

    rule: Rule
    as_of: dt.date
    period_start: dt.date
    period_end: dt.date
    headcount: Figure
    created: Figure
    cumulative: Figure
    graduates_by_year: dict[int, int]


async def job_counts(
    target: Target, region_code: str, *, as_of: dt.date, period_start: dt.date, period_end: dt.date
) -> JobCounts:
    """Every figure for a target under the counting rule of `region_code` on `as_of`.

    The caller has checked that the principal may see the target.
    """
    rule = await rule_for(region_code, as_of)
    return JobCounts(
        rule=rule,
        as_of=as_of,
        period_start=period_start,
        period_end=period_end,
        headcount=await headcount(target, rule, as_of),
        created=await created(target, rule, period_start, period_end),
        cumulative=await cumulative(target, rule, as_of),
        graduates_by_year=await graduates_by_year(target, rule, as_of),
    )


def month_ends(last: dt.date, count: int = 24) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of the `count` months ending with the month of `last`, oldest first."""
    months = []
    year, month = last.year, last.month
    for _ in range(count):
        first = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        months.append((first, min(following - dt.timedelta(days=1), last)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _months_cte(sql: Sql, months: list[tuple[dt.date, dt.date]]) -> str:
    rows = ", ".join(f"({sql.param(first)}, {sql.param(end)}, {sql.param(_month_of(end))})" for first, end in months)
    return f"WITH m(first_day, last_day, mi) AS (VALUES {rows})"


@dataclass(frozen=True)
class MonthPoint:
    """One month of a series: the headcount on its last day and the jobs created in it."""

    month: dt.date
    headcount: int
    verified: int
    created: dict[str, int]


async def monthly_series(target: Target, rule: Rule, last: dt.date, count: int = 24) -> list[MonthPoint]:
    """Headcount at each month's end and jobs created in each month by category, in two queries."""
    months = month_ends(last, count)
    sql = Sql()
    head_rows = await sql.rows(
        f"{_months_cte(sql, months)} SELECT m.first_day AS month, COUNT(DISTINCT e.person_id) AS total,"
        " COUNT(DISTINCT CASE WHEN e.verification = 'verified' THEN e.person_id END) AS verified"
        " FROM m LEFT JOIN employment e ON e.hired_on <= m.last_day"
        " AND (e.left_on IS NULL OR e.left_on >= m.last_day) AND e.verification <> 'rejected'"
        f" AND {_target_where(sql, target)} AND {_rule_where(sql, rule, None)}"
        " GROUP BY m.first_day ORDER BY m.first_day"
    )
    sql = Sql()
    categories = ", ".join(
        f"COUNT(DISTINCT CASE WHEN e.is_{name} THEN e.person_id END) AS {name}" for name in CATEGORIES
    )
    created_rows = await sql.rows(
        f"{_months_cte(sql, months)} SELECT m.first_day AS month, COUNT(DISTINCT e.person_id) AS total, {categories}"
        " FROM m LEFT JOIN employment e ON e.hired_on BETWEEN m.first_day AND m.last_day"
        f" AND e.verification <> 'rejected' AND {_target_where(sql, target)} AND {_rule_where(sql, rule, None)}"
        " GROUP BY m.first_day ORDER BY m.first_day"
    )
    points = []
    for (first, _end), head, made in zip(months, head_rows, created_rows, strict=True):
        created = {name: int(made[name] or 0) for name in ("total", *CATEGORIES)}
        points.append(MonthPoint(first, int(head["total"] or 0), int(head["verified"] or 0), created))
    return points


async def by_base(region_code: str, rule: Rule, *, as_of: dt.date, start: dt.date, end: dt.date) -> dict[int, JobRow]:
    """Headcount on `as_of` and jobs created in [start, end] for every base of a region subtree,
    each grouped by base in one query."""
    rows: dict[int, JobRow] = {}
    sql = Sql()
    where = (
        f"{_target_where(sql, Target(region_code=region_code))} AND e.verification <> 'rejected'"
        f" AND e.hired_on <= {sql.param(as_of)} AND (e.left_on IS NULL OR e.left_on >= {sql.param(as_of)})"
        f" AND ({_rule_where(sql, rule, _month_of(as_of))})"
    )
    for row in await sql.rows(
        f"SELECT e.base_id AS base_id, {_counting_columns()} FROM employment e WHERE {where} GROUP BY e.base_id"
    ):
        rows.setdefault(int(row["base_id"]), JobRow()).headcount = _figure(row)
    sql = Sql()
    where = (
        f"{_target_where(sql, Target(region_code=region_code))} AND e.verification <> 'rejected'"
        f" AND e.hired_on BETWEEN {sql.param(start)} AND {sql.param(end)}"
        f" AND {_rule_where(sql, rule, _month_of(end))}"
    )
    for row in await sql.rows(
        f"SELECT e.base_id AS base_id, {_counting_columns()} FROM employment e WHERE {where} GROUP BY e.base_id"
    ):
        rows.setdefault(int(row["base_id"]), JobRow()).created = _figure(row)
    return rows


@dataclass
class JobRow:
    """One base's line on the region's comparison."""

    headcount: Figure = field(default_factory=Figure)
    created: Figure = field(default_factory=Figure)
