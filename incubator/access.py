"""The one place that decides who sees and changes what (DESIGN.md section 4).

Views and API handlers get rows only through `visible` and `get_visible`, and check
changes with `require`. A row outside the principal's scope is NotFound, never Forbidden,
so its existence is not revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise.expressions import Q, Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from incubator.errors import Forbidden, NotFound
from incubator.models import Membership, Role, Scope, related_model
from incubator.regions import in_subtree, lineage, subtree_filter

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Principal:
    """Who is acting, in which one membership, built once per request."""

    user_id: int
    username: str
    display_name: str
    role: Role
    membership_id: int | None
    label: str = ""
    region_code: str | None = None
    base_id: int | None = None
    startup_id: int | None = None
    address: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def principal_for(membership: Membership, *, address: str = "") -> Principal:
    """Build the principal of a membership whose user, bureau, base and startup are loaded."""
    user = membership.user
    base_id = membership.base_id
    region_code: str | None = None
    label = ""
    if membership.role is Role.BUREAU and membership.bureau is not None:
        region_code = membership.bureau.region_id
        label = membership.bureau.name
    elif membership.role is Role.OPERATOR and membership.base is not None:
        region_code = membership.base.region_id
        label = membership.base.name
    elif membership.role is Role.FOUNDER and membership.startup is not None:
        startup = membership.startup
        base_id = getattr(startup, "base_id", None)
        label = str(startup)
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(membership.role),
        membership_id=membership.id,
        label=label,
        region_code=region_code,
        base_id=base_id,
        startup_id=membership.startup_id,
        address=address,
    )


MEMBERSHIP_RELATED = ("user", "bureau", "base", "startup")


def _scope_of(model: type[Model]) -> Scope:
    scope = getattr(model, "scope", None)
    if not isinstance(scope, Scope):
        raise TypeError(f"{model.__name__} declares no access scope")
    return scope


def _nothing(query: QuerySet[M]) -> QuerySet[M]:
    # Tortoise has no none(): a primary key is never NULL, so this matches no row.
    return query.filter(pk__isnull=True)


def visible(principal: Principal, model: type[M]) -> QuerySet[M]:
    """Every row of `model` the principal may see, as a queryset to refine further."""
    query = model.all()
    own = getattr(getattr(model, "scope", None), "own", None)
    if own:
        # Personal rows (notifications) belong to one user, whatever the role.
        return query.filter(**{own: principal.user_id})
    if principal.is_admin:
        return query
    scope = _scope_of(model)
    role = principal.role.value
    if role not in scope.roles:
        return _nothing(query)
    if scope.via:
        return query.filter(Q(*(_linked(principal, model, name) for name in scope.via), join_type="OR"))
    if scope.applies_in:
        if not principal.region_code:
            return _nothing(query)
        above: dict[str, Any] = {f"{scope.applies_in}__in": lineage(principal.region_code)}
        where = Q(**above)
        if role == Role.BUREAU:
            where |= Q(**subtree_filter(scope.applies_in, principal.region_code))
        return query.filter(where)
    filters: dict[str, Any] | None = None
    if not (scope.region or scope.base or scope.startup):
        # Reference data with no tenancy (regions) is readable by every listed role.
        filters = {}
    elif role == Role.BUREAU and scope.region and principal.region_code:
        filters = subtree_filter(scope.region, principal.region_code)
    elif role == Role.OPERATOR and scope.base and principal.base_id is not None:
        filters = {scope.base: principal.base_id}
    elif role == Role.FOUNDER:
        if scope.startup and principal.startup_id is not None:
            filters = {scope.startup: principal.startup_id}
        elif scope.founder_by_base and scope.base and principal.base_id is not None:
            filters = {scope.base: principal.base_id}
    if filters is None:
        return _nothing(query)
    return query.filter(**filters)


def _linked(principal: Principal, model: type[Model], relation: str) -> Q:
    """Rows pointed at by a visible row of the reverse relation `relation`."""
    field = model._meta.fields_map[relation]
    linked = related_model(model, relation)
    column: str = field.relation_field  # type: ignore[attr-defined]
    return Q(pk__in=Subquery(visible(principal, linked).values(column)))


async def get_visible(principal: Principal, model: type[M], pk: Any, *, related: tuple[str, ...] = ()) -> M:
    """The row with this primary key if the principal may see it, else NotFound."""
    query = visible(principal, model).filter(pk=pk)
    if related:
        query = query.select_related(*related)
    obj = await query.first()
    if obj is None:
        raise NotFound()
    return obj


# Which roles may perform an action on an object they can see.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "region.manage": frozenset({Role.ADMIN}),
    "base.manage": frozenset({Role.ADMIN}),
    "bureau.manage": frozenset({Role.ADMIN}),
    "user.manage": frozenset({Role.ADMIN}),
    "audit.browse": frozenset({Role.ADMIN, Role.BUREAU}),
    # Base figures: founders see their startup, not the base's performance.
    "figures.view": frozenset({Role.ADMIN, Role.BUREAU, Role.OPERATOR}),
    "figures.compare": frozenset({Role.ADMIN, Role.BUREAU}),
    "standard.manage": frozenset({Role.ADMIN}),
    # Bureaus review and audit; they do not edit a base's records.
    "startup.manage": frozenset({Role.OPERATOR}),
    "startup.contact": frozenset({Role.OPERATOR, Role.FOUNDER}),
    "person.register": frozenset({Role.OPERATOR}),
    "person.edit": frozenset({Role.OPERATOR}),
    # Full ID numbers: bureau officers, and operators of a base the person is linked to.
    "person.reveal": frozenset({Role.BUREAU, Role.OPERATOR}),
    # Spaces and leases are kept by the base; bureaus and the admin read them.
    "space.manage": frozenset({Role.OPERATOR}),
    "lease.manage": frozenset({Role.OPERATOR}),
    # Spreadsheets: operators import into their base; exports cover whatever the principal sees.
    "records.import": frozenset({Role.OPERATOR}),
    "records.export": frozenset({Role.ADMIN, Role.BUREAU, Role.OPERATOR}),
    "roster.manage": frozenset({Role.OPERATOR, Role.FOUNDER}),
    # Job figures and the people behind them, of whatever job page the principal may open.
    "jobs.export": frozenset({Role.ADMIN, Role.BUREAU, Role.OPERATOR, Role.FOUNDER}),
    # Billing: operators charge and collect; bureaus, the admin and the startup's founders read.
    "billing.manage": frozenset({Role.OPERATOR}),
    "billing.view": frozenset({Role.ADMIN, Role.BUREAU, Role.OPERATOR, Role.FOUNDER}),
    "counting_rule.manage": frozenset({Role.ADMIN, Role.BUREAU}),
    # Job audits: bureau officers of the region run them; a base's operators read signed ones.
    "job_audit.manage": frozenset({Role.BUREAU}),
    "job_audit.view": frozenset({Role.ADMIN, Role.BUREAU, Role.OPERATOR}),
    # Subsidies: founders (or the base for them) apply, the base pre-reviews, the bureau decides and pays.
    "subsidy.apply": frozenset({Role.OPERATOR, Role.FOUNDER}),
    "subsidy.prereview": frozenset({Role.OPERATOR}),
    "subsidy.review": frozenset({Role.BUREAU}),
    "subsidy.view": frozenset({Role.ADMIN, Role.BUREAU, Role.OPERATOR, Role.FOUNDER}),
    # Guaranteed loans: a base records its startups' loans and repayments; bureaus, the admin and founders read.
    "loan.manage": frozenset({Role.OPERATOR}),
    "loan.view": frozenset({Role.ADMIN, Role.BUREAU, Role.OPERATOR, Role.FOUNDER}),
    # Money applied, approved and paid: the bureau's dashboard; an operator sees their base's.
    "subsidy.figures": frozenset({Role.ADMIN, Role.BUREAU, Role.OPERATOR}),
    # Public notices and payment batches are the bureau's; the admin reads them (the public page needs no login).
    "subsidy.batches": frozenset({Role.ADMIN, Role.BUREAU}),
    # Subsidy policies and regional holidays: the admin everywhere, bureaus for their subtree.
    "policy.manage": frozenset({Role.ADMIN, Role.BUREAU}),
    "policy.view": frozenset({Role.ADMIN, Role.BUREAU, Role.OPERATOR}),
    # The LPR table is national reference data: only the admin keeps it.
    "rates.manage": frozenset({Role.ADMIN}),
}


def can(principal: Principal, action: str) -> bool:
    """Whether the principal's role allows the action (scope is checked by the getters)."""
    try:
        allowed = PERMISSIONS[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}") from None
    return principal.role in allowed


def require(principal: Principal, action: str, obj: Model | None = None) -> None:
    """Raise Forbidden unless the principal may perform `action` (on the visible `obj`)."""
    if not can(principal, action):
        raise Forbidden()


def can_region(principal: Principal, action: str, region_code: str) -> bool:
    """Whether the principal may perform `action` on rows of this region.

    The admin acts everywhere; a bureau officer only in their region's subtree (a Lhasa
    officer reads the autonomous region's policy but may not change it).
    """
    if not can(principal, action):
        return False
    if principal.role is Role.BUREAU:
        return bool(principal.region_code and in_subtree(region_code, principal.region_code))
    return True


def require_region(principal: Principal, action: str, region_code: str) -> None:
    """Raise Forbidden unless `can_region` allows the action on this region's rows."""
    if not can_region(principal, action, region_code):
        raise Forbidden()
