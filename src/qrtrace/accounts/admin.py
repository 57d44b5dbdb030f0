from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class OfficialAdmin(UserAdmin):
    inlines = [MembershipInline]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Sign-in protection"), {"fields": ["failed_logins", "locked_until", "totp_confirmed_at"]}),
    ]
    readonly_fields = ["totp_confirmed_at"]
    actions = ["unlock", "reset_second_factor"]

    @admin.action(description=_("Unlock the selected accounts"))
    def unlock(self, request, queryset):
        queryset.update(failed_logins=0, locked_until=None)

    @admin.action(description=_("Reset the second factor (lost phone): set it up again at next sign-in"))
    def reset_second_factor(self, request, queryset):
        # A new secret is drawn at the next enrolment, so the lost phone's codes never work again.
        queryset.update(totp_secret=None, totp_confirmed_at=None, totp_last_step=None)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]


# The admin's own sign-in form would skip the lockout, the rate limits and the second factor: send
# everyone through ours (an official who is signed in but not staff gets the admin's refusal page).
admin.site.login = login_required(admin.site.login)
