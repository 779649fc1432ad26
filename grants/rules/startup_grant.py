"""The one-time start-up grant (一次性创业补贴): per eligible founder, capped per enterprise, once each.

An enterprise registered between `min_registered_months` and `max_registered_months` before
the application gets `amount_per_founder` for each current founder who belongs to an eligible
group, counting at most `max_founders` of them (the earliest to join first). A founder paid
(or claimed) this grant before, anywhere in the installation, does not count again, and an
enterprise (by its credit code) gets it once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from grants.rules.core import Decision, Label, Money, Trace, add_months
from grants.rules.params import GrantParams
from incubator.i18n import N_


@dataclass(frozen=True)
class FounderFacts:
    person_id: int
    name: str
    joined_on: dt.date
    recorded: frozenset[str]  # eligible-group codes the person's record shows (graduate excluded)
    graduation_year: int | None  # when the record says college graduate
    declared: frozenset[str] = frozenset()  # groups declared on this application, with evidence
    earlier_claim: str | None = None  # reference of an application that holds this person's grant


@dataclass(frozen=True)
class GrantFacts:
    startup_name: str
    uscc: str | None
    registered_on: dt.date | None
    applied_on: dt.date
    founders: tuple[FounderFacts, ...]
    enterprise_claim: str | None = None  # reference of an application that holds the enterprise's grant


def founder_groups(founder: FounderFacts, params: GrantParams, on: dt.date, trace: Trace) -> list[str]:
    """The eligible groups the founder belongs to on the day, each traced."""
    groups = sorted((founder.recorded | founder.declared) & params.eligible_groups - {"graduate"})
    if founder.graduation_year is not None and "graduate" in params.eligible_groups:
        years = on.year - founder.graduation_year
        if years <= params.graduate_years:
            groups.insert(0, "graduate")
            trace.info(
                N_("%(name)s graduated in %(year)s, within %(limit)s years."),
                name=founder.name,
                year=str(founder.graduation_year),
                limit=params.graduate_years,
            )
        else:
            trace.info(
                N_("%(name)s graduated in %(year)s, more than %(limit)s years ago: not counted as a graduate."),
                name=founder.name,
                year=str(founder.graduation_year),
                limit=params.graduate_years,
            )
    for group in sorted(founder.declared & params.eligible_groups):
        trace.info(
            N_("%(name)s is declared on this application as “%(group)s”; the reviewers check the evidence."),
            name=founder.name,
            group=Label("eligible_group", group),
        )
    return groups


def decide(facts: GrantFacts, params: GrantParams) -> Decision:
    trace = Trace()
    subjects: list[str] = []
    # The enterprise: registered, for long enough and not too long, not granted before.
    registered = facts.uscc is not None and facts.registered_on is not None
    trace.check(
        registered,
        N_("%(startup)s is a registered enterprise."),
        N_("%(startup)s is not registered as an enterprise: the grant is for registered enterprises."),
        startup=facts.startup_name,
    )
    if facts.registered_on is not None:
        earliest = add_months(facts.registered_on, params.min_registered_months)
        latest = add_months(facts.registered_on, params.max_registered_months)
        trace.info(
            N_("Registered on %(registered)s: applications are accepted from %(earliest)s through %(latest)s."),
            registered=facts.registered_on,
            earliest=earliest,
            latest=latest,
        )
        trace.check(
            earliest <= facts.applied_on <= latest,
            N_("Applied on %(applied)s, within that window."),
            N_("Applied on %(applied)s, outside that window."),
            applied=facts.applied_on,
        )
    trace.check(
        facts.enterprise_claim is None,
        N_("The enterprise has not received this grant before."),
        N_("The enterprise already has this grant in application %(ref)s."),
        ref=facts.enterprise_claim or "",
    )
    # The founders: each in an eligible group, not granted before; at most max_founders count.
    counted: list[FounderFacts] = []
    for founder in sorted(facts.founders, key=lambda f: (f.joined_on, f.person_id)):
        groups = founder_groups(founder, params, facts.applied_on, trace)
        if founder.earlier_claim is not None:
            trace.info(
                N_("%(name)s already has this grant in application %(ref)s: not counted again."),
                name=founder.name,
                ref=founder.earlier_claim,
            )
        elif not groups:
            trace.info(N_("%(name)s is not in an eligible group: not counted."), name=founder.name)
        elif len(counted) >= params.max_founders:
            trace.info(
                N_("%(name)s is eligible, but at most %(limit)s founders are counted per enterprise."),
                name=founder.name,
                limit=params.max_founders,
            )
        else:
            counted.append(founder)
            trace.info(
                N_("%(name)s counts as “%(group)s”."),
                name=founder.name,
                group=Label("eligible_group", groups[0]),
            )
            subjects.append(f"person:{founder.person_id}")
    trace.check(
        bool(counted),
        N_("%(count)s eligible founders."),
        N_("No founder of the enterprise is eligible."),
        count=len(counted),
    )
    amount = params.amount_per_founder * len(counted)
    trace.info(
        N_("Grant: %(count)s × %(each)s = %(amount)s."),
        count=len(counted),
        each=Money(params.amount_per_founder),
        amount=Money(amount),
    )
    if facts.uscc:
        subjects.insert(0, f"enterprise:{facts.uscc}")
    return trace.decide(amount, tuple(subjects))
