"""The base of every API request body: a JSON object, nothing else.

ninja's Schema reads its fields through attribute access on whatever it is given (so it can validate
model instances), and a JSON body of `[null, null]`, `42` or `null` then has "no" fields: with all of
them optional, such a body was taken as an empty change and answered 200. Bodies are objects only.
"""

from django.utils.translation import gettext as _
from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import model_validator


class BodyIn(Schema):
    @model_validator(mode="before")
    @classmethod
    def _a_json_object(cls, data):
        # ninja's own validator has wrapped the input by now; look at what was sent.
        sent = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(sent, dict):
            raise ValueError(_("Send a JSON object ({…}) as the request body."))
        return data
