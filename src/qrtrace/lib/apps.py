from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "qrtrace.lib"
