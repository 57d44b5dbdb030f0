from django.urls import path

from . import views

app_name = "quarantine"
urlpatterns = [
    path("quarantine/", views.board, name="board"),
    path("quarantine/worklist", views.my_worklist, name="worklist"),
    path("quarantine/facilities/<str:code>/", views.facility_detail, name="facility"),
    path("quarantine/facilities/<str:code>/status", views.facility_status, name="facility_status"),
    path("quarantine/facilities/<str:code>/worklist", views.facility_worklist, name="facility_worklist"),
    path("quarantine/facilities/<str:code>/rooms", views.facility_rooms, name="facility_rooms"),
    path("quarantine/communes/<int:commune>/worklist", views.commune_worklist, name="commune_worklist"),
    path("quarantine/orders/", views.order_list, name="orders"),
    path("quarantine/orders/<int:order_id>/", views.order_detail, name="order"),
    path("quarantine/orders/<int:order_id>/certificate.pdf", views.certificate, name="certificate"),
    path("quarantine/orders/<int:order_id>/<str:action>", views.order_action, name="order_action"),
    path("quarantine/cases/<int:case_id>/orders", views.bulk_order, name="bulk_order"),
    path("quarantine/tests/import", views.lab_import, name="lab_import"),
    path("quarantine/policies/", views.policy_list, name="policies"),
    path("quarantine/policies/new", views.policy_new, name="policy_new"),
    path("quarantine/policies/<int:policy_id>/", views.policy_preview, name="policy"),
    # Public: the link in the SMS, and the QR on a certificate.
    path("q/<int:order_id>/<str:sig>", views.self_report, name="self_report"),
    path("q/c/<str:number>/<str:sig>", views.verify, name="verify"),
]
