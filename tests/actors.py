"""The standard cast of every test: the same people and places, made the same way everywhere."""

from django.contrib.auth import get_user_model

from qrtrace.accounts.services import official_upsert

PROVINCE = 38  # Thanh Hóa
COMMUNE_A = 14797  # Phường Hạc Thành, Thanh Hóa
COMMUNE_B = 16522  # Phường Quảng Phú, Thanh Hóa
OTHER_PROVINCE_COMMUNE = 17329  # Xã Anh Sơn, Nghệ An


def make_official(username: str, role: str, area: int | str):
    user = official_upsert(username=username, role=role, area_code=str(area))
    user.set_password("correct horse battery staple")
    user.save(update_fields=["password"])
    return user


def make_admin(username: str = "admin"):
    return get_user_model().objects.create_superuser(username, password="correct horse battery staple")


def make_venue(name: str = "Chợ Vườn Hoa", commune: int = COMMUNE_A, *, status: str = "active", **fields):
    """An approved venue; `fields` override the model's (kind, default_stay_minutes, code, …)."""
    from qrtrace.lib.signing import random_code
    from qrtrace.venues.models import DEFAULT_STAY_MINUTES, Venue

    kind = fields.pop("kind", "market")
    return Venue.objects.create(
        code=fields.pop("code", random_code(7)),
        name=name,
        kind=kind,
        address=fields.pop("address", "1 Lê Lợi"),
        commune_id=commune,
        status=status,
        default_stay_minutes=fields.pop("default_stay_minutes", DEFAULT_STAY_MINUTES[kind]),
        **fields,
    )


def make_person(full_name: str = "Nguyễn Văn A", phone: str = "+84912345678", **fields):
    """A citizen stored as the trust rules require: encrypted phone, keyed hash for lookups."""
    from qrtrace.lib.crypto import lookup_hash
    from qrtrace.people.models import Person

    return Person.objects.create(
        full_name=full_name, phone=phone, phone_hash=lookup_hash("phone", phone) if phone else None, **fields
    )
