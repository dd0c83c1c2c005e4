"""The contact's account: sign-in, dashboard, own details, email preferences, colleagues.

Every member view is ``@login_required`` and looks the contact up with
``accounts.access.contact_for``; objects of another company answer 404.
None of these pages is cached (they are a person's own).
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from digests.forms import SubscriptionPreferencesForm
from digests.models import Frequency, Subscriber
from digests.services import subscriber_for_contact, subscriber_update_preferences
from members import services as member_services
from members.models import Contact

from .access import contact_for, primary_contact_for
from .forms import ColleagueInviteForm, ContactDetailsForm, ContactPasswordResetForm, SignInForm
from .selectors import dashboard_for, subscriber_of
from .services import ResetRateLimited, password_reset_request


class PasswordResetView(auth_views.PasswordResetView):
    """Django's page, with the reset recorded for a worker (``password_reset_request``)."""

    form_class = ContactPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        try:
            password_reset_request(
                email=form.cleaned_data["email"], client_ip=self.request.META.get("REMOTE_ADDR")
            )
        except ResetRateLimited:
            form.add_error(
                None,
                _(
                    "Too many password resets have been asked for this address or from your "
                    "network in the last hour. Please try again later, or ask the secretariat."
                ),
            )
            return self.form_invalid(form)
        return HttpResponseRedirect(self.get_success_url())


class SignInView(auth_views.LoginView):
    """Django's sign-in with an email address; staff without a contact go to the back office."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        user = self.request.user
        if user.is_staff and not hasattr(user, "contact"):
            return reverse("admin:index")
        return super().get_default_redirect_url()

    def get_context_data(self, **kwargs):
        # Django's view names the page after the Site row; the portal's name
        # in the page's language comes from portal.context_processors.
        context = super().get_context_data(**kwargs)
        del context["site"], context["site_name"]
        return context


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def dashboard(request):
    contact = contact_for(request)
    return render(request, "accounts/dashboard.html", {"dashboard": dashboard_for(contact)})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def details(request):
    """The contact's own name, job title and phone: private, so they apply at once."""
    contact = contact_for(request)
    initial = {"name": contact.user.name, "job_title": contact.job_title, "phone": contact.phone}
    form = ContactDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        member_services.contact_update_details(contact=contact, **form.cleaned_data)
        messages.success(request, _("Your details have been saved."))
        return redirect("accounts:dashboard")
    return render(request, "accounts/details.html", {"contact": contact, "form": form})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request):
    """How often the contact gets the digest, and which sections.

    Showing the page subscribes nobody: a subscription is made (or changed)
    only when the contact saves.
    """
    contact = contact_for(request)
    subscriber = subscriber_of(contact)
    instance = subscriber or Subscriber(email=contact.user.email, frequency=Frequency.OFF)
    form = SubscriptionPreferencesForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        frequency = form.cleaned_data["frequency"]
        if subscriber is None and frequency != Frequency.OFF:
            subscriber = subscriber_for_contact(contact=contact)
        if subscriber is not None:
            subscriber_update_preferences(
                subscriber=subscriber,
                frequency=frequency,
                sections=form.cleaned_data["sections"],
            )
        messages.success(request, _("Your email preferences have been saved."))
        return redirect("accounts:preferences")
    context = {"contact": contact, "form": form, "subscriber": subscriber}
    return render(request, "accounts/preferences.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def colleagues(request):
    contact = contact_for(request)
    people = (
        Contact.objects.filter(company_id=contact.company_id)
        .select_related("user")
        .order_by("-is_primary", "-user__is_active", "user__name", "id")
    )
    return render(request, "accounts/colleagues.html", {"contact": contact, "colleagues": people})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def colleague_invite(request):
    """The primary contact gives a colleague an account, mailed with a link to set a password."""
    contact = primary_contact_for(request)
    form = ColleagueInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invited = member_services.contact_invite(
                company=contact.company, by=contact, **form.cleaned_data
            )
        except member_services.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(name)s has been invited; they will get an email to set a password.")
                % {"name": invited.name},
            )
            return redirect("accounts:colleagues")
    return render(request, "accounts/colleague_invite.html", {"contact": contact, "form": form})


def _get_colleague_for_user(request, pk: int) -> tuple[Contact, Contact]:
    """(the primary contact asking, their colleague ``pk``); 403 or 404 otherwise."""
    contact = primary_contact_for(request)
    colleague = get_object_or_404(
        Contact.objects.select_related("user", "company"), pk=pk, company_id=contact.company_id
    )
    return contact, colleague


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def colleague_deactivate(request, pk: int):
    """GET asks to confirm; POST closes the colleague's account."""
    contact, colleague = _get_colleague_for_user(request, pk)
    if request.method == "POST":
        try:
            member_services.contact_deactivate(contact=colleague, by=contact)
        except member_services.ReviewError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(name)s can no longer sign in.") % {"name": colleague.name},
            )
        return redirect("accounts:colleagues")
    context = {"contact": contact, "colleague": colleague}
    return render(request, "accounts/colleague_deactivate.html", context)
