from django.contrib import admin
from django.urls import include, path

from qrtrace.api.api import api
from qrtrace.lib import views as lib_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("qrtrace.accounts.urls")),
    path("admin/", admin.site.urls),
    path("ops/background", lib_views.background_status, name="background-status"),
    path("api/v1/", api.urls),
    path("", include("qrtrace.venues.urls")),
    path("", include("qrtrace.checkins.urls")),
    path("", include("qrtrace.notifications.urls")),
    path("", include("qrtrace.tracing.urls")),
    path("", include("qrtrace.quarantine.urls")),
    path("", include("qrtrace.accounts.audit_urls")),
    path("", include("qrtrace.privacy.urls")),
    path("", include("qrtrace.public.urls")),
    path("", include("qrtrace.dashboard.urls")),
]

handler400 = "qrtrace.views.bad_request"
handler403 = "qrtrace.views.permission_denied"
handler404 = "qrtrace.views.page_not_found"
handler500 = "qrtrace.views.server_error"
