from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "qrtrace.people"

    def ready(self) -> None:
        from qrtrace.audit.vocabulary import register_person_namer

        from .selectors import person_names_read

        register_person_namer(person_names_read)
