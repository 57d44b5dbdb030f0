from ninja import Router, Schema

from qrtrace.lib.errors import ERRORS

from .selectors import membership_list

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    role: str
    area_code: str


class MeOut(Schema):
    username: str
    memberships: list[MembershipOut]


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request):
    """The official this token or session belongs to, with their roles and areas."""
    return {"username": request.user.username, "memberships": list(membership_list(user=request.user))}
