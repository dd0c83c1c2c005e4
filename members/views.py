from urllib.parse import urljoin

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from portal.cache import public_page
from portal.ratelimit import over_rate_limit
from portal.search import html_to_text
from portal.templatetags.portal import localized

from . import selectors, services
from .filters import CompanyFilter
from .forms import FILE_KEPT_NOTE, ApplicationForm
from .models import Company, CouncilSeat, SeatRole

DIRECTORY_PAGE_SIZE = 24
META_DESCRIPTION_LENGTH = 120


def _label_roles(page: Page) -> None:
    """Give each company on ``page`` the label of its current role (for the badge)."""
    for company in page:
        company.current_role_label = (
            SeatRole(company.current_role).label if company.current_role else ""
        )


def _directory_canonical_url(request, filterset: CompanyFilter, page: Page) -> str:
    """The directory itself: filtered views are views of it; later pages are their own."""
    url = settings.SITE_URL + request.path
    filtered = filterset.is_bound and any(filterset.form.cleaned_data.values())
    if page.number > 1 and not filtered:
        url += f"?page={page.number}"
    return url


@require_safe
@public_page
def company_list(request):
    filterset = CompanyFilter(request.GET or None, queryset=selectors.directory_companies())
    page = Paginator(filterset.qs, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    _label_roles(page)
    context = {
        "filter": filterset,
        "page_obj": page,
        "search_terms": filterset.search_terms,
        "role_counts": selectors.current_role_counts(),
        "canonical_url": _directory_canonical_url(request, filterset, page),
    }
    return render(request, "members/company_list.html", context)


def _meta_description(company: Company, seat: CouncilSeat | None) -> str:
    """The start of the company's own description, else a sentence of its facts."""
    text = " ".join(html_to_text(company.description).split())
    if text:
        return Truncator(text).chars(META_DESCRIPTION_LENGTH)
    facts = [localized(company)]
    if company.city:
        facts.append(company.get_city_display())
    if seat is not None:
        facts.append(seat.get_role_display())
    association = settings.SITE_NAME_EN if get_language() == "en" else settings.SITE_NAME
    facts.append(_("member company of %(association)s") % {"association": association})
    return " · ".join(str(fact) for fact in facts)


@require_safe
@public_page
def company_detail(request, pk: int):
    company = selectors.listed_company(pk)
    profile = selectors.company_profile(company)
    context = {
        "company": company,
        "profile": profile,
        "meta_description": _meta_description(company, profile.current_seat),
        "og_image": urljoin(settings.SITE_URL + "/", company.logo.url) if company.logo else "",
    }
    return render(request, "members/company_detail.html", context)


@require_safe
@public_page
def leadership(request, ordinal: int | None = None):
    board = selectors.term_leadership(ordinal)
    context = {"board": board, "term": board.term, "member_role": SeatRole.MEMBER}
    if ordinal is not None and board.term.is_current:
        # /leadership/7/ is the same page as /leadership/ while term 7 is current.
        context["canonical_url"] = settings.SITE_URL + reverse("members:leadership")
    return render(request, "members/leadership.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def join(request):
    """The membership application form; a robot that fills the hidden field is thanked too."""
    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            if over_rate_limit(request, scope="join", limit=settings.JOIN_PER_HOUR):
                form.add_error(
                    None,
                    _(
                        "Too many applications from your network in the last hour. "
                        "Please try again later."
                    ),
                )
                return render(request, "members/join.html", {"form": form}, status=429)
            if not form.is_spam():
                services.application_submit(
                    data=form.application_data(),
                    business_licence=form.cleaned_data["business_licence"],
                )
            return redirect("members:join_thanks")
        if request.FILES:
            form.add_error(None, FILE_KEPT_NOTE)
    return render(request, "members/join.html", {"form": form})


@require_safe
def join_thanks(request):
    return render(request, "members/join_thanks.html")
