from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.totp_verify_view, name="totp_verify"),
    path("second-factor/", views.totp_enrol_view, name="totp_enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("welcome/<str:uid>/<str:token>", views.welcome_view, name="welcome"),
]
