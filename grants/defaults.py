"""The policies, LPR table and regional holidays an installation starts with.

Every parameter carries its source. Where the figure is not taken from an official text we
could check, the source says so ("to be confirmed against the official text") and the pages
show it as unconfirmed until an admin or bureau officer confirms it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from grants.models.policies import PolicyKind

TIBET = "540000"
UNCONFIRMED = "（待与正式文本核对 / to be confirmed against the official text）"
LOAN_2020 = (
    "财金〔2020〕21号 财政部 人力资源社会保障部 中国人民银行"
    "《关于进一步加大创业担保贷款贴息力度全力支持重点群体创业就业的通知》"
)
GROUPS_SOURCE = "创业担保贷款支持的十类人员，见财金〔2020〕21号"


def _src(ref: str, confirmed: bool = False) -> dict[str, Any]:
    return {"ref": ref if confirmed else f"{ref}{UNCONFIRMED}", "confirmed": confirmed}


# kind -> (policy fields, valid_from, params, sources)
DEFAULT_POLICIES: dict[PolicyKind, dict[str, Any]] = {
    PolicyKind.STARTUP_GRANT: {
        "policy": {
            "name": "一次性创业补贴",
            "name_en": "One-time business start-up grant",
            "issuing_body": "西藏自治区人力资源和社会保障厅 西藏自治区财政厅",
            "document_number": "",
            "summary": "对符合条件的创业者创办的企业，按创业者人数给予一次性创业补贴。",
        },
        "valid_from": dt.date(2020, 1, 1),
        "params": {
            "amount_per_founder": "60000.00",
            "max_founders": 3,
            "min_registered_months": 6,
            "max_registered_months": 36,
            "graduate_years": 5,
            "eligible_groups": [
                "registered_unemployed",
                "employment_difficulty",
                "veteran",
                "released_prisoner",
                "graduate",
                "overcapacity_worker",
                "returning_migrant",
                "online_merchant",
                "poverty_alleviated",
                "rural_entrepreneur",
            ],
        },
        "sources": {
            "amount_per_founder": _src("西藏自治区一次性创业补贴标准，每名符合条件的创业者6万元"),
            "max_founders": _src("同一企业最多按3名创业者计算"),
            "min_registered_months": _src("企业注册登记满6个月"),
            "max_registered_months": _src("企业注册登记不超过3年"),
            "graduate_years": _src("毕业5年内高校毕业生"),
            "eligible_groups": _src(GROUPS_SOURCE),
        },
    },
    PolicyKind.RENT_SUBSIDY: {
        "policy": {
            "name": "创业场地房租补贴",
            "name_en": "Rent subsidy for start-up premises",
            "issuing_body": "西藏自治区人力资源和社会保障厅 西藏自治区财政厅",
            "document_number": "",
            "summary": "对入驻创业孵化基地的创业实体，按实际缴纳的房租给予补贴，每年最高2万元，最长3年。",
        },
        "valid_from": dt.date(2020, 1, 1),
        "params": {"annual_cap": "20000.00", "max_years": 3},
        "sources": {
            "annual_cap": _src("每年最高2万元，且不超过当年实际缴纳的房租"),
            "max_years": _src("补贴期限最长3年"),
        },
    },
    PolicyKind.LOAN_INTEREST: {
        "policy": {
            "name": "创业担保贷款贴息",
            "name_en": "Interest subsidy on guaranteed business-start loans",
            "issuing_body": "财政部 人力资源社会保障部 中国人民银行",
            "document_number": "财金〔2020〕21号",
            "summary": "对符合条件的借款人按期还款的创业担保贷款给予贴息；西藏对高校毕业生全额贴息。",
        },
        "valid_from": dt.date(2020, 4, 1),
        "params": {
            "individual_cap": "300000.00",
            "partnership_percent": "110",
            "enterprise_cap": "4000000.00",
            "individual_term_months": 36,
            "enterprise_term_months": 24,
            "mode": "full",
            "share_percent": "50",
            "lpr_spread_bp": 150,
            "graduate_years": 5,
            "eligible_groups": [
                "registered_unemployed",
                "employment_difficulty",
                "veteran",
                "released_prisoner",
                "graduate",
                "overcapacity_worker",
                "returning_migrant",
                "online_merchant",
                "poverty_alleviated",
                "rural_entrepreneur",
            ],
        },
        "sources": {
            "individual_cap": _src("个人创业担保贷款额度最高30万元"),
            "partnership_percent": _src("合伙创业的，可按符合条件的个人贷款总额度上浮10%"),
            "enterprise_cap": _src("小微企业创业担保贷款额度最高400万元"),
            "individual_term_months": _src(f"{LOAN_2020}：个人贷款贴息期限最长3年", confirmed=True),
            "enterprise_term_months": _src(f"{LOAN_2020}：小微企业贷款贴息期限最长2年", confirmed=True),
            "mode": _src("西藏自治区对高校毕业生创业担保贷款全额贴息"),
            "share_percent": _src("按实际利率的一定比例贴息时的比例（示例50%）"),
            "lpr_spread_bp": _src(f"{LOAN_2020}：LPR-150BP以下部分由借款人承担，剩余部分财政贴息", confirmed=True),
            "graduate_years": _src("毕业5年内高校毕业生"),
            "eligible_groups": _src(GROUPS_SOURCE),
        },
    },
}

LPR_SOURCE = "全国银行间同业拆借中心公布的贷款市场报价利率（LPR）"
# effective date, one-year LPR, five-year LPR (percent a year)
LPR_HISTORY: list[tuple[dt.date, Decimal, Decimal]] = [
    (dt.date(2019, 8, 20), Decimal("4.25"), Decimal("4.85")),
    (dt.date(2019, 9, 20), Decimal("4.20"), Decimal("4.85")),
    (dt.date(2019, 11, 20), Decimal("4.15"), Decimal("4.80")),
    (dt.date(2020, 2, 20), Decimal("4.05"), Decimal("4.75")),
    (dt.date(2020, 4, 20), Decimal("3.85"), Decimal("4.65")),
    (dt.date(2021, 12, 20), Decimal("3.80"), Decimal("4.65")),
    (dt.date(2022, 1, 20), Decimal("3.70"), Decimal("4.60")),
    (dt.date(2022, 5, 20), Decimal("3.70"), Decimal("4.45")),
    (dt.date(2022, 8, 22), Decimal("3.65"), Decimal("4.30")),
    (dt.date(2023, 6, 20), Decimal("3.55"), Decimal("4.20")),
    (dt.date(2023, 8, 21), Decimal("3.45"), Decimal("4.20")),
    (dt.date(2024, 2, 20), Decimal("3.45"), Decimal("3.95")),
    (dt.date(2024, 7, 22), Decimal("3.35"), Decimal("3.85")),
    (dt.date(2024, 10, 21), Decimal("3.10"), Decimal("3.60")),
    (dt.date(2025, 5, 20), Decimal("3.00"), Decimal("3.50")),
]

HOLIDAY_SOURCE = "以每年西藏自治区人民政府办公厅放假通知为准（待核对）"
# Tibet's own days off beyond the national calendar: 藏历新年 and 雪顿节 (dates to be confirmed each year).
TIBET_HOLIDAYS: list[tuple[str, dt.date, dt.date]] = [
    ("藏历新年", dt.date(2024, 2, 10), dt.date(2024, 2, 16)),
    ("雪顿节", dt.date(2024, 8, 4), dt.date(2024, 8, 6)),
    ("藏历新年", dt.date(2025, 2, 28), dt.date(2025, 3, 6)),
    ("雪顿节", dt.date(2025, 8, 23), dt.date(2025, 8, 25)),
    ("藏历新年", dt.date(2026, 2, 18), dt.date(2026, 2, 24)),
    ("雪顿节", dt.date(2026, 8, 12), dt.date(2026, 8, 14)),
]
