from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "qrtrace.audit"
