"""Display names of tenants/ enumerations."""

from __future__ import annotations

from incubator.i18n import N_
from incubator.labels import register
from tenants.models import LegalForm, StartupStatus

register(
    "legal_form",
    {
        LegalForm.LIMITED_COMPANY: N_("Limited liability company"),
        LegalForm.SOLE_PROPRIETOR: N_("Individual business"),
        LegalForm.FARMER_COOPERATIVE: N_("Farmers' cooperative"),
        LegalForm.PARTNERSHIP: N_("Partnership"),
        LegalForm.UNREGISTERED_TEAM: N_("Unregistered team"),
    },
)
register(
    "startup_status",
    {
        StartupStatus.APPLIED: N_("Applied"),
        StartupStatus.INCUBATING: N_("Incubating"),
        StartupStatus.GRADUATED: N_("Graduated"),
        StartupStatus.EXITED: N_("Exited"),
    },
)
