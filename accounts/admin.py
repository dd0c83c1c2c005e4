from axes.utils import reset as axes_reset
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import signin_admin  # noqa: F401  (django-axes' records, in Chinese)
from .forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from .models import User

# The permissions Django makes for every model, by the start of their codename.
DEFAULT_PERMISSIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """A permission as Django shows it (app | model | name), the name in the user's language.

    Django stores permissions' names in English ("Can add article") and shows
    them as stored; the model's own permissions (Meta.permissions) are named
    with gettext_lazy, so their stored English is a msgid of the catalogue.
    """
    model = permission.content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    if model is not None and action in DEFAULT_PERMISSIONS and model_name == model._meta.model_name:
        name = DEFAULT_PERMISSIONS[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    return f"{permission.content_type} | {name}"


class PermissionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Permission) -> str:
        return permission_label(obj)


class PermissionLabels:
    """The permissions of a group or a user listed by permission_label."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name in ("permissions", "user_permissions"):
            kwargs["form_class"] = PermissionsField
        return super().formfield_for_manytomany(db_field, request, **kwargs)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PermissionLabels, BaseGroupAdmin):
    pass


@admin.register(User)
class UserAdmin(PermissionLabels, BaseUserAdmin):
    """Django's user admin, adapted to sign-in by email address (there is no username)."""

    form = UserChangeForm
    add_form = AdminUserCreationForm
    change_password_form = AdminPasswordChangeForm
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
