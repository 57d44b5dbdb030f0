from django.urls import path, re_path

from . import views

app_name = "venues"
urlpatterns = [
    path("venues/register", views.register, name="register"),
    path("venues/", views.venue_list, name="list"),
    path("venues/new", views.venue_new, name="new"),
    path("venues/batches", views.batches, name="batches"),
    path("venues/batches/<int:pk>.pdf", views.batch_download, name="batch_download"),
    path("venues/<int:pk>", views.venue_detail, name="detail"),
    path("venues/<int:pk>/edit", views.venue_edit, name="edit"),
    path("venues/<int:pk>/staff", views.staff_add, name="staff_add"),
    path("venues/<int:pk>/poster.pdf", views.venue_poster, {"kind": "pdf"}, name="poster"),
    re_path(r"^venues/(?P<pk>\d+)/qr\.(?P<kind>svg|png)$", views.venue_poster, name="qr"),
    re_path(
        r"^venues/(?P<pk>\d+)/(?P<action>approve|reject|suspend|rotate|revoke)$",
        views.venue_action,
        name="action",
    ),
]
