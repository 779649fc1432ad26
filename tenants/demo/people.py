"""The demo founders: mostly Tibetan college graduates, with valid, distinct ID numbers."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from incubator.identifiers import compose_id_number
from tenants.demo.catalogue import AQIONG_STARTUP, Profile
from tenants.demo.lifecycle import Lifecycle, add_years
from tenants.models import FounderRole, Industry, LegalForm, Sex

# GB/T 2260 county codes by prefecture, with how likely a 第三极 founder comes from there.
TIBET_COUNTIES: dict[str, tuple[int, list[str]]] = {
    "拉萨": (35, ["540102", "540103", "540104", "540121", "540122", "540123", "540124", "540127"]),
    "日喀则": (15, ["540202", "540221", "540222", "540225", "540229"]),
    "昌都": (12, ["540302", "540321", "540322", "540323", "540324", "540325", "540328"]),
    "林芝": (10, ["540402", "540421", "540424", "540425"]),
    "山南": (13, ["540502", "540521", "540522", "540524", "540525"]),
    "那曲": (10, ["540602", "540621", "540622", "540624", "540626"]),
    "阿里": (5, ["542521", "542523", "542525"]),
}
LOCAL_COUNTIES = {"DSJ": ["540102", "540103", "540104"], "CDCK": ["540302", "540321", "540323"]}
# Inland counties of founders from other provinces (成都, 重庆, 兰州, 西宁, 昆明, 郑州, 武汉, 西安).
INLAND_COUNTIES = ["510104", "510107", "500103", "620102", "630102", "530102", "410102", "420106", "610113"]

TIBETAN_LEADS = ["次仁", "扎西", "格桑", "达瓦", "尼玛", "索朗", "边巴", "普布", "巴桑", "米玛", "拉巴", "次旦", "旦增"]
TIBETAN_ENDS = {
    Sex.MALE: ["顿珠", "平措", "多吉", "旺堆", "罗布", "加措", "群培", "欧珠", "贡布", "朗杰", "晋美", "次仁"],
    Sex.FEMALE: ["卓玛", "拉姆", "央宗", "曲珍", "卓嘎", "央金", "玉珍", "旺姆", "措姆", "白珍", "拉珍", "德吉"],
}
TIBETAN_SHORT = {
    Sex.MALE: ["旺堆", "边巴", "多吉", "罗布", "强巴", "洛桑", "丹增", "白玛"],
    Sex.FEMALE: ["白玛", "德吉", "卓玛", "拉姆", "央金", "曲珍", "仓决", "益西"],
}
HAN_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡郭何罗高"
HAN_GIVEN = {
    Sex.MALE: ["建国", "浩", "磊", "伟", "宇航", "志强", "鹏", "俊杰", "晨", "海涛", "明", "子豪"],
    Sex.FEMALE: ["娜", "丽", "婷", "雪梅", "晓燕", "静", "欣怡", "思琪", "佳", "梦瑶", "雪", "慧"],
}
# School -> (years from birth to graduation, weight); 专科 graduate a year earlier.
SCHOOLS: dict[str, tuple[int, int]] = {
    "西藏大学": (22, 30),
    "西藏民族大学": (22, 18),
    "西藏农牧学院": (22, 10),
    "西藏藏医药大学": (22, 6),
    "拉萨师范高等专科学校": (21, 8),
    "西藏职业技术学院": (21, 10),
    "四川大学": (22, 2),
    "中央民族大学": (22, 4),
    "西南民族大学": (22, 4),
    "华中师范大学": (22, 2),
    "兰州大学": (22, 2),
}
MOBILE_PREFIXES = ["139", "138", "136", "135", "150", "152", "157", "158", "159", "182", "183", "187", "180", "189"]
MOBILE_PREFIXES += ["133", "153", "177", "199", "130", "131", "155", "156", "185", "166", "176", "191", "198"]

# 阿琼's company is run by three Tibetan-hukou graduates: name, sex, county, birth, school, graduation.
AQIONG_FOUNDERS = [
    ("阿琼", Sex.FEMALE, "540302", dt.date(1999, 8, 2), "西藏大学", 2021),
    ("洛桑旦增", Sex.MALE, "540321", dt.date(1998, 5, 17), "西藏民族大学", 2020),
    ("德吉央宗", Sex.FEMALE, "540302", dt.date(2000, 1, 23), "拉萨师范高等专科学校", 2021),
]
# Businesses named after their owner are run by that owner.
OWNERS: dict[str, tuple[str, Sex]] = {
    "城关区卓玛藏式甜茶馆": ("次仁卓玛", Sex.FEMALE),
    "城关区次仁摄影工作室": ("次仁多吉", Sex.MALE),
    "城关区央金藏装定制店": ("央金", Sex.FEMALE),
    "拉萨拉姆藏药香囊合伙企业（普通合伙）": ("尼玛拉姆", Sex.FEMALE),
    "西藏白玛网络科技有限公司": ("白玛", Sex.MALE),
    "卡若区格桑藏面馆": ("格桑", Sex.MALE),
    "卡若区次旺汽车美容店": ("次旺", Sex.MALE),
    "卡若区达瓦手工藏毯店": ("达瓦卓玛", Sex.FEMALE),
}
RESERVED_NAMES = {name for name, _sex in OWNERS.values()} | {row[0] for row in AQIONG_FOUNDERS}


@dataclass
class PersonPlan:
    """A founder to create: the person's details and their role in the startup."""

    name: str
    sex: Sex
    id_number: str
    birth_date: dt.date
    phone: str
    hukou_region_code: str
    role: FounderRole
    joined_on: dt.date
    school: str = ""
    graduation_year: int | None = None
    is_farmer_herder: bool = False
    is_veteran: bool = False
    is_poverty_alleviated: bool = False
    is_disabled: bool = False


@dataclass
class Registry:
    """What is already taken, so that no two demo people share an ID number, phone or name."""

    id_numbers: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=lambda: set(RESERVED_NAMES))


def unique(taken: set[str], make: Callable[[], str]) -> str:
    for _ in range(500):
        value = make()
        if value not in taken:
            taken.add(value)
            return value
    raise RuntimeError("demo: ran out of distinct values")


def _name(rng: random.Random, sex: Sex, tibetan: bool) -> str:
    if not tibetan:
        return rng.choice(HAN_SURNAMES) + rng.choice(HAN_GIVEN[sex])
    if rng.random() < 0.2:
        return rng.choice(TIBETAN_SHORT[sex])
    lead, end = rng.choice(TIBETAN_LEADS), rng.choice(TIBETAN_ENDS[sex])
    return lead + end if lead != end else end


def _county(rng: random.Random, base_code: str, tibetan: bool) -> str:
    if not tibetan:
        return rng.choice(["540102", "540302", "540402"]) if rng.random() < 0.3 else rng.choice(INLAND_COUNTIES)
    if base_code == "CDCK" and rng.random() < 0.8:
        return rng.choice(TIBET_COUNTIES["昌都"][1])
    prefectures = list(TIBET_COUNTIES.values())
    counties = rng.choices([c for _w, c in prefectures], weights=[w for w, _c in prefectures])[0]
    return rng.choice(counties)


def _school(rng: random.Random, profile: Profile) -> str:
    weights = {school: weight for school, (_years, weight) in SCHOOLS.items()}
    if profile.industry is Industry.A:
        weights["西藏农牧学院"] *= 4
    if profile.industry is Industry.Q or "藏药" in profile.name or "藏医" in profile.name:
        weights["西藏藏医药大学"] *= 6
    if profile.industry is Industry.P:
        weights["拉萨师范高等专科学校"] *= 3
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def last_graduation_year(today: dt.date) -> int:
    return today.year if today >= dt.date(today.year, 7, 1) else today.year - 1


def _role(form: LegalForm, index: int) -> FounderRole:
    if form in (LegalForm.LIMITED_COMPANY, LegalForm.FARMER_COOPERATIVE):
        return FounderRole.LEGAL_REPRESENTATIVE if index == 0 else FounderRole.PARTNER
    return FounderRole.MEMBER if form is LegalForm.UNREGISTERED_TEAM else FounderRole.PARTNER


def _phone(rng: random.Random, registry: Registry) -> str:
    return unique(registry.phones, lambda: rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}")


def _id_number(rng: random.Random, registry: Registry, county: str, birth: dt.date, sex: Sex) -> str:
    odd = 1 if sex is Sex.MALE else 0
    return unique(registry.id_numbers, lambda: compose_id_number(county, birth, rng.randrange(500) * 2 + odd))


def _aqiong_founders(rng: random.Random, registry: Registry, joined: dt.date) -> list[PersonPlan]:
    plans = []
    for index, (name, sex, county, birth, school, year) in enumerate(AQIONG_FOUNDERS):
        role = FounderRole.LEGAL_REPRESENTATIVE if index == 0 else FounderRole.PARTNER
        number = _id_number(rng, registry, county, birth, sex)
        phone = _phone(rng, registry)
        plans.append(PersonPlan(name, sex, number, birth, phone, county, role, joined, school, year))
    return plans


def founders(
    profile: Profile, life: Lifecycle, base_code: str, rng: random.Random, registry: Registry, today: dt.date
) -> list[PersonPlan]:
    """One to three founders of a demo startup, who joined about when it was registered."""
    joined = life.registered_on or life.applied_on - dt.timedelta(days=rng.randint(30, 240))
    if profile.name == AQIONG_STARTUP:
        return _aqiong_founders(rng, registry, joined)
    sizes = {LegalForm.SOLE_PROPRIETOR: [1, 1, 2], LegalForm.LIMITED_COMPANY: [1, 2, 2, 3, 3]}
    count = rng.choice(sizes.get(profile.form, [2, 2, 3]))
    plans = []
    for index in range(count):
        local = profile.form is LegalForm.FARMER_COOPERATIVE  # members farm near the base
        tibetan = local or rng.random() < (0.9 if base_code == "CDCK" else 0.82)
        if index == 0 and profile.name in OWNERS:
            name, sex = OWNERS[profile.name]
        else:
            sex = rng.choice([Sex.MALE, Sex.FEMALE])
            name = unique(registry.names, partial(_name, rng, sex, tibetan))
        county = rng.choice(LOCAL_COUNTIES[base_code]) if local else _county(rng, base_code, tibetan)
        since = joined if index == 0 else min(today, joined + dt.timedelta(days=rng.randint(0, 90)))
        birth = add_years(since, -rng.randint(21, 32)) - dt.timedelta(days=rng.randint(0, 364))
        # Ages stay between 21 and 40 today, however long ago the startup was founded.
        birth = max(birth, add_years(today, -40) + dt.timedelta(days=rng.randint(30, 300)))
        plan = PersonPlan(
            name, sex, _id_number(rng, registry, county, birth, sex), birth, _phone(rng, registry), county,
            _role(profile.form, index), since,
        )  # fmt: skip
        graduate = rng.random() < (0.3 if profile.form is LegalForm.FARMER_COOPERATIVE else 0.93)
        if graduate:
            plan.school = _school(rng, profile)
            year = birth.year + SCHOOLS[plan.school][0] + rng.randint(0, 1)
            plan.graduation_year = min(year, last_graduation_year(today))
            plan.is_poverty_alleviated = rng.random() < 0.1
            plan.is_veteran = rng.random() < 0.03
        else:
            plan.is_veteran = profile.form is not LegalForm.FARMER_COOPERATIVE and rng.random() < 0.6
            plan.is_farmer_herder = not plan.is_veteran
            plan.is_poverty_alleviated = rng.random() < 0.3
        plan.is_disabled = rng.random() < 0.015
        if rng.random() < 0.06:
            # Moved their household registration to the city where they work.
            moved_to = "540102" if base_code == "DSJ" else "540302"
            plan.hukou_region_code = moved_to if county != moved_to else "540103"
        plans.append(plan)
    return plans
