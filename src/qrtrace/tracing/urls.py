from django.urls import path

from . import views

app_name = "tracing"
urlpatterns = [
    path("tracing/", views.case_list, name="cases"),
    path("tracing/cases/new", views.case_new, name="case_new"),
    path("tracing/cases/<int:case_id>/", views.case_detail, name="case"),
    path("tracing/cases/<int:case_id>/timeline", views.timeline_print, name="timeline"),
    path("tracing/cases/<int:case_id>/notify", views.case_notify, name="notify"),
    path("tracing/cases/<int:case_id>/edit", views.case_edit, name="case_edit"),
    path("tracing/cases/<int:case_id>/trace", views.case_trace, name="trace"),
    path("tracing/cases/<int:case_id>/places", views.place_add, name="place_add"),
    path("tracing/cases/<int:case_id>/contacts", views.contact_add, name="contact_add"),
    path("tracing/cases/<int:case_id>/followup", views.followup, name="followup"),
    path("tracing/cases/<int:case_id>/contacts.<str:kind>", views.export, name="export"),
    path("tracing/exposures/<int:exposure_id>/dismiss", views.exposure_dismiss, name="dismiss"),
    path("tracing/exposures/<int:exposure_id>/residence", views.exposure_residence, name="residence"),
    path("tracing/followup/", views.followup_list, name="followup_list"),
    path("tracing/unknown-residence/", views.unknown_residence, name="unknown_residence"),
    path("tracing/alerts/", views.alert_list, name="alerts"),
    path("tracing/alerts/<int:alert_id>", views.alert_change, name="alert_change"),
]
