from django.urls import path

from . import audit_views

# Namespaced `audit` as when the page lived in that app: links and the authorisation matrix name it so.
app_name = "audit"
urlpatterns = [
    path("audit/", audit_views.event_list, name="event_list"),
]
