"""Test world: the loans part (see tests/world/__init__.py).

Each startup has a guaranteed loan to its founding person: 120,000 at 3.45 % from
15 January 2025 over 24 months, equal principal, monthly, with the first instalment repaid
on its due date (5,000 principal and 356.50 interest on 15 February 2025).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from grants.models import BorrowerKind, Loan, LoanRepayment, RepaymentMethod

if TYPE_CHECKING:
    from tests.personas import World

BANKS = {
    "dsj": "中国农业银行拉萨城关支行",
    "chamdo": "西藏银行昌都分行",
    "dsj_sibling": "中国建设银行拉萨分行",
    "chamdo_sibling": "中国邮政储蓄银行昌都分行",
    "qinghai": "青海银行城东支行",
}


async def add(world: World) -> None:
    """A loan (and its first repayment) per startup: world.more["loan_id"][startup key]."""
    ids = world.more.setdefault("loan_id", {})
    for key, startup in world.startups.items():
        base = world.bases[key.removesuffix("_sibling")]
        person = world.persons[key]
        loan = await Loan.create(
            base_id=base.id,
            startup_id=startup.id,
            region_code=base.region_id,
            borrower_kind=BorrowerKind.INDIVIDUAL,
            person_id=person.id,
            partners=1,
            borrower_name=person.name,
            bank=BANKS[key],
            guarantee_agency="西藏自治区创业担保贷款担保中心",
            contract_number=f"DB2025-{startup.id:04d}",
            principal=Decimal("120000.00"),
            annual_rate=Decimal("3.4500"),
            lpr=Decimal("3.1000"),
            contract_on=dt.date(2025, 1, 10),
            start_on=dt.date(2025, 1, 15),
            term_months=24,
            period_months=1,
            method=RepaymentMethod.EQUAL_PRINCIPAL,
        )
        await LoanRepayment.create(
            loan_id=loan.id,
            base_id=base.id,
            startup_id=startup.id,
            region_code=base.region_id,
            paid_on=dt.date(2025, 2, 15),
            principal=Decimal("5000.00"),
            interest=Decimal("356.50"),
            reference=f"HK{startup.id:06d}",
        )
        ids[key] = loan.id
