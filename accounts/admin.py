from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .forms import AdminUserCreationForm, UserChangeForm
from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Django's user admin, adapted to sign-in by email address (there is no username)."""

    form = UserChangeForm
    add_form = AdminUserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("name",)}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "name", "contact_company", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    list_select_related = ("contact__company",)
    search_fields = ("email", "name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    actions = ("unlock_sign_in",)

    @admin.display(description=_("contact for"), ordering="contact__company__name")
    def contact_company(self, user: User):
        try:
            return user.contact.company
        except ObjectDoesNotExist:
            return None

    @admin.action(description=_("Unlock sign-in (clear failed attempts)"), permissions=["change"])
    def unlock_sign_in(self, request, queryset):
        """Lift a lockout at once; the same as deleting the user's access attempts."""
        cleared = sum(axes_reset(username=user.email) for user in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d locked sign-in record was cleared.",
                "%(count)d locked sign-in records were cleared.",
                cleared,
            )
            % {"count": cleared},
            messages.SUCCESS,
        )
