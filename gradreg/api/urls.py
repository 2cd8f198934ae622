"""The JSON API under /api/v1: the routers the modules registered (`gradreg.common.api.register_router`),
each calling the same services and selectors as the pages."""
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, JsonResponse
from django.http.request import RawPostDataException
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from gradreg.common.api import registered_routers, status_problem
from gradreg.common.errors import DomainError


class UTF8Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class PlatformAPI(NinjaAPI):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.operation_modules: dict[str, str] = {}  # view module -> the module its operation ids keep

    def get_openapi_operation_id(self, operation) -> str:
        module = operation.view_func.__module__
        return f"{self.operation_modules.get(module, module)}_{operation.view_func.__name__}".replace(".", "_")


api = PlatformAPI(title="毕业去向登记与网上签约平台 API", version="1", renderer=UTF8Renderer(), urls_namespace="api")


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


# pydantic's error types, in the words a Chinese client shows its user (anything else: 格式不正确)
VALIDATION_WORDS = {
    "missing": "此项为必填项。",
    "int_parsing": "应为整数。", "int_type": "应为整数。", "int_from_float": "应为整数。",
    "float_parsing": "应为数字。", "float_type": "应为数字。", "decimal_parsing": "应为数字。",
    "bool_parsing": "应为 true 或 false。", "bool_type": "应为 true 或 false。",
    "string_type": "应为文本。", "string_too_long": "内容过长。", "string_too_short": "内容过短。",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）。", "date_parsing": "应为日期（YYYY-MM-DD）。",
    "date_type": "应为日期（YYYY-MM-DD）。", "datetime_parsing": "应为日期时间（ISO 8601）。",
    "enum": "不是可选的值之一。", "literal_error": "不是可选的值之一。", "list_type": "应为列表。",
    "dict_type": "应为对象。", "model_type": "应为对象。", "model_attributes_type": "应为对象。",
    "greater_than": "数值过小。", "greater_than_equal": "数值过小。", "less_than": "数值过大。",
    "less_than_equal": "数值过大。", "too_long": "条目过多。", "too_short": "条目过少。",
    "json_invalid": "不是有效的 JSON。", "extra_forbidden": "不接受此项。",
}
# Where ninja puts a parameter before its name: the source and, for bodies, the schema's argument name.
_LOC_PREFIXES = {"body", "query", "path", "header", "cookie", "form", "file", "payload", "filters", "data"}
def _field_of(loc) -> str:
    parts = [str(p) for p in loc]
    while len(parts) > 1 and parts[0] in _LOC_PREFIXES:
        parts.pop(0)
    return ".".join(parts)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    """Ninja's English 422 (a list of pydantic errors) in the one format: each field with a Chinese message."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        field = _field_of(error.get("loc", ()))
        errors.setdefault(field, []).append(VALIDATION_WORDS.get(error.get("type", ""), "格式不正确。"))
    first = next(iter(errors), "")
    detail = "；".join(f"{f}：{'，'.join(m)}" for f, m in errors.items()) or "请求参数不正确。"
    body = {"code": "invalid", "detail": detail, "field": first or None, "errors": errors}
    return api.create_response(request, body, status=422)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """Ninja's own refusals (401 unauthenticated, 400 unreadable body, 429 throttled) in the one format."""
    return api.create_response(request, status_problem(exc.status_code), status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return api.create_response(request, status_problem(404), status=404)


if not apps.ready:  # the modules register their routers in their apps' ready()
    raise ImproperlyConfigured("gradreg.api.urls is imported before the apps are ready")
for _registered in registered_routers():
    api.add_router(_registered.prefix, _registered.router)
    if _registered.operation_ids_as:
        for _path in _registered.router.path_operations.values():
            for _operation in _path.operations:
                api.operation_modules[_operation.view_func.__module__] = _registered.operation_ids_as


def openapi_json(request):
    """The OpenAPI document with Chinese as UTF-8 (ninja's own view escapes it)."""
    return JsonResponse(
        api.get_openapi_schema(), encoder=NinjaJSONEncoder, json_dumps_params={"ensure_ascii": False}
    )
