"""The `/api/v1` object. Each app owns a `router` in its `api.py`; they are mounted here in the order
of INSTALLED_APPS, so an app adds endpoints without touching this file."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from qrtrace.accounts.auth import api_auth
from qrtrace.lib.errors import Conflict

api = NinjaAPI(
    title="QRTrace API",
    version="1",
    description=(
        "Check-ins, contact tracing and quarantine for a provincial health department. "
        "Times are ISO 8601 with their offset (a time without one is refused); lists take `limit` "
        "(1-500) and `offset` and answer `{items, count}`; errors are `{detail}`."
    ),
    auth=api_auth,
    urls_namespace="api",
)


def _detail(request: HttpRequest, detail, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    detail = exc.message_dict if hasattr(exc, "error_dict") else " ".join(exc.messages)
    return _detail(request, detail, 400)


@api.exception_handler(SchemaError)
def _schema(request, exc: SchemaError):
    return _detail(request, exc.errors, 422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _detail(request, _("Authentication required: send a valid API token."), 401)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _detail(request, str(exc) or _("You may not act on this record."), 403)


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def _not_found(request, exc):
    return _detail(request, str(exc) or _("Not found."), 404)


@api.exception_handler(Conflict)
def _conflict(request, exc: Conflict):
    return _detail(request, str(exc), 409)


# django-ninja's own messages are English; listed here so the catalogue carries their translation.
NINJA_MESSAGES = [gettext_noop("Cannot parse request body"), gettext_noop("CSRF check Failed")]


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return _detail(request, _(str(exc)), exc.status_code)


for config in apps.get_app_configs():
    if config.name.startswith("qrtrace.") and find_spec(f"{config.name}.api"):
        module = import_module(f"{config.name}.api")
        if hasattr(module, "router"):
            api.add_router("", module.router)
