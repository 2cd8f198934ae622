"""The JSON API under /api/v1: one router per module, same services and selectors as the pages."""
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from gradreg.common.errors import DomainError


class UTF8Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(title="毕业去向登记与网上签约平台 API", version="1", renderer=UTF8Renderer())


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, {"code": exc.code, "detail": exc.message, "field": exc.field},
                               status=exc.http_status)
