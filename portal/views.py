from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.views.decorators.http import require_safe

from awards.models import Honour
from bulletin.selectors import latest_articles_by_section
from events.models import Event
from members.selectors import association_figures
from notices.selectors import home_notices

from .cache import public_page

HOME_EVENTS = 4
HOME_HONOURS = 8


@require_safe
@public_page
def home(request):
    upcoming = list(Event.objects.upcoming()[:HOME_EVENTS])
    recent_events = [] if upcoming else list(Event.objects.past()[:HOME_EVENTS])
    context = {
        "sections": latest_articles_by_section(per_section=5),
        "upcoming_events": upcoming,
        "recent_events": recent_events,
        "honours": Honour.objects.public()
        .select_related("award", "company")
        .only("year", "grade", "company__name", "company__short_name", "award__name")
        .order_by("-year", "-awarded_on", "-id")[:HOME_HONOURS],
        "figures": association_figures(),
        "notices": home_notices(),
        "today": timezone.localdate(),
    }
    return render(request, "portal/home.html", context)


@require_safe
@public_page
def about(request):
    """The association's own words: a flat page edited in the admin (/about/, /en/about/)."""
    urls = ["/en/about/", "/about/"] if get_language() == "en" else ["/about/"]
    pages = {
        page.url: page for page in FlatPage.objects.filter(url__in=urls, sites=settings.SITE_ID)
    }
    page = next((pages[url] for url in urls if url in pages), None)
    if page is None:
        raise Http404("No about page yet")
    return render(request, "portal/about.html", {"page": page})


@require_safe
def robots_txt(request):
    """The back office and the contacts' pages, in every language, are not for crawlers."""
    private = []
    for code, _name in settings.LANGUAGES:
        with override(code):
            private += [reverse("admin:index"), reverse("accounts:dashboard")]
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in private),
        "Disallow: /ckeditor5/",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def favicon(request):
    return HttpResponsePermanentRedirect(static("favicon.svg"))
