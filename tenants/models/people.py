"""People (自然人): one row per real person, shared across bases."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from incubator.models import Base, Scope

TIBET_PREFIX = "54"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Person(Model):
    """A real person, identified by the resident ID number (stored encrypted)."""

    id = fields.IntField(primary_key=True)
    id_index = fields.CharField(max_length=64, unique=True)
    id_cipher = fields.TextField()
    id_masked = fields.CharField(max_length=18)
    name = fields.CharField(max_length=50)
    birth_date = fields.DateField()
    sex = fields.CharEnumField(Sex, max_length=8)
    phone = fields.CharField(max_length=11, default="")
    hukou_region_code = fields.CharField(max_length=6)
    is_graduate = fields.BooleanField(default=False)
    school = fields.CharField(max_length=100, default="")
    graduation_year = fields.IntField(null=True)
    is_farmer_herder = fields.BooleanField(default=False)
    is_veteran = fields.BooleanField(default=False)
    is_poverty_alleviated = fields.BooleanField(default=False)
    is_disabled = fields.BooleanField(default=False)
    has_employment_difficulty = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    registrations: fields.ReverseRelation[BasePerson]
    founder_roles: fields.ReverseRelation[Model]
    employments: fields.ReverseRelation[Model]

    # Visible through the bases that registered the person and the startups they found or work for.
    scope = Scope(
        roles=frozenset({"bureau", "operator", "founder"}),
        via=("registrations", "founder_roles", "employments"),
    )

    class Meta:
        table = "person"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_tibetan_hukou(self) -> bool:
        """户籍 in the Tibet Autonomous Region (GB/T 2260 codes starting 54)."""
        return self.hukou_region_code.startswith(TIBET_PREFIX)

    @property
    def categories(self) -> list[str]:
        """The person's categories (keys of the person_category labels)."""
        names = ["tibetan_hukou"] if self.is_tibetan_hukou else []
        for flag in (
            "graduate",
            "farmer_herder",
            "veteran",
            "poverty_alleviated",
            "disabled",
        ):
            if getattr(self, f"is_{flag}"):
                names.append(flag)
        if self.has_employment_difficulty:
            names.append("employment_difficulty")
        return names


class BasePerson(Model):
    """A person registered with a base (人员登记): the operator's link to a shared Person.

    `entered_name` keeps a name typed for this ID number that differs from the registered
    name, flagged until an operator resolves it.
    """

    id = fields.IntField(primary_key=True)
    base: fields.ForeignKeyRelation[Base] = fields.ForeignKeyField(
        "models.Base", related_name="people", on_delete=fields.RESTRICT
    )
    base_id: int
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="registrations", on_delete=fields.RESTRICT
    )
    person_id: int
    entered_name = fields.CharField(max_length=50, default="")
    name_flagged = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = Scope(roles=frozenset({"bureau", "operator"}), region="base__region_id", base="base_id")

    class Meta:
        table = "base_person"
        unique_together = [("base", "person")]
        ordering = ["id"]
