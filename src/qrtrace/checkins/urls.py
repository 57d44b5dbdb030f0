from django.urls import path

from . import staff_views, views

app_name = "checkins"
urlpatterns = [
    path("v/<str:token>", views.scan, name="scan"),
    path("c/<str:ref>", views.receipt_view, name="receipt"),
    path("c/<str:ref>/checkout", views.checkout, name="checkout"),
    path("me/qr", views.my_qr, name="my_qr"),
    path("me/forget", views.forget_device, name="forget_device"),
    path("gate/", staff_views.gate_index, name="gate_index"),
    path("gate/sw.js", staff_views.gate_service_worker, name="gate_sw"),  # before gate/<code>
    path("gate/<str:code>", staff_views.gate, name="gate"),
    path("gate/<str:code>/device", staff_views.gate_device, name="gate_device"),
    path("visitors/<str:code>", staff_views.visitors, name="visitors"),
]
