"""Public pages of the news and the bulletin: lists, articles, issues, QR codes."""

import io
import re

import segno
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from portal.cache import public_page
from portal.listing import CappedPaginator
from portal.search import html_to_text

from .filters import ArticleFilter
from .models import Article, Issue
from .selectors import (
    SEARCH_CANDIDATES,
    article_list_queryset,
    article_neighbours,
    highlight_terms,
    issue_contents,
    issues_with_counts,
)

PER_PAGE = 20
DESCRIPTION_LENGTH = 160


def _page(request, queryset):
    """The requested page of ``queryset`` (the last page when the number is too high)."""
    return CappedPaginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _published_article(pk: int) -> Article:
    """A published article with its section and issue, or 404 (drafts, scheduled, unknown)."""
    articles = (
        Article.objects.published()
        .select_related("section", "issue")
        .defer("search_tokens", "search_vector")
    )
    return get_object_or_404(articles, pk=pk)


def _description(article: Article) -> str:
    """A sentence or two for <meta name="description"> and Open Graph."""
    text = article.summary or html_to_text(article.body)
    return Truncator(re.sub(r"\s+", " ", text).strip()).chars(DESCRIPTION_LENGTH)


def _absolute_url(path: str) -> str:
    return settings.SITE_URL + path


@require_safe
@public_page
def article_list(request):
    article_filter = ArticleFilter(request.GET, queryset=article_list_queryset(), request=request)
    page = _page(request, article_filter.qs)
    form = article_filter.form
    query = form.cleaned_data.get("q", "")
    context = {
        "filter": article_filter,
        "page_obj": page,
        "section": article_filter.current_section,
        "query": query,
        "terms": highlight_terms(query),
        # Search ranks the newest SEARCH_CANDIDATES matches only (see article_search).
        "results_capped": bool(query) and page.paginator.count >= SEARCH_CANDIDATES,
        "filtered": any(form.cleaned_data.values()),
        # The filters other than search stay unfolded while in use.
        "filters_open": any(form[name].value() for name in form.fields if name != "q"),
    }
    return render(request, "bulletin/article_list.html", context)


@require_safe
@public_page
def article_detail(request, pk):
    article = _published_article(pk)
    previous, following = article_neighbours(article)
    context = {
        "article": article,
        "companies": article.companies.listed().only("name", "english_name"),
        "previous": previous,
        "next": following,
        "description": _description(article),
        "image_url": _absolute_url(article.cover.url) if article.cover else "",
    }
    return render(request, "bulletin/article_detail.html", context)


@require_safe
@public_page
def article_qr(request, pk):
    """The article's address as a QR code (SVG), for sharing to WeChat from a screen."""
    article = get_object_or_404(Article.objects.published().only("id"), pk=pk)
    url = _absolute_url(reverse("bulletin:article_detail", args=[article.pk]))
    svg = io.BytesIO()
    # A viewBox and no fixed size, so the <img> may scale it; white behind the
    # modules so that it scans on any background.
    segno.make_qr(url, error="m").save(
        svg, kind="svg", scale=4, border=2, light="#fff", omitsize=True, title=url
    )
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


@require_safe
@public_page
def issue_list(request):
    page = _page(request, issues_with_counts())
    return render(request, "bulletin/issue_list.html", {"page_obj": page})


@require_safe
@public_page
def issue_detail(request, year, number):
    issue = get_object_or_404(Issue, year=year, number=number)
    sections = issue_contents(issue)
    if not sections and not issue.pdf:
        raise Http404("This issue has nothing published yet")
    return render(request, "bulletin/issue_detail.html", {"issue": issue, "sections": sections})
