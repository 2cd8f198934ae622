"""The JSON API under /api/v1: the routers the modules registered (`gradreg.common.api.register_router`),
each calling the same services and selectors as the pages."""
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
from django.http.request import RawPostDataException
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from gradreg.common.api import registered_routers
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
