"""The notices board, a notice's page and files, reply slips, the contact's notices, documents.

What is for members only is served only to whoever ``selectors.readable_by``
lets through, and answers 404 to everyone else, exactly like a notice that
does not exist; those pages are never put in the page cache (only anonymous
pages are, and an anonymous visitor only ever gets public notices).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import contact_for
from config.private_files import private_file_response
from members.models import Company, Contact
from portal.cache import public_page
from portal.listing import CappedPaginator

from . import selectors, services
from .forms import ReplyForm
from .models import Notice

NOTICES_PER_PAGE = 20


def _reader(request):
    """(contact or None, is_staff) of the request's user."""
    user = request.user
    staff = user.is_authenticated and user.is_active and user.is_staff
    return selectors.contact_of(user), staff


def _private(response, *, public: bool):
    if not public:
        response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@public_page
def notice_list(request):
    """通知公告: public notices for everyone, and the contact's members-only ones when signed in."""
    contact, staff = _reader(request)
    page_obj = CappedPaginator(
        selectors.notice_list(contact, staff=staff), NOTICES_PER_PAGE
    ).get_page(request.GET.get("page"))
    read = set()
    if contact is not None:
        read = selectors.read_notice_ids(contact, [n.pk for n in page_obj.object_list])
    return render(
        request,
        "notices/notice_list.html",
        {"page_obj": page_obj, "contact": contact, "read_ids": read},
    )


@require_safe
@public_page
def notice_detail(request, pk: int):
    contact, staff = _reader(request)
    notice = selectors.notice_detail(pk, contact, staff=staff)
    if notice is None:
        raise Http404("No such notice")
    reply, form = None, None
    if contact is not None and notice.asks_reply:
        reply = notice.replies.filter(contact=contact).first()
        form = ReplyForm(notice=notice, reply=reply)
    if contact is not None:
        services.notice_mark_read(notice=notice, contact=contact)
    response = render(
        request,
        "notices/notice_detail.html",
        {"notice": notice, "contact": contact, "reply": reply, "form": form},
    )
    return _private(response, public=notice.is_public)


@require_safe
def attachment_download(request, pk: int, attachment_id: int):
    contact, staff = _reader(request)
    notice = selectors.notice_detail(pk, contact, staff=staff)
    if notice is None:
        raise Http404("No such notice")
    attachment = next((a for a in notice.attachments.all() if a.pk == attachment_id), None)
    if attachment is None:
        raise Http404("No such attachment")
    response = private_file_response(
        attachment.file, filename=attachment.name or attachment.file.name.rsplit("/", 1)[-1]
    )
    return _private(response, public=notice.is_public)


def _reply_page(request, notice: Notice, contact: Contact, *, action: str):
    reply = notice.replies.filter(contact=contact).first()
    if request.method == "POST":
        form = ReplyForm(request.POST, notice=notice, reply=reply)
        if form.is_valid():
            try:
                services.notice_reply_save(
                    notice=notice, contact=contact, answers=form.cleaned_data
                )
            except services.NoticeError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Thank you: your reply is saved. You can change it until the deadline."),
                )
                return redirect(action)
    else:
        form = ReplyForm(notice=notice, reply=reply)
        services.notice_mark_read(notice=notice, contact=contact)
    response = render(
        request,
        "notices/reply.html",
        {
            "notice": notice,
            "contact": contact,
            "reply": reply,
            "form": form,
            "action": action,
            "is_open": notice.replies_open(),
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def reply(request, pk: int, token: str):
    """The reply slip of the mail's signed link: for the one contact it was sent to."""
    contact_id = services.reply_token_contact(token, pk)
    if contact_id is None:
        raise Http404("Not a reply link")
    contact = (
        selectors.active_contacts().select_related("company", "user").filter(pk=contact_id).first()
    )
    notice = selectors.notice_detail(pk, contact) if contact is not None else None
    if notice is None or not notice.asks_reply:
        raise Http404("No reply slip")
    return _reply_page(request, notice, contact, action=request.path)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reply_signed_in(request, pk: int):
    contact = contact_for(request)
    if contact.company.status != Company.Status.ACTIVE:
        raise Http404("Not a member")
    notice = selectors.notice_detail(pk, contact)
    if notice is None or not notice.asks_reply:
        raise Http404("No reply slip")
    return _reply_page(request, notice, contact, action=request.path)


@never_cache
@login_required
@require_safe
def account_notices(request):
    """The contact's notices: what is for their company, unread and awaiting a reply first."""
    contact = contact_for(request)
    page_obj = CappedPaginator(selectors.contact_notices(contact), NOTICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "notices/account_notices.html", {"contact": contact, "page_obj": page_obj}
    )


@require_safe
@public_page
def document_list(request):
    documents = list(selectors.documents_for(request.user))
    groups: dict = {}
    for document in documents:
        groups.setdefault(document.get_kind_display(), []).append(document)
    response = render(
        request,
        "notices/document_list.html",
        {
            "groups": groups.items(),
            "member_reader": selectors.is_member_reader(request.user),
        },
    )
    return response


@require_safe
def document_download(request, pk: int):
    document = get_object_or_404(selectors.documents_for(request.user), pk=pk)
    response = private_file_response(
        document.file, filename=document.filename or document.file.name.rsplit("/", 1)[-1]
    )
    return _private(response, public=document.is_public)
