"""Guaranteed business-start loans (创业担保贷款) and the repayments actually made on them."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from incubator.models import Base, Scope, User
from tenants.models import Person, Startup
from tenants.models.billing import money_field

# A loan belongs to a startup of a base: bureaus by region, operators by base, founders by startup.
LOAN_SCOPE = Scope(
    roles=frozenset({"bureau", "operator", "founder"}), region="region_code", base="base_id", startup="startup_id"
)


class BorrowerKind(StrEnum):
    INDIVIDUAL = "individual"  # 个人
    PARTNERSHIP = "partnership"  # 合伙创业
    ENTERPRISE = "enterprise"  # 小微企业


class RepaymentMethod(StrEnum):
    EQUAL_INSTALMENT = "equal_instalment"  # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
    INTEREST_ONLY = "interest_only"  # 按期付息、到期还本


class Loan(Model):
    """A guaranteed loan: who borrowed, from which bank under which guarantee, on what terms.

    Rates are percent a year (4.3500 = 4.35 %). `lpr` is the one-year LPR on the contract
    date. Instalments fall every `period_months` months from `start_on` over `term_months`.
    """

    id = fields.IntField(primary_key=True)
    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="loans", on_delete=fields.RESTRICT
    )
    base_id: int
    startup: fields.ForeignKeyRelation[Startup] = fields.ForeignKeyField(
        "models.Startup", related_name="loans", on_delete=fields.RESTRICT
    )
    startup_id: int
    region_code = fields.CharField(max_length=6, db_index=True)
    borrower_kind = fields.CharEnumField(BorrowerKind, max_length=16)
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="loans", null=True, on_delete=fields.RESTRICT
    )
    person_id: int | None
    partners = fields.IntField(default=1)
    borrower_name = fields.CharField(max_length=100)
    bank = fields.CharField(max_length=100)
    guarantee_agency = fields.CharField(max_length=100)
    contract_number = fields.CharField(max_length=64)
    principal = money_field()
    annual_rate = fields.DecimalField(max_digits=7, decimal_places=4)
    lpr = fields.DecimalField(max_digits=6, decimal_places=4)
    contract_on = fields.DateField()
    start_on = fields.DateField()
    term_months = fields.IntField()
    period_months = fields.IntField(default=1)
    method = fields.CharEnumField(RepaymentMethod, max_length=20)
    note = fields.CharField(max_length=500, default="")
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    repayments: fields.ReverseRelation[LoanRepayment]

    scope = LOAN_SCOPE

    class Meta:
        table = "loan"
        unique_together = [("bank", "contract_number")]
        ordering = ["-start_on", "id"]

    def __str__(self) -> str:
        return f"{self.bank} {self.contract_number}"


class LoanRepayment(Model):
    """A repayment the borrower actually made: principal and interest, on a day."""

    id = fields.IntField(primary_key=True)
    loan: fields.ForeignKeyRelation[Loan] = fields.ForeignKeyField(
        "models.Loan", related_name="repayments", on_delete=fields.RESTRICT
    )
    loan_id: int
    base_id = fields.IntField()
    startup_id = fields.IntField()
    region_code = fields.CharField(max_length=6)
    paid_on = fields.DateField()
    principal = money_field()
    interest = money_field()
    reference = fields.CharField(max_length=64, default="")
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    recorded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = LOAN_SCOPE

    class Meta:
        table = "loan_repayment"
        ordering = ["paid_on", "id"]
        indexes = [("loan_id", "paid_on")]
