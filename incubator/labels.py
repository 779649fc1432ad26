"""Display names for the platform's enumerations, translated where they are shown."""

from __future__ import annotations

from enum import Enum

from incubator.i18n import N_, gettext
from incubator.models import BaseKind, BaseLevel, RegionLevel, Role, TaskState

LABELS: dict[str, dict[str, str]] = {
    "role": {
        Role.ADMIN: N_("Platform admin"),
        Role.BUREAU: N_("Bureau officer"),
        Role.OPERATOR: N_("Base operator"),
        Role.FOUNDER: N_("Founder"),
    },
    "base_kind": {
        BaseKind.MAKER_SPACE: N_("Maker space"),
        BaseKind.INCUBATION_BASE: N_("Entrepreneurship incubation base"),
        BaseKind.STUDENT_MAKER_COMMUNITY: N_("Student maker community"),
        BaseKind.TECH_INCUBATOR: N_("Technology business incubator"),
        BaseKind.OTHER: N_("Other"),
    },
    "base_level": {
        BaseLevel.NATIONAL: N_("National"),
        BaseLevel.AUTONOMOUS_REGION: N_("Autonomous region"),
        BaseLevel.PREFECTURE: N_("Prefecture"),
        BaseLevel.COUNTY: N_("County"),
        BaseLevel.NONE: N_("Not rated"),
    },
    "region_level": {
        RegionLevel.PROVINCE: N_("Province"),
        RegionLevel.PREFECTURE: N_("Prefecture"),
        RegionLevel.COUNTY: N_("County"),
    },
    "task_state": {
        TaskState.RUNNING: N_("Running"),
        TaskState.SUCCEEDED: N_("Done"),
        TaskState.FAILED: N_("Failed, nothing saved"),
        TaskState.INTERRUPTED: N_("Interrupted, nothing saved"),
    },
}


def register(kind: str, labels: dict[str, str]) -> None:
    """Other packages add the labels of their own enumerations."""
    LABELS[kind] = labels


def label(kind: str, value: str | Enum | None) -> str:
    """The translated label of an enumeration value ('' for None)."""
    if value is None:
        return ""
    key = value.value if isinstance(value, Enum) else value
    text = LABELS.get(kind, {}).get(key)
    return gettext(text) if text else str(key)


def role(value: str | Enum) -> str:
    return label("role", value)


def choices(kind: str) -> list[tuple[str, str]]:
    """(value, translated label) pairs for a select field."""
    return [(value, gettext(text)) for value, text in LABELS[kind].items()]


class LabelOf:
    """An enumeration value shown by its label in the locale in force when it is formatted
    (for message parameters, which are rendered after the service raised)."""

    def __init__(self, kind: str, value: str | Enum) -> None:
        self.kind, self.value = kind, value

    def __str__(self) -> str:
        return label(self.kind, self.value)
