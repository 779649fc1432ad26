"""Display names of tenants/ enumerations."""

from __future__ import annotations

from incubator.i18n import N_
from incubator.labels import register
from tenants.models import (
    BillingCycle,
    BillStatus,
    ContractKind,
    ExitReason,
    FounderRole,
    Industry,
    LeaseOrigin,
    LegalForm,
    LineKind,
    PaymentMethod,
    Sex,
    SpaceKind,
    SpaceStatus,
    StandardMeasure,
    StartupStatus,
    Verification,
)

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
register(
    "exit_reason",
    {
        ExitReason.EXPIRED: N_("Term ended, not renewed"),
        ExitReason.ABNORMAL: N_("Abnormal operation"),
        ExitReason.MOVED_OUT: N_("Moved out"),
        ExitReason.DEREGISTERED: N_("Deregistered"),
        ExitReason.OTHER: N_("Other reason"),
    },
)
register(
    "founder_role",
    {
        FounderRole.LEGAL_REPRESENTATIVE: N_("Legal representative"),
        FounderRole.PARTNER: N_("Partner"),
        FounderRole.MEMBER: N_("Team member"),
    },
)
register("sex", {Sex.MALE: N_("Male"), Sex.FEMALE: N_("Female")})
register(
    "person_category",
    {
        "tibetan_hukou": N_("Tibetan household registration"),
        "graduate": N_("College graduate"),
        "farmer_herder": N_("Farmer or herder"),
        "veteran": N_("Veteran"),
        "poverty_alleviated": N_("Lifted out of poverty"),
        "disabled": N_("Person with a disability"),
        "employment_difficulty": N_("Person with employment difficulties"),
    },
)
register(
    "industry",
    {
        Industry.A: N_("A Agriculture, forestry, animal husbandry and fishery"),
        Industry.B: N_("B Mining"),
        Industry.C: N_("C Manufacturing"),
        Industry.D: N_("D Electricity, heat, gas and water supply"),
        Industry.E: N_("E Construction"),
        Industry.F: N_("F Wholesale and retail trade"),
        Industry.G: N_("G Transport, storage and postal services"),
        Industry.H: N_("H Accommodation and catering"),
        Industry.I: N_("I Information transmission, software and IT services"),
        Industry.J: N_("J Finance"),
        Industry.K: N_("K Real estate"),
        Industry.L: N_("L Leasing and business services"),
        Industry.M: N_("M Scientific research and technical services"),
        Industry.N: N_("N Water conservancy, environment and public facilities"),
        Industry.O: N_("O Resident services, repair and other services"),
        Industry.P: N_("P Education"),
        Industry.Q: N_("Q Health and social work"),
        Industry.R: N_("R Culture, sports and entertainment"),
        Industry.S: N_("S Public administration, social security and social organisations"),
        Industry.T: N_("T International organisations"),
    },
)
register(
    "space_kind",
    {
        SpaceKind.DESK: N_("Desk"),
        SpaceKind.OFFICE: N_("Private office"),
        SpaceKind.MEETING_ROOM: N_("Meeting room"),
        SpaceKind.WORKSHOP: N_("Workshop"),
        SpaceKind.STORAGE: N_("Storage"),
    },
)
register("space_status", {SpaceStatus.IN_SERVICE: N_("In service"), SpaceStatus.OUT_OF_SERVICE: N_("Out of service")})
register("billing_cycle", {BillingCycle.MONTHLY: N_("Monthly"), BillingCycle.QUARTERLY: N_("Quarterly")})
register(
    "lease_origin",
    {LeaseOrigin.NEW: N_("New lease"), LeaseOrigin.RENEWAL: N_("Renewal"), LeaseOrigin.MOVE: N_("Move")},
)
register(
    "lease_state",
    {
        "upcoming": N_("Not started"),
        "active": N_("In effect"),
        "ended": N_("Ended early"),
        "expired": N_("Expired"),
    },
)
register(
    "standard_measure",
    {
        StandardMeasure.UTILISATION: N_("Space utilisation (%)"),
        StandardMeasure.STARTUPS_INCUBATED: N_("Startups in incubation during the year"),
        StandardMeasure.JOBS_ABSORBED: N_("Jobs absorbed during the year"),
        StandardMeasure.SUCCESS_RATE: N_("Incubation success rate (%)"),
        StandardMeasure.ON_TIME_EXIT_RATE: N_("On-time exit rate (%)"),
        StandardMeasure.YEARS_OPERATING: N_("Years in operation"),
    },
)
register(
    "contract_kind",
    {
        ContractKind.FIXED_TERM: N_("Labour contract, fixed term"),
        ContractKind.OPEN_ENDED: N_("Labour contract, open-ended"),
        ContractKind.SERVICE: N_("Service contract"),
        ContractKind.FLEXIBLE: N_("Flexible employment"),
        ContractKind.PUBLIC_WELFARE: N_("Public-welfare post"),
    },
)
register(
    "verification",
    {
        Verification.DECLARED: N_("Declared"),
        Verification.VERIFIED: N_("Verified"),
        Verification.REJECTED: N_("Rejected"),
    },
)
register(
    "job_category",
    {
        "total": N_("All"),
        "graduate": N_("College graduates"),
        "tibetan": N_("Tibetan household registration"),
        "farmer_herder": N_("Farmer or herder"),
        "veteran": N_("Veteran"),
        "poverty_alleviated": N_("Lifted out of poverty"),
        "disabled": N_("Person with a disability"),
    },
)
register("bill_status", {BillStatus.ISSUED: N_("Issued"), BillStatus.CANCELLED: N_("Cancelled")})
register(
    "line_kind",
    {
        LineKind.RENT: N_("Rent"),
        LineKind.DISCOUNT: N_("Discount"),
        LineKind.WAIVER: N_("Rent waived"),
        LineKind.UTILITIES: N_("Utilities"),
        LineKind.MEETING_ROOM: N_("Meeting room"),
        LineKind.OTHER: N_("Other service"),
    },
)
register(
    "payment_method",
    {
        PaymentMethod.BANK_TRANSFER: N_("Bank transfer"),
        PaymentMethod.CASH: N_("Cash"),
        PaymentMethod.WECHAT: N_("WeChat transfer"),
        PaymentMethod.ALIPAY: N_("Alipay transfer"),
        PaymentMethod.OTHER: N_("Other"),
    },
)
