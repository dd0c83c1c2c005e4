"""Helpers shared by the public list pages that filter with django-filter."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

# A list counts its rows up to this many; beyond, it says "more than" and pages
# through the first ones (filters reach the rest). Counting 100,000 articles
# took 16-38 ms of the news page; counting 1,001 takes 0.5 ms.
COUNT_LIMIT = 1000


class CappedPaginator(Paginator):
    """A Paginator that counts at most ``limit`` rows, so that a page costs the same at any size.

    ``capped`` tells whether there were more; ``count`` is then ``limit`` and
    the pages reach as far as the first ``limit`` rows.
    """

    def __init__(self, object_list, per_page, *, limit: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.limit = COUNT_LIMIT if limit is None else limit

    @cached_property
    def _counted(self) -> int:
        """The rows, counted up to ``limit`` + 1 (one query)."""
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list)
        # Any limit + 1 rows tell whether there are more: no order needed to count them.
        return self.object_list.order_by()[: self.limit + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.limit)

    @property
    def capped(self) -> bool:
        return self._counted > self.limit


def distinct_descending(queryset: QuerySet, field: str) -> list:
    """The distinct values of ``field`` in ``queryset``, largest first, in one query.

    ``SELECT DISTINCT`` reads every row (PostgreSQL has no loose index scan);
    this takes the largest value, then the largest below it, and so on: with an
    index on ``field``, one probe per value. The honours roll's ten years:
    5.7 ms → 0.8 ms for 20,000 honours.
    """
    present = queryset.filter(**{f"{field}__isnull": False}).order_by(F(field).desc())
    first = present.values_list(field)[:1]
    below = present.filter(**{f"{field}__lt": RawSQL("found.value", [])}).values_list(field)[:1]
    first_sql, first_params = first.query.sql_with_params()
    below_sql, below_params = below.query.sql_with_params()
    sql = (
        f"WITH RECURSIVE found(value) AS (({first_sql}) UNION ALL "
        f"SELECT ({below_sql}) FROM found WHERE found.value IS NOT NULL) "
        "SELECT value FROM found WHERE value IS NOT NULL"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, [*first_params, *below_params])
        return [value for (value,) in cursor.fetchall()]


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
