from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("my-data", views.start, name="my_data"),
    path("my-data/verify", views.verify, name="verify"),
    path("my-data/records", views.records, name="records"),
    path("my-data/end", views.end, name="end"),
    path("my-data/remember", views.remember, name="remember"),
    path("my-data/details", views.details, name="details"),
    path("privacy/holds/", views.hold_list, name="holds"),
    path("privacy/holds/<int:hold_id>/lift", views.hold_lift, name="hold_lift"),
]
