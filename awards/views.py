from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.cache import public_page

from .filters import HonourFilter
from .models import Honour

HONOURS_PER_PAGE = 50


def _public_honours():
    return (
        Honour.objects.public()
        .select_related("award", "company")
        .only(
            "id",
            "year",
            "person",
            "project",
            "grade",
            "document_number",
            "awarded_on",
            "award__name",
            "award__level",
            "company__name",
            "company__short_name",
        )
        .order_by("-year", "award__name", "company__name", "id")
    )


def _filtered(filterset):
    """The filtered rows; none (with the form's errors shown) for invalid values."""
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


def _canonical_url(request, filterset, page_obj) -> str:
    """The roll's address with only its valid filters and page number, in a fixed order."""
    params = []
    if filterset.is_valid():
        params = [
            (name, request.GET[name])
            for name in filterset.filters
            if filterset.form.cleaned_data.get(name) not in (None, "")
        ]
    if page_obj.number > 1:
        params.append(("page", page_obj.number))
    query = f"?{urlencode(params)}" if params else ""
    return f"{settings.SITE_URL}{request.path}{query}"


@require_GET
@public_page
def honour_list(request):
    """The honours roll: public honours by year, filterable by year, level and award."""
    filterset = HonourFilter(request.GET or None, queryset=_public_honours())
    page_obj = Paginator(_filtered(filterset), HONOURS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "is_filtered": any(request.GET.get(name) for name in filterset.filters),
        "list_canonical_url": _canonical_url(request, filterset, page_obj),
    }
    return render(request, "awards/honour_list.html", context)
