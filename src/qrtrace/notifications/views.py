import json

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from qrtrace.lib.identity import InvalidIdentity, normalize_phone

from .inbound import SIGNATURE_HEADER, signature_valid, sms_inbound_handle

MAX_TEXT = 480  # three concatenated SMS; a check-in needs a dozen characters


@csrf_exempt  # a gateway, not a browser: the signature is the authentication
@require_POST
def sms_inbound(request: HttpRequest) -> JsonResponse:
    """The SMS gateway's webhook (notifications.inbound): one incoming text per call."""
    if not signature_valid(request.body, request.headers.get(SIGNATURE_HEADER, "")):
        return JsonResponse({"detail": _("The signature is missing or wrong.")}, status=403)
    fields = _fields(request)
    if fields is None:
        detail = _("Send from, text and optionally id, as JSON or a form.")
        return JsonResponse({"detail": detail}, status=400)
    try:
        phone = normalize_phone(fields["from"])
    except InvalidIdentity as error:
        return JsonResponse({"detail": {"from": [str(error.message)]}}, status=400)
    if len(fields["text"]) > MAX_TEXT:
        return JsonResponse({"detail": {"text": [_("The text is too long.")]}}, status=400)
    result = sms_inbound_handle(phone=phone, text=fields["text"], message_id=fields["id"][:100])
    return JsonResponse({"outcome": result.outcome, "reply": result.reply})


def _fields(request: HttpRequest) -> dict[str, str] | None:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except ValueError:
            return None
    else:
        data = request.POST
    if not hasattr(data, "get"):  # JSON that is not an object
        return None
    values = {key: data.get(key, "") for key in ("from", "text", "id")}
    if not all(isinstance(value, str | int) for value in values.values()):
        return None
    values = {key: str(value) for key, value in values.items()}
    return values if values["from"] and values["text"] else None
