"""Helpers shared by the public list pages that filter with django-filter."""

from urllib.parse import urlencode

from django.conf import settings


def filtered(filterset):
    """The filtered rows; none (with the form's errors shown) for invalid values."""
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


def canonical_list_url(request, filterset, page_obj) -> str:
    """The list's address with only its valid filters and page number, in a fixed order."""
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
