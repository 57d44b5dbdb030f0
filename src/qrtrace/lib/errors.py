"""Errors that services raise and every interface (pages, API, CLI) maps to an answer.

Services also raise Django's own ValidationError (400), PermissionDenied (403) and
ObjectDoesNotExist (404); these cover what Django has no word for.
"""


class Conflict(Exception):
    """The request clashes with the current state (409), e.g. approving a closed venue."""
