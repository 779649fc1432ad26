"""The thresholds a base must meet to be recognised, kept as dated parameters with their source."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from incubator.models import BaseLevel, Scope


class StandardMeasure(StrEnum):
    UTILISATION = "utilisation"
    STARTUPS_INCUBATED = "startups_incubated"
    JOBS_ABSORBED = "jobs_absorbed"
    SUCCESS_RATE = "success_rate"
    ON_TIME_EXIT_RATE = "on_time_exit_rate"
    YEARS_OPERATING = "years_operating"


class RecognitionStandard(Model):
    """One threshold of a recognition level (e.g. national demonstration base), from a date."""

    id = fields.IntField(primary_key=True)
    level = fields.CharEnumField(BaseLevel, max_length=32)
    measure = fields.CharEnumField(StandardMeasure, max_length=32)
    minimum = fields.DecimalField(max_digits=12, decimal_places=2)
    effective_from = fields.DateField()
    source = fields.CharField(max_length=300)
    confirmed = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    scope = Scope(roles=frozenset({"bureau", "operator", "founder"}))

    class Meta:
        table = "recognition_standard"
        unique_together = [("level", "measure", "effective_from")]
        ordering = ["level", "measure", "-effective_from"]
