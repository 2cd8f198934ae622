"""The JSON API under /api/v1: one router per module, same services and selectors as the pages."""
from django.http.request import RawPostDataException
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from gradreg.common.errors import DomainError

from . import auth, employers, roster, training_mode
from .signing import signing_router, termination_router


class UTF8Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(title="毕业去向登记与网上签约平台 API", version="1", renderer=UTF8Renderer(), urls_namespace="api")


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    """The one place a domain error becomes a JSON problem (with `errors` per field when several are wrong)."""
    body = {"code": exc.code, "detail": exc.message, "field": exc.field}
    errors = getattr(exc, "errors", None)  # Invalid and its kin name every field at fault
    if isinstance(errors, dict):
        body["errors"] = errors
    return api.create_response(request, body, status=exc.http_status)


@api.exception_handler(RawPostDataException)
def form_body_to_json_operation(request, exc: RawPostDataException):
    """A form/multipart body sent where JSON is expected (CSRF already read it as a form): the client's error."""
    body = {"code": "unsupported_media_type", "detail": "请求体应为 JSON（Content-Type: application/json）。",
            "field": None}
    return api.create_response(request, body, status=415)


api.add_router("", auth.router)
api.add_router("", roster.router)
api.add_router("", training_mode.router)
api.add_router("", employers.router)
api.add_router("", signing_router)
api.add_router("", termination_router)


def openapi_json(request):
    """The OpenAPI document with Chinese as UTF-8 (ninja's own view escapes it)."""
    from django.http import JsonResponse
    from ninja.responses import NinjaJSONEncoder

    return JsonResponse(
        api.get_openapi_schema(), encoder=NinjaJSONEncoder, json_dumps_params={"ensure_ascii": False}
    )
