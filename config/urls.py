from django.contrib import admin
from django.urls import include, path

from gradreg.accounts import urls as accounts_urls
from gradreg.api.urls import api, openapi_json
from gradreg.roster import activation_urls
from gradreg.workflow.health import healthz

urlpatterns = [
    # graduate activation lives with the roster (it checks the graduate there) but keeps its accounts: names
    path("", include((accounts_urls.urlpatterns + activation_urls.urlpatterns, accounts_urls.app_name))),
    path("roster/", include("gradreg.roster.urls")),
    path("ems/", include("gradreg.ems.urls")),
    path("signing/", include("gradreg.signing.urls")),
    path("destinations/", include("gradreg.destinations.urls")),
    path("", include("gradreg.archives.urls")),
    path("verify/", include("gradreg.verification.urls")),
    path("confirmation/", include("gradreg.verification.confirmation_urls")),
    path("handover/", include("gradreg.verification.handover_urls")),
    path("messages/", include("gradreg.notifications.urls")),
    # employer registration and review; the pages keep their paths and the `organisations:` names
    path("organisations/", include("gradreg.employers.urls")),
    path("api/v1/openapi.json", openapi_json),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # database, cache, worker heartbeat and outbox backlog for the load balancer and monitoring
    path("healthz", healthz, name="healthz"),
]

handler400 = "gradreg.common.views.bad_request"
handler404 = "gradreg.common.views.not_found"
handler500 = "gradreg.common.views.server_error"
handler403 = "gradreg.common.views.forbidden"
