from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from .models import OutgoingMail
from .services import outbox_dispatch

# What each mail is, by its templates' name (templates/emails/<name>-subject.txt):
# the back office names the kind, not the template (tests/outbox/test_admin.py).
MAIL_KINDS = {
    "application-received": pgettext_lazy("mail", "Membership application received"),
    "application-approved": pgettext_lazy("mail", "Membership application approved"),
    "application-rejected": pgettext_lazy("mail", "Membership application declined"),
    "contact-invitation": pgettext_lazy("mail", "Invitation to a contact"),
    "profile-change-approved": pgettext_lazy("mail", "Profile change approved"),
    "profile-change-rejected": pgettext_lazy("mail", "Profile change declined"),
    "password-reset": pgettext_lazy("mail", "Password reset"),
    "subscription-confirm": pgettext_lazy("mail", "Digest subscription to confirm"),
    "digest": pgettext_lazy("mail", "Digest"),
    "notice": pgettext_lazy("mail", "Notice"),
    "dues-notice": pgettext_lazy("mail", "Dues notice"),
    "dues-reminder": pgettext_lazy("mail", "Dues reminder"),
    "dues-payment-received": pgettext_lazy("mail", "Dues payment received"),
    "dues-invoice-issued": pgettext_lazy("mail", "Invoice issued"),
    "registration-confirmed": pgettext_lazy("mail", "Registration confirmed"),
    "registration-waitlisted": pgettext_lazy("mail", "Registration on the waiting list"),
    "registration-promoted": pgettext_lazy("mail", "Registration moved off the waiting list"),
    "registration-cancelled": pgettext_lazy("mail", "Registration cancelled"),
    "event-reminder": pgettext_lazy("mail", "Event reminder"),
    "event-rescheduled": pgettext_lazy("mail", "Event rescheduled"),
    "event-cancelled": pgettext_lazy("mail", "Event cancelled"),
    "secretariat-application": pgettext_lazy("mail", "New application, to the secretariat"),
    "secretariat-profile-change": pgettext_lazy("mail", "New profile change, to the secretariat"),
    "secretariat-invoice-request": pgettext_lazy("mail", "Invoice request, to the secretariat"),
}


def mail_kind(template: str) -> str:
    """The kind of mail its templates' name ``template`` makes; the name for one not listed."""
    return MAIL_KINDS.get(template, template)


class MailKindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "template"

    def lookups(self, request, model_admin):
        templates = model_admin.get_queryset(request).values_list("template", flat=True)
        return sorted(
            ((name, mail_kind(name)) for name in templates.order_by().distinct()),
            key=lambda choice: str(choice[1]),
        )

    def queryset(self, request, queryset):
        return queryset.filter(template=self.value()) if self.value() else queryset


# The change page shows every field, read-only: the template's name as the kind of
# mail, and what machines read (the key, the HTML source, the headers) as code.
SHOWN_AS = {
    "template": "kind",
    "key": "key_code",
    "body_html": "html_code",
    "headers": "headers_code",
}


def _code(value) -> str:
    return format_html("<code>{}</code>", value) if value else "-"


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = ("subject", "to", "kind", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", MailKindFilter)
    search_fields = ("to", "subject", "key")
    date_hierarchy = "created_at"
    actions = ("resend",)
    fields = readonly_fields = [
        SHOWN_AS.get(field.name, field.name) for field in OutgoingMail._meta.fields
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("kind"), ordering="template")
    def kind(self, mail: OutgoingMail) -> str:
        return mail_kind(mail.template)

    @admin.display(description=OutgoingMail._meta.get_field("key").verbose_name)
    def key_code(self, mail: OutgoingMail) -> str:
        return _code(mail.key)

    @admin.display(description=OutgoingMail._meta.get_field("body_html").verbose_name)
    def html_code(self, mail: OutgoingMail) -> str:
        return format_html("<pre>{}</pre>", mail.body_html) if mail.body_html else "-"

    @admin.display(description=OutgoingMail._meta.get_field("headers").verbose_name)
    def headers_code(self, mail: OutgoingMail) -> str:
        if not mail.headers:
            return "-"
        return format_html(
            "<pre>{}</pre>", "\n".join(f"{name}: {value}" for name, value in mail.headers.items())
        )

    @admin.action(description=_("Send the selected failed mail again"), permissions=["change"])
    def resend(self, request, queryset):
        pks = list(queryset.filter(status=OutgoingMail.Status.FAILED).values_list("pk", flat=True))
        OutgoingMail.objects.filter(pk__in=pks).update(
            status=OutgoingMail.Status.QUEUED, next_attempt_at=timezone.now()
        )
        outbox_dispatch(pks)
        self.message_user(
            request,
            ngettext("%(count)d mail queued again.", "%(count)d mails queued again.", len(pks))
            % {"count": len(pks)},
            messages.SUCCESS,
        )
