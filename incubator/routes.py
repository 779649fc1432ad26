"""The platform's routes: pages, JSON API and health."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from tortoise import connections

from incubator import api
from incubator.views import account, admin, audit, bases, notifications, tasks, users


async def healthz(request: Request) -> JSONResponse:
    """200 once the database answers a query."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure is "unhealthy"
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


GET, POST = ["GET"], ["POST"]

routes: list[BaseRoute] = [
    Route("/healthz", healthz, methods=GET),
    Route("/", account.home, methods=GET),
    Route("/login", account.login_page, methods=GET),
    Route("/login", account.login, methods=POST),
    Route("/logout", account.logout, methods=POST),
    Route("/language", account.set_language, methods=POST),
    Route("/account/password", account.password_page, methods=GET),
    Route("/account/password", account.change_password, methods=POST),
    Route("/account/membership", account.switch_membership, methods=POST),
    Route("/tasks", tasks.task_list, methods=GET),
    Route("/tasks/{task_id:int}", tasks.task_page, methods=GET),
    Route("/tasks/{task_id:int}/status", tasks.task_status, methods=GET),
    Route("/notifications", notifications.notification_list, methods=GET),
    Route("/notifications/read-all", notifications.read_all, methods=POST),
    Route("/notifications/{notification_id:int}", notifications.open_notification, methods=GET),
    Route("/admin", admin.overview, methods=GET),
    Route("/admin/regions", admin.regions, methods=GET),
    Route("/admin/regions/new", admin.region_new, methods=GET),
    Route("/admin/regions/new", admin.region_create, methods=POST),
    Route("/admin/regions/{region_code}/edit", admin.region_edit, methods=GET),
    Route("/admin/regions/{region_code}/edit", admin.region_update, methods=POST),
    Route("/admin/bureaus", admin.bureaus, methods=GET),
    Route("/admin/bureaus/new", admin.bureau_new, methods=GET),
    Route("/admin/bureaus/new", admin.bureau_create, methods=POST),
    Route("/admin/bureaus/{bureau_id:int}/edit", admin.bureau_edit, methods=GET),
    Route("/admin/bureaus/{bureau_id:int}/edit", admin.bureau_update, methods=POST),
    Route("/admin/users", users.users, methods=GET),
    Route("/admin/users/new", users.user_new, methods=GET),
    Route("/admin/users/new", users.user_create, methods=POST),
    Route("/admin/users/{user_id:int}", users.user_detail, methods=GET),
    Route("/admin/users/{user_id:int}", users.user_update, methods=POST),
    Route("/admin/users/{user_id:int}/password", users.user_reset_password, methods=POST),
    Route("/admin/users/{user_id:int}/memberships", users.membership_add, methods=POST),
    Route("/admin/memberships/{membership_id:int}/delete", users.membership_remove, methods=POST),
    Route("/region", bases.region_home, methods=GET),
    Route("/bases", bases.bases, methods=GET),
    Route("/bases/new", bases.base_new, methods=GET),
    Route("/bases/new", bases.base_create, methods=POST),
    Route("/bases/{base_id:int}", bases.base_detail, methods=GET),
    Route("/bases/{base_id:int}/edit", bases.base_edit, methods=GET),
    Route("/bases/{base_id:int}/edit", bases.base_update, methods=POST),
    Route("/audit", audit.audit_log, methods=GET),
    Route("/audit/{event_id:int}", audit.audit_event, methods=GET),
    Route("/api/v1/openapi.json", api.openapi_document, methods=GET),
    Route("/api/v1/auth/token", api.create_token, methods=POST),
    Route("/api/v1/auth/token", api.revoke_token, methods=["DELETE"]),
    Route("/api/v1/me", api.me, methods=GET),
    Route("/api/v1/notifications", api.list_notifications, methods=GET),
    Route("/api/v1/notifications/read-all", api.read_all_notifications, methods=POST),
    Route("/api/v1/regions", api.list_regions, methods=GET),
    Route("/api/v1/bases", api.list_bases, methods=GET),
    Route("/api/v1/bases/{base_id:int}", api.get_base, methods=GET),
]
