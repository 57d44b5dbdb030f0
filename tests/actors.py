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
