"""People pages: the base's people, a person's page, corrections and revealing an ID number."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from incubator.access import Principal, can, get_visible, require, visible
from incubator.errors import Forbidden, ValidationFailed
from incubator.formatting import today
from incubator.i18n import gettext
from incubator.models import Role
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.pagination import paginate, window
from incubator.templating import render
from tenants.forms.startups import parse_person
from tenants.models import BasePerson, Founder, Person
from tenants.services import people as service


def _require_staff(principal: Principal) -> None:
    # Founders see the people of their own startup on its page, not a register of people.
    if principal.role is Role.FOUNDER:
        raise Forbidden()


async def people(request: Request) -> Response:
    principal = page_principal(request)
    _require_staff(principal)
    query = visible(principal, Person).order_by("-id")
    if q := request.query_params.get("q", "").strip()[:50]:
        query = query.filter(name__icontains=q)
    flagged_only = request.query_params.get("flagged") == "1" and principal.base_id is not None
    flagged: set[int] = set()
    if principal.role is Role.OPERATOR and principal.base_id is not None:
        flags = BasePerson.filter(base_id=principal.base_id, name_flagged=True)
        if flagged_only:
            query = query.filter(registrations__base_id=principal.base_id, registrations__name_flagged=True)
        flagged = {row["person_id"] for row in await flags.limit(1000).values("person_id")}
    limit, offset = window(request.query_params)
    page = await paginate(query, limit, offset)
    return render(
        request,
        "tenants/people.html",
        {"page": page, "q": q, "flagged": flagged, "flagged_only": flagged_only, "nav": "people"},
    )


async def _detail_context(principal: Principal, person: Person) -> dict[str, Any]:
    roles = (
        await visible(principal, Founder).filter(person_id=person.id).select_related("startup").order_by("-joined_on")
    )
    registration = None
    if principal.role is Role.OPERATOR and principal.base_id is not None:
        registration = await BasePerson.filter(base_id=principal.base_id, person_id=person.id).first()
    return {
        "person": person,
        "roles": roles,
        "registration": registration,
        "can_reveal": can(principal, "person.reveal"),
        "can_edit": can(principal, "person.edit"),
        "revealed": None,
        "nav": "people",
    }


async def person_detail(request: Request) -> Response:
    principal = page_principal(request)
    _require_staff(principal)
    person = await get_visible(principal, Person, request.path_params["person_id"])
    return render(request, "tenants/person_detail.html", await _detail_context(principal, person))


async def person_reveal(request: Request) -> Response:
    principal = page_principal(request)
    person = await get_visible(principal, Person, request.path_params["person_id"])
    number = await service.reveal_id_number(principal, person)
    if request.headers.get("HX-Request") == "true":
        return render(request, "tenants/_id_number.html", {"person": person, "revealed": number})
    context = await _detail_context(principal, person)
    context["revealed"] = number
    return render(request, "tenants/person_detail.html", context)


def _person_values(person: Person) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": person.name,
        "phone": person.phone,
        "hukou_region_code": person.hukou_region_code,
        "school": person.school,
        "graduation_year": person.graduation_year or "",
    }
    for flag in (
        "is_graduate",
        "is_farmer_herder",
        "is_veteran",
        "is_poverty_alleviated",
        "is_disabled",
        "has_employment_difficulty",
    ):
        values[flag] = getattr(person, flag)
    return values


async def person_edit(request: Request) -> Response:
    principal = page_principal(request)
    person = await get_visible(principal, Person, request.path_params["person_id"])
    require(principal, "person.edit", person)
    context = {"person": person, "values": _person_values(person), "errors": {}, "message": "", "nav": "people"}
    return render(request, "tenants/person_form.html", context)


async def person_update(request: Request) -> Response:
    principal = page_principal(request)
    person = await get_visible(principal, Person, request.path_params["person_id"])
    require(principal, "person.edit", person)
    try:
        data = parse_person(form_of(request), today=today(), with_id=False)
        await service.update_person(principal, person, data, base_id=principal.base_id)
    except ValidationFailed as exc:
        return rejected(request, "tenants/person_form.html", exc, {"person": person, "nav": "people"})
    return redirect(f"/people/{person.id}", gettext("%(name)s saved.", name=person.name), request)


async def person_keep_name(request: Request) -> Response:
    principal = page_principal(request)
    person = await get_visible(principal, Person, request.path_params["person_id"])
    require(principal, "person.edit", person)
    if principal.base_id is not None:
        await service.keep_registered_name(principal, person, principal.base_id)
    return redirect(f"/people/{person.id}", gettext("The registered name was confirmed."), request)
