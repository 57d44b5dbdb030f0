from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from .models import User
from .selectors import api_token_user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


# Integrations send a bearer token; the officials' own pages call the API with their session.
api_auth = [BearerToken(), django_auth]
