"""A contact's company profile: edits of public fields wait for the secretariat's review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.access import contact_for
from accounts.selectors import labelled

from . import services
from .forms import FILE_KEPT_NOTE, CompanyProfileForm
from .models import ProfileChange
from .selectors import profile_change_rows


def _pending_changes(contact):
    return labelled(
        ProfileChange.objects.filter(
            company_id=contact.company_id, status=ProfileChange.Status.PENDING
        )
        .select_related("submitted_by__user")
        .order_by("-submitted_at", "-id")
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request):
    """The company's public profile as a form; what the contact changes goes to review."""
    contact = contact_for(request)
    company = contact.company
    form = CompanyProfileForm(request.POST or None, request.FILES or None, company=company)
    if request.method == "POST":
        if form.is_valid():
            try:
                change = services.profile_change_submit(
                    contact=contact,
                    data=form.profile_data(),
                    logo=form.cleaned_data["logo"],
                    seen_updated_at=form.cleaned_data["seen"],
                )
            except services.ProfileChangeStale as error:
                messages.error(request, str(error))
                return redirect("accounts:profile")
            if change is None:
                messages.info(request, _("You changed nothing, so nothing was sent for review."))
                return redirect("accounts:profile")
            messages.success(
                request,
                _(
                    "Your changes have been sent to the secretariat. They appear on the public "
                    "profile once approved; you will be told by email."
                ),
            )
            return redirect("accounts:dashboard")
        if request.FILES:
            form.add_error(None, FILE_KEPT_NOTE)
    context = {"contact": contact, "company": company, "form": form}
    context["pending_changes"] = _pending_changes(contact)
    return render(request, "accounts/profile.html", context)


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
