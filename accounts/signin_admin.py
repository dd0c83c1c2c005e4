"""The sign-in records of django-axes in the back office (under 系统), in Chinese.

django-axes registers admins whose rows are named in English f-strings
("Attempted Access: 2026-12-04 18:25:56+00:00"), whose lockout column is an
untranslated method name and whose cleanup message is an f-string that
gettext never matches. These admins take their place: the same lists, rows
named in Chinese, and what the browser sent (its user agent, the path, the
form's fields) shown as code. The secretariat unlocks an account with the
users' action "unlock sign-in" or by deleting its access attempt here.
"""

from axes import admin as axes_admin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

# What the browser sent: shown as code, as it came.
SENT = ("user_agent", "http_accept", "path_info", "get_data", "post_data")
# What django-axes records for what a request did not send (axes.helpers).
UNKNOWN = "<unknown>"


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "-"


def _attempt_name(attempt: AccessAttempt) -> str:
    return gettext("Failed sign-ins of %(username)s from %(address)s") % {
        "username": attempt.username,
        "address": attempt.ip_address,
    }


def _log_name(log: AccessLog) -> str:
    return gettext("Sign-in of %(username)s at %(time)s") % {
        "username": log.username,
        "time": _when(log.attempt_time),
    }


def _failure_name(failure: AccessFailureLog) -> str:
    text = (
        gettext("Failed sign-in of %(username)s at %(time)s from %(address)s, locked out")
        if failure.locked_out
        else gettext("Failed sign-in of %(username)s at %(time)s from %(address)s")
    )
    return text % {
        "username": failure.username,
        "time": _when(failure.attempt_time),
        "address": failure.ip_address,
    }


# The rows' names in page titles, breadcrumbs, delete and history pages.
AccessAttempt.__str__ = _attempt_name
AccessLog.__str__ = _log_name
AccessFailureLog.__str__ = _failure_name


def _shown_as_code(name: str):
    @admin.display(description=AccessAttempt._meta.get_field(name).verbose_name)
    def shown(self, obj):
        value = getattr(obj, name)
        return format_html("<code>{}</code>", value) if value else "-"

    shown.__name__ = f"{name}_code"
    return shown


class SentAsCode:
    """Shows the fields in SENT as code, in the fieldsets and among the read-only fields."""

    def get_fieldsets(self, request, obj=None):
        return [
            (title, {**options, "fields": [self._shown(name) for name in options["fields"]]})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def get_readonly_fields(self, request, obj=None):
        return [self._shown(name) for name in super().get_readonly_fields(request, obj)]

    @staticmethod
    def _shown(name: str) -> str:
        return f"{name}_code" if name in SENT else name

    user_agent_code = _shown_as_code("user_agent")
    http_accept_code = _shown_as_code("http_accept")
    path_info_code = _shown_as_code("path_info")
    get_data_code = _shown_as_code("get_data")
    post_data_code = _shown_as_code("post_data")


class PathFilter(admin.AllValuesFieldListFilter):
    """The paths signed in at; django-axes records "<unknown>" for a request without one."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == UNKNOWN:
                choice = {**choice, "display": gettext("Unknown")}
            yield choice


def _list_filter(axes_admin_class) -> list:
    return [
        ("path_info", PathFilter) if name == "path_info" else name
        for name in axes_admin_class.list_filter
    ]


for model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(SentAsCode, axes_admin.AccessAttemptAdmin):
    list_filter = _list_filter(axes_admin.AccessAttemptAdmin)

    @admin.display(description=_("status"))
    def status(self, attempt: AccessAttempt) -> str:
        left = axes_settings.AXES_FAILURE_LIMIT - attempt.failures_since_start
        if left <= 0:
            return gettext("Locked Out")
        return ngettext("%(count)d attempt left", "%(count)d attempts left", left) % {"count": left}

    @admin.action(description=_("Clean up expired attempts"))
    def cleanup_expired_attempts(self, request, queryset):
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(
            request,
            ngettext(
                "%(count)d expired access attempt was cleaned up.",
                "%(count)d expired access attempts were cleaned up.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(AccessLog)
class AccessLogAdmin(SentAsCode, axes_admin.AccessLogAdmin):
    list_filter = _list_filter(axes_admin.AccessLogAdmin)


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(SentAsCode, axes_admin.AccessFailureLogAdmin):
    list_filter = _list_filter(axes_admin.AccessFailureLogAdmin)
