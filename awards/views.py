from django.shortcuts import render
from django.views.decorators.http import require_safe

from portal.cache import public_page
from portal.listing import CappedPaginator, canonical_list_url, filtered

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


@require_safe
@public_page
def honour_list(request):
    """The honours roll: public honours by year, filterable by year, level and award."""
    filterset = HonourFilter(request.GET or None, queryset=_public_honours())
    page_obj = CappedPaginator(filtered(filterset), HONOURS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "is_filtered": any(request.GET.get(name) for name in filterset.filters),
        "list_canonical_url": canonical_list_url(request, filterset, page_obj),
    }
    return render(request, "awards/honour_list.html", context)
