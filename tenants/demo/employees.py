"""The demo employees: new people on the job rosters, mostly Tibetan graduates of recent years.

Their ID numbers, phones and names are drawn against a Registry that already holds the founders'.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import asdict, dataclass

from incubator.identifiers import compose_id_number
from incubator.pii import seal_id_number
from tenants.demo import people
from tenants.demo.catalogue import Profile
from tenants.demo.lifecycle import add_years
from tenants.demo.people import Registry
from tenants.models import Industry, LegalForm, Person, Sex

CITY_OF_BASE = {"DSJ": "540102", "CDCK": "540302"}
# More given-name leads than the founders use: a few hundred employees need distinct names.
LEADS = [*people.TIBETAN_LEADS, *"白玛 德庆 益西 其美 仁增 嘎玛 贡觉 洛桑 强巴 阿旺 土登 顿珠".split()]
INLAND_SCHOOLS = {school for school in people.SCHOOLS if not school.startswith(("西藏", "拉萨"))}
# Years since graduation at hiring: mostly fresh graduates.
GRADUATION_LAG = ([0, 1, 2, 3, 4, 5], [30, 25, 18, 12, 8, 7])


@dataclass
class EmployeePlan:
    """A new person on a roster (founders are PersonPlans): the details to create."""

    name: str
    sex: Sex
    id_number: str
    birth_date: dt.date
    phone: str
    hukou_region_code: str
    school: str = ""
    graduation_year: int | None = None
    is_farmer_herder: bool = False
    is_veteran: bool = False
    is_poverty_alleviated: bool = False
    is_disabled: bool = False


def _name(rng: random.Random, sex: Sex, tibetan: bool) -> str:
    if not tibetan:
        return rng.choice(people.HAN_SURNAMES) + rng.choice(people.HAN_GIVEN[sex])
    if rng.random() < 0.05:
        return rng.choice(people.TIBETAN_SHORT[sex])
    lead, end = rng.choice(LEADS), rng.choice(people.TIBETAN_ENDS[sex])
    return lead + end if lead != end else end


def _county(rng: random.Random, base: str, tibetan: bool) -> str:
    if not tibetan:
        return rng.choice(["540102", "540302", "540402"]) if rng.random() < 0.2 else rng.choice(people.INLAND_COUNTIES)
    if base == "CDCK" and rng.random() < 0.75:
        return rng.choice(people.TIBET_COUNTIES["昌都"][1])
    prefectures = list(people.TIBET_COUNTIES.values())
    counties = rng.choices([c for _w, c in prefectures], weights=[w for w, _c in prefectures])[0]
    return rng.choice(counties)


def employee(
    profile: Profile, base: str, rng: random.Random, taken: Registry, hired: dt.date, today: dt.date
) -> EmployeePlan:
    """A new person hired by a startup of the demo base on `hired`, with distinct ID number, phone and name."""
    # Cooperatives hire farmers and herders from around the base, cleaning firms many of them too.
    local = profile.form is LegalForm.FARMER_COOPERATIVE
    tibetan = local or rng.random() < 0.86
    sex = rng.choice([Sex.MALE, Sex.FEMALE])
    name = people.unique(taken.names, lambda: _name(rng, sex, tibetan))
    county = _county(rng, base, tibetan)
    graduate = rng.random() < (0.4 if local else 0.6 if profile.industry is Industry.N else 0.94)
    school, year = "", None
    if graduate:
        weights = [w * (5 if not tibetan and n in INLAND_SCHOOLS else 1) for n, (_y, w) in people.SCHOOLS.items()]
        school = rng.choices(list(people.SCHOOLS), weights=weights)[0]
        year = people.last_graduation_year(hired) - rng.choices(*GRADUATION_LAG)[0]
        born = dt.date(year - people.SCHOOLS[school][0] - rng.choice([0, 0, 1]), 1, 1)
        birth = born + dt.timedelta(days=rng.randrange(365))
    else:
        birth = add_years(hired, -rng.randint(19, 34)) - dt.timedelta(days=rng.randrange(365))
    # Ages stay between 21 and 40 today.
    birth = min(birth, add_years(today, -21) - dt.timedelta(days=rng.randint(1, 200)))
    birth = max(birth, add_years(today, -40) + dt.timedelta(days=rng.randint(30, 300)))
    odd = 1 if sex is Sex.MALE else 0
    number = people.unique(taken.id_numbers, lambda: compose_id_number(county, birth, rng.randrange(500) * 2 + odd))
    phone = people.unique(taken.phones, lambda: rng.choice(people.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}")
    hukou = county
    if rng.random() < 0.04:  # moved their household registration to the city where they work
        hukou = CITY_OF_BASE[base] if county != CITY_OF_BASE[base] else "540103"
    person = EmployeePlan(name, sex, number, birth, phone, hukou, school, year)
    if graduate:
        person.is_poverty_alleviated = rng.random() < 0.1
        person.is_veteran = rng.random() < 0.02
    else:
        person.is_veteran = not local and rng.random() < 0.4
        person.is_farmer_herder = not person.is_veteran
        person.is_poverty_alleviated = rng.random() < 0.3
    return person


def person_row(p: EmployeePlan) -> Person:
    """The Person row of a new employee, with the ID number sealed."""
    sealed = seal_id_number(p.id_number)
    details = {k: v for k, v in asdict(p).items() if k != "id_number"}
    return Person(
        id_index=sealed.index, id_cipher=sealed.cipher, id_masked=sealed.masked, is_graduate=bool(p.school), **details
    )
