from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("dashboard/", views.overview, name="overview"),
    path("dashboard/map", views.map_page, name="map"),
    path("dashboard/communes/<int:code>/", views.commune, name="commune"),
    path("dashboard/communes/<int:code>/override", views.override, name="override"),
    path("dashboard/population", views.profiles_import, name="population"),
    path("dashboard/restricted-areas", views.areas, name="areas"),
    path("dashboard/restricted-areas/<int:pk>/change", views.area_change, name="area_change"),
    path("dashboard/restricted-areas/<int:pk>/lift", views.area_end, name="area_end"),
    path("dashboard/reports", views.report_list, name="reports"),
    path("dashboard/reports/<int:pk>.<str:kind>", views.report_download, name="report_download"),
]
