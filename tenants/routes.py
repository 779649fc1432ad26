"""Routes of tenants/: startups and people, spaces and leases, base figures, import/export."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from tenants import labels as _labels  # noqa: F401 - registers display names
from tenants.api import figures as figure_api
from tenants.api import startups as startup_api
from tenants.views import figures, people, startups

GET, POST = ["GET"], ["POST"]

# -- startups, founders, people --------------------------------------------------------
startup_routes: list[BaseRoute] = [
    Route("/startups", startups.startups, methods=GET),
    Route("/startups/new", startups.startup_new, methods=GET),
    Route("/startups/new", startups.startup_create, methods=POST),
    Route("/startups/{startup_id:int}", startups.startup_detail, methods=GET),
    Route("/startups/{startup_id:int}/edit", startups.startup_edit, methods=GET),
    Route("/startups/{startup_id:int}/edit", startups.startup_update, methods=POST),
    Route("/startups/{startup_id:int}/transitions", startups.startup_transition, methods=POST),
    Route("/startups/{startup_id:int}/founders", startups.founder_add, methods=POST),
    Route("/founders/{founder_id:int}/end", startups.founder_end, methods=POST),
    Route("/people", people.people, methods=GET),
    Route("/people/{person_id:int}", people.person_detail, methods=GET),
    Route("/people/{person_id:int}/edit", people.person_edit, methods=GET),
    Route("/people/{person_id:int}/edit", people.person_update, methods=POST),
    Route("/people/{person_id:int}/reveal", people.person_reveal, methods=POST),
    Route("/people/{person_id:int}/name-flag", people.person_keep_name, methods=POST),
    Route("/api/v1/startups", startup_api.list_startups, methods=GET),
    Route("/api/v1/startups", startup_api.create_startup, methods=POST),
    Route("/api/v1/startups/{startup_id:int}", startup_api.get_startup, methods=GET),
    Route("/api/v1/startups/{startup_id:int}", startup_api.patch_startup, methods=["PATCH"]),
    Route("/api/v1/startups/{startup_id:int}/transitions", startup_api.create_transition, methods=POST),
    Route("/api/v1/people", startup_api.register_person, methods=POST),
    Route("/api/v1/people/{person_id:int}", startup_api.get_person, methods=GET),
]

# -- spaces and leases ------------------------------------------------------------------
space_routes: list[BaseRoute] = []

# -- base figures and recognition standards ---------------------------------------------
figure_routes: list[BaseRoute] = [
    Route("/bases/{base_id:int}/figures", figures.base_figures, methods=GET),
    Route("/region/figures", figures.region_figures, methods=GET),
    Route("/standards", figures.standards, methods=GET),
    Route("/admin/standards", figures.standard_create, methods=POST),
    Route("/api/v1/bases/{base_id:int}/figures", figure_api.get_base_figures, methods=GET),
]

# -- spreadsheet import and export ------------------------------------------------------
transfer_routes: list[BaseRoute] = []

routes: list[BaseRoute] = [*startup_routes, *space_routes, *figure_routes, *transfer_routes]
