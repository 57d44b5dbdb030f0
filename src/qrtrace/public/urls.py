from django.urls import path

from . import feeds, staff_views, views

app_name = "public"
urlpatterns = [
    path("public/", views.page, name="page"),
    path("public/announcements/", views.announcements, name="announcements"),
    path("public/alerts", views.alerts, name="alerts"),
    path("public/map", views.public_map, name="map"),
    path("public/announcements/<int:pk>", views.announcement, name="announcement"),
    path("public/feed.atom", feeds.ProvinceFeed(), name="feed"),
    path("public/feed/<int:commune>.atom", feeds.ProvinceFeed(), name="commune_feed"),
    path("public/check", views.check, name="check"),
    path("public/guide", views.guide, name="guide"),
    path("public/guide/leaflet.pdf", views.guide_leaflet, name="leaflet"),
    path("public/embed", views.embed, name="embed"),
    path("public/feedback", views.feedback, name="feedback"),
    path("public/feedback/sent", views.feedback_sent, name="feedback_sent"),
    path("public/sms-stop/<str:token>", views.optout, name="optout"),
    path("announcements/", staff_views.announcement_list, name="announcement_list"),
    path("announcements/new", staff_views.announcement_new, name="announcement_new"),
    path("announcements/<int:pk>", staff_views.announcement_edit, name="announcement_edit"),
    path("announcements/<int:pk>/sms", staff_views.announcement_sms, name="announcement_sms"),
    path("feedback/", staff_views.feedback_list, name="feedback_list"),
    path("feedback/<int:pk>/handle", staff_views.feedback_handle, name="feedback_handle"),
]
