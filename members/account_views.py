"""A contact's company profile: edits of public fields wait for the secretariat's review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import contact_for
from accounts.selectors import labelled

from . import services
from .forms import FILE_KEPT_NOTE, CompanyProfileForm
from .models import ProfileChange
from .selectors import profile_change_rows


def _pending_changes(contact):
    """The company's changes awaiting review, latest first (one, unless from before amending)."""
    return labelled(
        ProfileChange.objects.filter(
            company_id=contact.company_id, status=ProfileChange.Status.PENDING
        )
        .select_related("submitted_by__user")
        .order_by("-submitted_at", "-id")
    )


def _sent_message(change: ProfileChange, *, amended: bool) -> str:
    if change.status == ProfileChange.Status.WITHDRAWN:
        return _(
            "The form now matches the public profile, so the changes awaiting review "
            "were withdrawn."
        )
    if amended:
        return _(
            "The changes awaiting review have been updated. They appear on the public profile "
            "once approved; you will be told by email."
        )
    return _(
        "Your changes have been sent to the secretariat. They appear on the public "
        "profile once approved; you will be told by email."
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request):
    """The company's public profile as a form; what the contact changes goes to review.

    While a change awaits review the form shows its values, and sending the
    form again amends it (members.services.profile_change_edit).
    """
    contact = contact_for(request)
    company = contact.company
    pending_changes = _pending_changes(contact)
    pending = pending_changes[0] if pending_changes else None
    form = CompanyProfileForm(
        request.POST or None, request.FILES or None, company=company, pending=pending
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                change = services.profile_change_edit(
                    contact=contact,
                    data=form.profile_data(),
                    logo=form.cleaned_data["logo"],
                    discard_logo=form.cleaned_data.get("discard_logo", False),
                    seen_updated_at=form.cleaned_data["seen"],
                    seen_pending=form.cleaned_data["pending"],
                )
            except services.ProfileChangeStale as error:
                messages.error(request, str(error))
                return redirect("accounts:profile")
            if change is None:
                if form.cleaned_data["pending"] is not None:
                    messages.info(
                        request,
                        _("You changed nothing: the changes awaiting review stay as they were."),
                    )
                else:
                    messages.info(
                        request, _("You changed nothing, so nothing was sent for review.")
                    )
                return redirect("accounts:profile")
            amended = form.cleaned_data["pending"] is not None
            messages.success(request, _sent_message(change, amended=amended))
            return redirect("accounts:dashboard")
        if request.FILES:
            form.add_error(None, FILE_KEPT_NOTE)
    context = {
        "contact": contact,
        "company": company,
        "form": form,
        "pending": pending,
        "pending_rows": profile_change_rows(pending, company=company) if pending else [],
        # Changes sent before a company had one at a time, still awaiting review.
        "earlier_pending": pending_changes[1:],
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def profile_change_withdraw(request, pk: int):
    """The contact takes back a change awaiting review (POST only: a button, never a link)."""
    contact = contact_for(request)
    change = get_object_or_404(ProfileChange, pk=pk, company_id=contact.company_id)
    try:
        services.profile_change_withdraw(change=change, contact=contact)
    except services.ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The changes were withdrawn; the secretariat will not review them."),
        )
    return redirect("accounts:profile")


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def profile_change_detail(request, pk: int):
    """One of the company's profile changes, field by field, and how the review went."""
    contact = contact_for(request)
    change = get_object_or_404(
        ProfileChange.objects.select_related("submitted_by__user", "reviewed_by"),
        pk=pk,
        company_id=contact.company_id,
    )
    context = {
        "contact": contact,
        "change": change,
        "rows": profile_change_rows(change, company=contact.company),
    }
    return render(request, "accounts/profile_change.html", context)
