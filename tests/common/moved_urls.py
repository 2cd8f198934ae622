"""A URLconf where the home page lives elsewhere (tests of the URLs cached per URLconf)."""
from django.http import HttpResponse
from django.urls import include, path


def _page(request):
    return HttpResponse("")


urlpatterns = [path("moved/", include(([path("", _page, name="home")], "accounts")))]
