from django.shortcuts import render


def bad_request(request, exception=None):
    return render(request, "error.html", {"message": "请求无效，请检查后重试。"}, status=400)


def not_found(request, exception=None):
    return render(request, "error.html", {"message": "页面不存在，或您无权查看。"}, status=404)


def forbidden(request, exception=None):
    return render(request, "error.html", {"message": "您无权执行此操作。"}, status=403)


def server_error(request):
    return render(request, "error.html", {"message": "服务器内部错误，请稍后再试。"}, status=500)


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
