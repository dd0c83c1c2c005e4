"""The secretariat's notices (通知公告) and documents (资料下载) in the back office.

A notice is written on its change page (content, audience, reply slip,
publishing) with its attachments; the buttons above the form lead to the
notice's own pages:

- 收件人: who the notice would be mailed to now, counted and listed;
- 发送测试邮件: the mail as a recipient gets it, to the signed-in user;
- 发送: the count, then "send now" or "send at"; once only
  (``services.notice_send``);
- 发送进度: each mailing (the notice, each reminder) with its counts, and
  the failed deliveries with their errors; refreshed while it runs;
- 回执: who replied what and who has not, an Excel export, and a reminder to
  those who have not (``services.notice_remind``).

Sending and reminding need the ``notices.send_notice`` permission as well as
the right to change notices. Every page runs a fixed number of queries,
however many recipients the notice has. Files are checked by their content
(``notices.uploads``) and kept in the private storage: the back office
serves them through its own views.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.http import Http404, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from config.private_files import private_file_response
from members.models import City, SeatRole
from outbox.dispatch import dispatch_on_commit
from portal.admin_columns import count_column
from portal.admin_exports import XlsxExportMixin, export_changelist_xlsx
from portal.spreadsheets import xlsx_response

from . import services
from .models import (
    Audience,
    Document,
    Notice,
    NoticeAttachment,
    NoticeDelivery,
    NoticeMailing,
    NoticeReply,
)
from .selectors import audience_contacts
from .uploads import checked_attachment, shown_name

SEND_PERMISSION = "notices.send_notice"
RECIPIENTS_PER_PAGE = 100
FAILED_SHOWN = 200
REFRESH_SECONDS = 5

Status = NoticeDelivery.Status


# Files -----------------------------------------------------------------------------------------


class _ShownFile:
    """What the file widget shows of a stored private file: its name, linked to an admin view."""

    def __init__(self, url: str, label: str):
        self.url = url
        self.label = label

    def __str__(self) -> str:
        return self.label


class PrivateFileWidget(AdminFileWidget):
    """The admin's file input for a file in the private storage, which has no public URL.

    The current file is shown by the name it was sent with and linked to
    ``shown_url`` (a back-office view), never to ``file.url`` (which raises).
    """

    shown_url = ""
    shown_label = ""

    def is_initial(self, value) -> bool:
        return bool(value and getattr(value, "name", None))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            context["widget"]["value"] = _ShownFile(
                self.shown_url, self.shown_label or value.name.rsplit("/", 1)[-1]
            )
        return context


class CheckedFileForm(forms.ModelForm):
    """A model form whose ``file`` is checked by content; the sent name kept in ``name_field``."""

    name_field = "name"

    def shown_url(self) -> str:
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["file"].widget
        if self.instance.pk and self.instance.file and isinstance(widget, PrivateFileWidget):
            widget.shown_url = self.shown_url()
            widget.shown_label = getattr(self.instance, self.name_field)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):  # a new file (an unchanged one is a FieldFile)
            self.sent_name = shown_name(upload)
            return checked_attachment(upload)
        return upload

    def clean(self):
        data = super().clean()
        checked = data.get("file")
        if hasattr(self, "sent_name") and checked is not None:
            if not data.get(self.name_field):
                data[self.name_field] = self.sent_name
            self.instance.size = checked.size
        return data


class AttachmentForm(CheckedFileForm):
    class Meta:
        model = NoticeAttachment
        fields = ("file", "name", "position")
        widgets = {"file": PrivateFileWidget}

    def shown_url(self) -> str:
        return reverse(
            "admin:notices_notice_attachment_file",
            args=[quote(self.instance.notice_id), self.instance.pk],
        )


class DocumentForm(CheckedFileForm):
    name_field = "filename"

    class Meta:
        model = Document
        fields = ("title", "kind", "description", "file", "filename", "is_public", "position")
        widgets = {"file": PrivateFileWidget}

    def shown_url(self) -> str:
        return reverse("admin:notices_document_file", args=[quote(self.instance.pk)])


FILE_HELP = _(
    "PDF, Word, Excel or PowerPoint (.docx .xlsx .pptx .doc .xls .ppt), or a PNG or JPEG "
    "image; at most 20 MB. Leave the file name empty to keep the name it was sent with."
)


class AttachmentInline(admin.TabularInline):
    model = NoticeAttachment
    form = AttachmentForm
    fields = ("file", "name", "position", "size_display")
    readonly_fields = ("size_display",)
    extra = 1

    @admin.display(description=_("size"))
    def size_display(self, attachment) -> str:
        return filesizeformat(attachment.size) if attachment.pk else "—"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["file"].help_text = FILE_HELP
        return formset


# Notices ---------------------------------------------------------------------------------------


def with_sending(notices):
    """Notices annotated with the state of their mailing (number 0) and reminders; one query."""
    first = Q(mailings__number=0)

    def deliveries(*statuses):
        return Count(
            "mailings__deliveries", filter=first & Q(mailings__deliveries__status__in=statuses)
        )

    return notices.annotate(
        listed_count=Count("mailings__deliveries", filter=first),
        sent_count=deliveries(Status.SENT),
        failed_count=deliveries(Status.FAILED),
        mailing_send_at=Max("mailings__send_at", filter=first),
        mailing_filled_at=Max("mailings__filled_at", filter=first),
        mailing_finished_at=Max("mailings__finished_at", filter=first),
        reminder_count=Count("mailings", filter=Q(mailings__number__gt=0), distinct=True),
    )


def sending_state(notice) -> str:
    """未发送, 定时 …, 发送中 3/124 or 已发送 120/124, with failures and reminders."""
    if notice.mailing_send_at is None:
        return gettext("Not sent")
    if notice.mailing_filled_at is None:
        return gettext("Scheduled for %(time)s") % {
            "time": timezone.localtime(notice.mailing_send_at).strftime("%Y-%m-%d %H:%M")
        }
    counts = {"sent": notice.sent_count, "listed": notice.listed_count}
    if notice.mailing_finished_at is None:
        state = gettext("Sending %(sent)d/%(listed)d") % counts
    else:
        state = gettext("Sent %(sent)d/%(listed)d") % counts
    if notice.failed_count:
        state += gettext(" (%(count)d failed)") % {"count": notice.failed_count}
    if notice.reminder_count:
        state += ngettext(
            " · %(count)d reminder", " · %(count)d reminders", notice.reminder_count
        ) % {"count": notice.reminder_count}
    return state


class NoticeChangeList(ChangeList):
    """The list's rows (and its Excel export) with their sending state; the filters' counts
    without it."""

    def get_results(self, request):
        self.queryset = with_sending(self.queryset)
        super().get_results(request)


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Notice
        fields = (
            "title",
            "document_number",
            "issued_on",
            "body",
            "audience",
            "roles",
            "cities",
            "industries",
            "companies",
            "event",
            "asks_reply",
            "reply_deadline",
            "ask_attending",
            "ask_people",
            "ask_names",
            "ask_text",
            "status",
            "published_at",
            "is_pinned",
        )

    def clean(self):
        data = super().clean()
        audience = data.get("audience")
        if audience == Audience.PLACES and not data.get("cities") and not data.get("industries"):
            self.add_error("cities", gettext("Choose at least one city or industry."))
        if audience == Audience.COMPANIES and not data.get("companies"):
            self.add_error("companies", gettext("Choose the companies the notice is for."))
        return data


class SendForm(forms.Form):
    when = forms.ChoiceField(
        label=_("When"),
        choices=[("now", _("Send now")), ("later", _("Send at a set time"))],
        initial="now",
        widget=forms.RadioSelect,
    )
    send_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Beijing time. The mail goes out within a minute of it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("when") == "later":
            send_at = data.get("send_at")
            if send_at is None:
                self.add_error("send_at", gettext("Give the time to send it at."))
            elif send_at <= timezone.now():
                self.add_error("send_at", gettext("Give a time in the future."))
        else:
            data["send_at"] = None
        return data


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@admin.register(Notice)
class NoticeAdmin(XlsxExportMixin, admin.ModelAdmin):
    form = NoticeForm
    list_display = (
        "title",
        "document_number",
        "audience",
        "status",
        "published_at",
        "is_pinned",
        "sending_link",
    )
    list_filter = ("status", "audience", "is_pinned", "asks_reply")
    search_fields = ("title", "document_number")
    date_hierarchy = "published_at"
    autocomplete_fields = ("companies", "event")
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = (AttachmentInline,)
    actions = ("export_xlsx",)
    fieldsets = (
        (_("Content"), {"fields": ("title", ("document_number", "issued_on"), "body")}),
        (
            _("Audience"),
            {
                "fields": ("audience", "roles", "cities", "industries", "companies", "event"),
                "description": _(
                    "Who may read the notice on the site and who gets it by email. A public "
                    "notice is on the site for everyone and mailed to every member contact."
                ),
            },
        ),
        (
            _("Reply slip (回执)"),
            {
                "fields": (
                    "asks_reply",
                    "reply_deadline",
                    ("ask_attending", "ask_people", "ask_names"),
                    "ask_text",
                )
            },
        ),
        (
            _("Publishing"),
            {
                "fields": (
                    ("status", "published_at"),
                    "is_pinned",
                    ("created_by", "created_at", "updated_at"),
                )
            },
        ),
    )
    export_columns = (
        "title",
        "document_number",
        "issued_on",
        "audience",
        "status",
        "published_at",
        "is_pinned",
        "asks_reply",
        "reply_deadline",
        (_("sending"), sending_state),
        (_("created by"), "created_by__name"),
    )

    def get_changelist(self, request, **kwargs):
        return NoticeChangeList

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "roles":
            return forms.TypedMultipleChoiceField(
                label=db_field.verbose_name,
                help_text=db_field.help_text,
                choices=SeatRole.choices,
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        if db_field.name == "cities":
            return forms.MultipleChoiceField(
                label=db_field.verbose_name,
                choices=City.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "industries":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        if db_field.name == "companies":
            # "companies" is 单位数 in the catalogue (a count column of the members' admin).
            kwargs["label"] = Audience.COMPANIES.label
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("sending"))
    def sending_link(self, notice) -> str:
        state = sending_state(notice)
        if notice.mailing_send_at is None:
            return state
        return format_html('<a href="{}">{}</a>', self._url("progress", notice.pk), state)

    @admin.action(
        description=_("Export the selected %(verbose_name_plural)s to Excel"),
        permissions=["view"],
    )
    def export_xlsx(self, request, queryset):
        return export_changelist_xlsx(self, with_sending(queryset))

    # The notice's own pages ------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        pages = [
            ("recipients/", self.recipients_view, "recipients"),
            ("send/", self.send_view, "send"),
            ("send-test/", require_POST(self.send_test_view), "send_test"),
            ("progress/", self.progress_view, "progress"),
            ("replies/", self.replies_view, "replies"),
            ("replies/export/", self.replies_export_view, "replies_export"),
            ("remind/", require_POST(self.remind_view), "remind"),
        ]
        return [
            *(
                path(f"<path:object_id>/{route}", view(page), name=f"notices_notice_{name}")
                for route, page, name in pages
            ),
            path(
                "<path:object_id>/attachments/<int:attachment_id>/",
                view(self.attachment_view),
                name="notices_notice_attachment_file",
            ),
            *super().get_urls(),
        ]

    def _url(self, name: str, pk) -> str:
        return reverse(
            f"admin:notices_notice_{name}", args=[quote(pk)], current_app=self.admin_site.name
        )

    def _notice(self, request, object_id) -> Notice:
        notice = self.get_object(request, unquote(object_id))
        if notice is None:
            raise Http404(gettext("No such notice."))
        if not self.has_view_permission(request, notice):
            raise PermissionDenied
        return notice

    def may_send(self, request, notice=None) -> bool:
        return self.has_change_permission(request, notice) and request.user.has_perm(
            SEND_PERMISSION
        )

    def _context(self, request, notice: Notice, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": notice,
            "notice": notice,
            "title": title,
            "has_view_permission": True,
            "may_send": self.may_send(request, notice),
            "tools": self._tools(notice),
            **extra,
        }

    def _tools(self, notice: Notice) -> list[tuple[str, str]]:
        """(URL, label) of the notice's pages, for the links above each of them."""
        tools = [
            (self._url("change", notice.pk), gettext("Edit")),
            (self._url("recipients", notice.pk), gettext("Recipients")),
            (self._url("send", notice.pk), gettext("Send")),
            (self._url("progress", notice.pk), gettext("Sending progress")),
        ]
        if notice.asks_reply:
            tools.append((self._url("replies", notice.pk), gettext("Replies")))
        return tools

    def change_view(self, request, object_id, form_url="", extra_context=None):
        notice = self.get_object(request, unquote(object_id))
        if notice is not None:
            extra_context = {
                **(extra_context or {}),
                "notice_tools": self._tools(notice)[1:],
                "send_test_url": self._url("send_test", notice.pk),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def recipients_view(self, request, object_id):
        """Who the notice goes to if it is sent now: the count and the list, 100 a page."""
        notice = self._notice(request, object_id)
        page_obj = Paginator(audience_contacts(notice), RECIPIENTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context = self._context(
            request,
            notice,
            gettext("Recipients of %(title)s") % {"title": notice.title},
            page_obj=page_obj,
            count=page_obj.paginator.count,
            mailing=notice.mailings.filter(number=0).first(),
        )
        return TemplateResponse(request, "admin/notices/notice/recipients.html", context)

    def send_test_view(self, request, object_id):
        """Mail the notice to the signed-in user, as a recipient gets it, marked as a test."""
        notice = self._notice(request, object_id)
        if not request.user.email:
            self.message_user(
                request, gettext("Your account has no email address."), messages.ERROR
            )
        else:
            try:
                services.notice_send_test(notice=notice, user=request.user)
            except services.NoticeError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("A test of the notice was mailed to %(email)s.")
                    % {"email": request.user.email},
                    messages.SUCCESS,
                )
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = self._url("change", notice.pk)
        return HttpResponseRedirect(back)

    def send_view(self, request, object_id):
        """The count and a choice of now or later, then the mailing; a notice is sent once."""
        notice = self._notice(request, object_id)
        if not self.may_send(request, notice):
            raise PermissionDenied
        mailing = notice.mailings.filter(number=0).first()
        tomorrow = timezone.localtime() + timedelta(days=1)
        form = SendForm(
            request.POST or None,
            initial={"send_at": tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)},
        )
        if request.method == "POST":
            if mailing is not None:
                return self._already_sent(request, notice, mailing)
            if form.is_valid():
                try:
                    mailing = services.notice_send(
                        notice=notice, by=request.user, send_at=form.cleaned_data["send_at"]
                    )
                except services.NoticeError as error:
                    self.message_user(request, str(error), messages.ERROR)
                else:
                    if mailing is None:  # sent meanwhile, from another page
                        mailing = notice.mailings.get(number=0)
                        return self._already_sent(request, notice, mailing)
                    self._say_sent(request, mailing)
                    return HttpResponseRedirect(self._url("progress", notice.pk))
        context = self._context(
            request,
            notice,
            gettext("Send %(title)s") % {"title": notice.title},
            form=form,
            mailing=mailing,
            count=audience_contacts(notice).count() if mailing is None else None,
            is_published=notice.status == Notice.Status.PUBLISHED,
        )
        return TemplateResponse(request, "admin/notices/notice/send.html", context)

    def _already_sent(self, request, notice, mailing):
        self.message_user(
            request,
            gettext("This notice was already sent (%(time)s): nothing more was sent.")
            % {"time": _local(mailing.send_at)},
            messages.WARNING,
        )
        return HttpResponseRedirect(self._url("progress", notice.pk))

    def _say_sent(self, request, mailing: NoticeMailing) -> None:
        mailing.refresh_from_db(fields=["filled_at"])  # listed by another instance of it
        if mailing.filled_at is None:
            message = gettext(
                "The notice will be sent at %(time)s to its audience as it is then."
            ) % {"time": _local(mailing.send_at)}
        else:
            count = mailing.deliveries.count()
            message = ngettext(
                "The notice is being sent to %(count)d contact.",
                "The notice is being sent to %(count)d contacts.",
                count,
            ) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)

    def progress_view(self, request, object_id):
        """Each mailing's counts and times, and the failed deliveries with their errors."""
        notice = self._notice(request, object_id)

        def count(*statuses):
            return Count("deliveries", filter=Q(deliveries__status__in=statuses))

        mailings = list(
            notice.mailings.select_related("created_by")
            .annotate(
                listed=Count("deliveries"),
                sent=count(Status.SENT),
                skipped=count(Status.SKIPPED),
                failed=count(Status.FAILED),
                waiting=count(Status.QUEUED, Status.SENDING),
                first_sent_at=Min("deliveries__sent_at"),
                last_sent_at=Max("deliveries__sent_at"),
            )
            .order_by("number")
        )
        now = timezone.now()
        for mailing in mailings:
            mailing.done = mailing.sent + mailing.skipped + mailing.failed
        failed_total = sum(mailing.failed for mailing in mailings)
        failed = []
        if failed_total:
            failed = list(
                NoticeDelivery.objects.filter(mailing__notice=notice, status=Status.FAILED)
                .select_related("mailing", "contact__user", "contact__company")
                .order_by("mailing__number", "contact__company__name", "pk")[:FAILED_SHOWN]
            )
        running = any(
            mailing.finished_at is None
            and mailing.send_at <= now
            and (mailing.filled_at is None or mailing.waiting)
            for mailing in mailings
        )
        context = self._context(
            request,
            notice,
            gettext("Sending progress of %(title)s") % {"title": notice.title},
            mailings=mailings,
            failed=failed,
            failed_total=failed_total,
            failed_more=failed_total - len(failed),
            refresh_seconds=REFRESH_SECONDS if running else None,
            deliveries_url=reverse(
                "admin:notices_noticedelivery_changelist", current_app=self.admin_site.name
            ),
        )
        return TemplateResponse(request, "admin/notices/notice/progress.html", context)

    @staticmethod
    def _replies(notice: Notice):
        """(the notice's mailing or None, its reminders, the replies); two queries."""
        mailings = list(notice.mailings.annotate(listed=Count("deliveries")).order_by("number"))
        first = mailings[0] if mailings and mailings[0].number == 0 else None
        replies = list(
            NoticeReply.objects.filter(notice=notice)
            .select_related("contact__user", "contact__company")
            .order_by("contact__company__name", "answered_at", "pk")
        )
        return first, [m for m in mailings if m.number > 0], replies

    @staticmethod
    def _sent(first: NoticeMailing | None):
        """The deliveries of the notice's mailing that were sent, with contact and company."""
        if first is None:
            return NoticeDelivery.objects.none()
        return (
            NoticeDelivery.objects.filter(mailing=first, status=Status.SENT)
            .select_related("contact__user", "contact__company")
            .order_by("contact__company__name", "-contact__is_primary", "contact__user__name")
        )

    def replies_view(self, request, object_id):
        """The reply slips: totals, who answered what, who has not, and the reminder button."""
        notice = self._notice(request, object_id)
        if not notice.asks_reply:
            raise Http404(gettext("This notice asks for no reply."))
        first, reminders, replies = self._replies(notice)
        sent = self._sent(first)
        recipients = sent.count() if first is not None else 0
        waiting = []
        if first is not None:
            replied = NoticeReply.objects.filter(notice=notice).values("contact_id")
            waiting = list(sent.exclude(contact_id__in=replied))
        totals = {
            "recipients": recipients,
            "replied": len(replies),
            "waiting": len(waiting),
            "attending": sum(reply.attending is True for reply in replies),
            "not_attending": sum(reply.attending is False for reply in replies),
            "people": sum(reply.people or 0 for reply in replies),
        }
        context = self._context(
            request,
            notice,
            gettext("Replies to %(title)s") % {"title": notice.title},
            mailing=first,
            reminders=reminders,
            replies=replies,
            waiting=waiting,
            totals=totals,
            may_remind=(
                self.may_send(request, notice)
                and first is not None
                and first.filled_at is not None
                and bool(waiting)
                and notice.replies_open()
            ),
        )
        return TemplateResponse(request, "admin/notices/notice/replies.html", context)

    def replies_export_view(self, request, object_id):
        """The reply slips as Excel: a row per recipient (and per other replier), in Chinese."""
        notice = self._notice(request, object_id)
        if not notice.asks_reply:
            raise Http404(gettext("This notice asks for no reply."))
        first, _reminders, replies = self._replies(notice)
        sent = list(self._sent(first)) if first is not None else []
        by_contact = {reply.contact_id: reply for reply in replies}
        rows = [(delivery.contact, by_contact.pop(delivery.contact_id, None)) for delivery in sent]
        rows += [(reply.contact, reply) for reply in by_contact.values()]  # not on the mailing
        with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
            headers, questions = self._reply_columns(notice)
            title = gettext("Replies")
            name = "".join("-" if c in '/\\:*?"<>|' else c for c in notice.title)[:80]
            return xlsx_response(
                filename=f"{name}-{title}-{timezone.localdate():%Y%m%d}.xlsx",
                title=title,
                headers=headers,
                rows=[self._reply_row(contact, reply, questions) for contact, reply in rows],
            )

    @staticmethod
    def _reply_columns(notice: Notice):
        questions = [
            (notice.ask_attending, gettext("attending"), "attending"),
            (notice.ask_people, gettext("number of people"), "people"),
            (notice.ask_names, gettext("names"), "names"),
            (bool(notice.ask_text), notice.ask_text, "text"),
        ]
        asked = [(header, field) for is_asked, header, field in questions if is_asked]
        headers = [
            gettext("company"),
            gettext("contact"),
            gettext("email"),
            gettext("phone"),
            gettext("replied"),
            *(header for header, _field in asked),
            gettext("answered at"),
            gettext("updated at"),
        ]
        return headers, [field for _header, field in asked]

    @staticmethod
    def _reply_row(contact, reply, questions) -> list:
        def answer(field):
            value = getattr(reply, field)
            if isinstance(value, bool):
                return gettext("Yes") if value else gettext("No")
            return value

        return [
            contact.company.name,
            contact.user.name,
            contact.user.email,
            contact.phone,
            gettext("Yes") if reply else gettext("No"),
            *((answer(field) if reply else None) for field in questions),
            reply.answered_at if reply else None,
            reply.updated_at if reply else None,
        ]

    def remind_view(self, request, object_id):
        """A reminder, a mailing of its own, to the recipients who have not replied."""
        notice = self._notice(request, object_id)
        if not self.may_send(request, notice):
            raise PermissionDenied
        try:
            mailing = services.notice_remind(notice=notice, by=request.user)
        except services.NoticeError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            if mailing is None:
                self.message_user(
                    request,
                    gettext("Every recipient has replied: no reminder was sent."),
                    messages.INFO,
                )
            else:
                count = mailing.deliveries.count()
                self.message_user(
                    request,
                    ngettext(
                        "Reminder %(number)d is being sent to %(count)d contact who has not "
                        "replied.",
                        "Reminder %(number)d is being sent to %(count)d contacts who have not "
                        "replied.",
                        count,
                    )
                    % {"number": mailing.number, "count": count},
                    messages.SUCCESS,
                )
        return HttpResponseRedirect(self._url("replies", notice.pk))

    def attachment_view(self, request, object_id, attachment_id: int):
        """An attachment of any notice (drafts too), for the secretariat."""
        notice = self._notice(request, object_id)
        attachment = NoticeAttachment.objects.filter(notice=notice, pk=attachment_id).first()
        if attachment is None:
            raise Http404(gettext("No such attachment."))
        return private_file_response(
            attachment.file, filename=attachment.name or attachment.file.name.rsplit("/", 1)[-1]
        )


# Documents -------------------------------------------------------------------------------------


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentForm
    list_display = (
        "title",
        "kind",
        "is_public",
        "file_link",
        "size_display",
        "position",
        "updated_at",
    )
    list_filter = ("kind", "is_public")
    search_fields = ("title", "description", "filename")
    readonly_fields = ("size_display", "updated_at")
    fields = (
        "title",
        "kind",
        "description",
        "file",
        "filename",
        "size_display",
        "is_public",
        "position",
        "updated_at",
    )
    ordering = ("kind", "position", "title")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["file"].help_text = FILE_HELP
        return form

    @admin.display(description=_("size"), ordering="size")
    def size_display(self, document) -> str:
        return filesizeformat(document.size) if document.pk else "—"

    @admin.display(description=_("file"))
    def file_link(self, document) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse(
                "admin:notices_document_file",
                args=[quote(document.pk)],
                current_app=self.admin_site.name,
            ),
            document.filename or document.file.name.rsplit("/", 1)[-1],
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/file/",
                self.admin_site.admin_view(self.file_view),
                name="notices_document_file",
            ),
            *super().get_urls(),
        ]

    def file_view(self, request, object_id):
        document = self.get_object(request, unquote(object_id))
        if document is None:
            raise Http404(gettext("No such document."))
        if not self.has_view_permission(request, document):
            raise PermissionDenied
        return private_file_response(
            document.file, filename=document.filename or document.file.name.rsplit("/", 1)[-1]
        )


# Mailings and deliveries -----------------------------------------------------------------------


def _mailing_counts():
    def count(*statuses):
        return Count("deliveries", filter=Q(deliveries__status__in=statuses))

    return {
        "listed_count": Count("deliveries"),
        "waiting_count": count(Status.QUEUED, Status.SENDING),
        "sent_count": count(Status.SENT),
        "skipped_count": count(Status.SKIPPED),
        "failed_count": count(Status.FAILED),
    }


@admin.register(NoticeMailing)
class NoticeMailingAdmin(admin.ModelAdmin):
    """Read only: mailings are made by 发送 and 提醒未回复单位 on a notice's pages."""

    list_display = (
        "notice",
        "kind",
        "send_at",
        "filled_at",
        "finished_at",
        "listed_count",
        "waiting_count",
        "sent_count",
        "skipped_count",
        "failed_count",
        "links",
    )
    list_select_related = ("notice",)
    search_fields = ("notice__title", "notice__document_number")
    date_hierarchy = "send_at"
    ordering = ("-send_at", "-pk")
    readonly_fields = (
        "notice",
        "kind",
        "send_at",
        "filled_at",
        "finished_at",
        "created_by",
        "created_at",
        "listed_count",
        "waiting_count",
        "sent_count",
        "skipped_count",
        "failed_count",
        "links",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**_mailing_counts())

    @admin.display(description=_("mailing"), ordering="number")
    def kind(self, mailing) -> str:
        if mailing.number == 0:
            return gettext("The notice")
        return gettext("Reminder %(number)d") % {"number": mailing.number}

    listed_count = count_column("listed_count", _("listed"))
    waiting_count = count_column("waiting_count", _("queued or sending"))
    sent_count = count_column("sent_count", _("sent"))
    skipped_count = count_column("skipped_count", _("skipped"))
    failed_count = count_column("failed_count", _("failed"))

    @admin.display(description=_("deliveries"))
    def links(self, mailing) -> str:
        deliveries = reverse(
            "admin:notices_noticedelivery_changelist", current_app=self.admin_site.name
        )
        progress = reverse(
            "admin:notices_notice_progress",
            args=[quote(mailing.notice_id)],
            current_app=self.admin_site.name,
        )
        return format_html(
            '<a href="{}?mailing={}">{}</a> · <a href="{}">{}</a>',
            deliveries,
            mailing.pk,
            gettext("Deliveries"),
            progress,
            gettext("Sending progress"),
        )


class MailingFilter(admin.SimpleListFilter):
    """The latest mailings by their notice's title (in one query), and the one chosen."""

    title = _("mailing")
    parameter_name = "mailing"
    shown = 30

    def lookups(self, request, model_admin):
        mailings = list(
            NoticeMailing.objects.select_related("notice").order_by("-pk")[: self.shown]
        )
        value = self.value()
        if (
            value
            and value.isascii()
            and value.isdigit()
            and all(mailing.pk != int(value) for mailing in mailings)
        ):
            mailings += list(NoticeMailing.objects.select_related("notice").filter(pk=value))
        return [(str(mailing.pk), self._label(mailing)) for mailing in mailings]

    @staticmethod
    def _label(mailing) -> str:
        if mailing.number == 0:
            return str(mailing.notice)
        return gettext("%(notice)s · reminder %(number)d") % {
            "notice": mailing.notice,
            "number": mailing.number,
        }

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value.isascii() and value.isdigit():
            return queryset.filter(mailing_id=int(value))
        return queryset.none()


def deliveries_resend(deliveries) -> int:
    """Queue the failed ones of ``deliveries`` again and hand their mailings to the sender.

    A reminder's row is sent only if its contact has still not replied (the
    sender checks that as it builds each mail).
    """
    from .tasks import send_notice_mailing

    failed = NoticeDelivery.objects.filter(
        pk__in=list(deliveries.values_list("pk", flat=True)), status=Status.FAILED
    )
    with transaction.atomic():
        reopened = set(failed.values_list("mailing_id", flat=True))
        count = failed.update(status=Status.QUEUED, claimed_at=None)
        NoticeMailing.objects.filter(pk__in=reopened).update(finished_at=None)
        for mailing_id in sorted(reopened):
            # With the broker down, resume_notice_mailings hands the mailing out later.
            dispatch_on_commit(send_notice_mailing, mailing_id)
    return count


@admin.register(NoticeDelivery)
class NoticeDeliveryAdmin(admin.ModelAdmin):
    """Read only, but for sending failed deliveries again."""

    list_display = (
        "contact_name",
        "company",
        "email",
        "mailing",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    )
    list_filter = ("status", MailingFilter)
    list_select_related = ("mailing__notice", "contact__user", "contact__company")
    search_fields = (
        "contact__user__name",
        "contact__user__email",
        "contact__company__name",
        "mailing__notice__title",
    )
    readonly_fields = [field.name for field in NoticeDelivery._meta.fields]
    actions = ("resend",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("contact"), ordering="contact__user__name")
    def contact_name(self, delivery) -> str:
        return delivery.contact.user.name or delivery.contact.user.email

    @admin.display(description=_("company"), ordering="contact__company__name")
    def company(self, delivery) -> str:
        return delivery.contact.company.name

    @admin.display(description=_("email"))
    def email(self, delivery) -> str:
        return delivery.contact.user.email

    @admin.display(description=_("error"))
    def short_error(self, delivery) -> str:
        return delivery.error[:80]

    @admin.action(
        description=_("Send the selected failed deliveries again"), permissions=["change"]
    )
    def resend(self, request, queryset):
        count = deliveries_resend(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )
