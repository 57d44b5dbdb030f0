from django.apps import AppConfig


class TracingConfig(AppConfig):
    name = "qrtrace.tracing"
