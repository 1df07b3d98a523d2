"""The analysts' workbench API: review queue, decisions, cases, alerts, traders and networks, audit log,
public tips and real-time checks, with users, roles, sessions and API tokens.

    from wildtrace.api import create_app
    app = create_app(open_store("wildtrace.duckdb"), load_settings())
"""

from wildtrace.api._app import create_app
from wildtrace.api._audit import audit_events, record, verify_audit
from wildtrace.api._cases import add_item as add_case_item
from wildtrace.api._cases import create_case, export_bundle, list_cases, verify_bundle
from wildtrace.api._server import FACTORY, app_from_environment, check_serving, export_settings
from wildtrace.api._users import Role, User, add_user, authenticate, create_token, list_users, set_disabled

__all__ = [
    "FACTORY",
    "Role",
    "User",
    "add_case_item",
    "add_user",
    "app_from_environment",
    "audit_events",
    "authenticate",
    "check_serving",
    "create_app",
    "create_case",
    "create_token",
    "export_bundle",
    "export_settings",
    "list_cases",
    "list_users",
    "record",
    "set_disabled",
    "verify_audit",
    "verify_bundle",
]
