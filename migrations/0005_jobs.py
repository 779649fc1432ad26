from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tenants.models.jobs import ContractKind, Verification
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0004_recognition_standards")]

    initial = False

    operations = [
        ops.CreateModel(
            name="CountingRule",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "region",
                    fields.ForeignKeyField(
                        "models.Region",
                        source_field="region_id",
                        db_constraint=True,
                        to_field="code",
                        related_name="counting_rules",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("effective_from", fields.DateField()),
                ("include_founders", fields.BooleanField(default=True)),
                ("min_insured_months", fields.IntField(default=0)),
                (
                    "contract_kinds",
                    fields.JSONField(encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads),
                ),
                ("source", fields.CharField(max_length=300)),
                ("created_by", fields.CharField(default="", max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "counting_rule",
                "app": "models",
                "unique_together": [("region", "effective_from")],
                "pk_attr": "id",
                "table_description": "How a region counts jobs from a date on: founders, insured months, contract kinds.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Employment",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "startup",
                    fields.ForeignKeyField(
                        "models.Startup",
                        source_field="startup_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="employments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "person",
                    fields.ForeignKeyField(
                        "models.Person",
                        source_field="person_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="employments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "base",
                    fields.ForeignKeyField(
                        "models.Base",
                        source_field="base_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="employments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("region_code", fields.CharField(max_length=6)),
                ("hired_on", fields.DateField()),
                ("left_on", fields.DateField(null=True)),
                ("left_reason", fields.CharField(default="", max_length=200)),
                (
                    "contract_kind",
                    fields.CharEnumField(
                        description="FIXED_TERM: fixed_term\nOPEN_ENDED: open_ended\nSERVICE: service\nFLEXIBLE: flexible\nPUBLIC_WELFARE: public_welfare",
                        enum_type=ContractKind,
                        max_length=16,
                    ),
                ),
                ("insured_from", fields.DateField(null=True)),
                ("insured_until", fields.DateField(null=True)),
                ("insured_from_month", fields.IntField(null=True)),
                ("insured_until_month", fields.IntField(null=True)),
                ("monthly_wage", fields.DecimalField(null=True, max_digits=12, decimal_places=2)),
                ("is_founder", fields.BooleanField(default=False)),
                ("is_graduate", fields.BooleanField(default=False)),
                ("graduation_year", fields.IntField(null=True)),
                ("is_tibetan", fields.BooleanField(default=False)),
                ("is_farmer_herder", fields.BooleanField(default=False)),
                ("is_veteran", fields.BooleanField(default=False)),
                ("is_poverty_alleviated", fields.BooleanField(default=False)),
                ("is_disabled", fields.BooleanField(default=False)),
                (
                    "verification",
                    fields.CharEnumField(
                        default=Verification.DECLARED,
                        description="DECLARED: declared\nVERIFIED: verified\nREJECTED: rejected",
                        enum_type=Verification,
                        max_length=16,
                    ),
                ),
                ("verification_note", fields.CharField(default="", max_length=300)),
                ("verified_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "employment",
                "app": "models",
                "indexes": [
                    Index(fields=["base_id", "hired_on"]),
                    Index(fields=["region_code", "hired_on"]),
                    Index(fields=["startup_id", "person_id"]),
                    Index(fields=["person_id", "hired_on"]),
                ],
                "pk_attr": "id",
                "table_description": "A person employed by a startup from hired_on to left_on, as the roster declares it.",
            },
            bases=["Model"],
        ),
    ]
