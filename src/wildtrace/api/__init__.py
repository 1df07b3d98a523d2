"""The analysts' workbench API over HTTP: review queue, decisions, cases, alerts, traders and networks, audit
log, public tips and real-time checks, with users, roles, sessions and API tokens. What the routes do is the
service layer's (``wildtrace.service``); this package adds HTTP: sessions, CSRF, roles as dependencies,
rate limits, schemas and errors. The pages (``wildtrace.web``) use the same dependencies.

    from wildtrace.api import create_app
    app = create_app(open_store("wildtrace.duckdb"), load_settings())
"""

from wildtrace.api._app import create_app
from wildtrace.api._deps import Admin, CurrentUser, StoreDep, Worker, optional_principal
from wildtrace.api._schemas import TipIn
from wildtrace.api._server import FACTORY, app_from_environment, check_serving, export_settings
from wildtrace.api.routes.alerts import bulk_change, promote
from wildtrace.api.routes.auth import sign_in, sign_out
from wildtrace.api.routes.cases import attach_file, attachment_download, item_ref, open_case
from wildtrace.api.routes.public import receive_tip
from wildtrace.api.routes.review import record_decision, withdraw_decision

__all__ = [
    "FACTORY",
    "Admin",
    "CurrentUser",
    "StoreDep",
    "TipIn",
    "Worker",
    "app_from_environment",
    "attach_file",
    "attachment_download",
    "bulk_change",
    "check_serving",
    "create_app",
    "export_settings",
    "item_ref",
    "open_case",
    "optional_principal",
    "promote",
    "receive_tip",
    "record_decision",
    "sign_in",
    "sign_out",
    "withdraw_decision",
]
