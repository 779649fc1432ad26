"""Models of tenants/: people, startups and their founders, spaces and leases.

Tortoise finds models by the names this package exports.
"""

from tenants.models.jobs import ContractKind, CountingRule, Employment, Verification, month_index
from tenants.models.people import BasePerson, Person, Sex
from tenants.models.spaces import (
    BillingCycle,
    Lease,
    LeaseOrigin,
    LeaseSpace,
    RentConcession,
    Space,
    SpaceKind,
    SpaceStatus,
)
from tenants.models.standards import RecognitionStandard, StandardMeasure
from tenants.models.startups import (
    ExitReason,
    Founder,
    FounderRole,
    Industry,
    LegalForm,
    Startup,
    StartupEvent,
    StartupStatus,
)

__all__ = [
    "BasePerson",
    "BillingCycle",
    "ContractKind",
    "CountingRule",
    "Employment",
    "ExitReason",
    "Founder",
    "FounderRole",
    "Industry",
    "Lease",
    "LeaseOrigin",
    "LeaseSpace",
    "LegalForm",
    "Person",
    "RecognitionStandard",
    "RentConcession",
    "Sex",
    "Space",
    "SpaceKind",
    "SpaceStatus",
    "StandardMeasure",
    "Startup",
    "StartupEvent",
    "StartupStatus",
    "Verification",
    "month_index",
]
