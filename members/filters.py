"""The member directory's filters and search (/members/?q=&role=&city=&industry=)."""

import django_filters
from django import forms
from django.contrib.postgres.search import SearchRank
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.search import query_terms, search_query
from portal.templatetags.portal import localized
from portal.widgets import Select

from .models import City, IndustrySegment, SeatRole
from .selectors import DIRECTORY_ORDER

MAX_QUERY_LENGTH = 100


class CompanyFilter(django_filters.FilterSet):
    """Filters for ``selectors.directory_companies()``; ``search_terms`` is what to highlight."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=MAX_QUERY_LENGTH,
        widget=forms.SearchInput(attrs={"placeholder": _("Name or keyword")}),
    )
    role = django_filters.ChoiceFilter(
        label=_("Role in the current term"),
        choices=SeatRole.choices,
        empty_label=_("All roles"),
        method="filter_role",
        widget=Select,
    )
    city = django_filters.ChoiceFilter(
        label=_("City"), choices=City.choices, empty_label=_("All cities"), widget=Select
    )
    industry = django_filters.ModelChoiceFilter(
        # "Industry" alone is also an award level (行业级).
        label=pgettext_lazy("company", "Industry"),
        queryset=IndustrySegment.objects.only("id", "name", "english_name"),
        empty_label=_("All industries"),
        widget=Select,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.search_terms: list[str] = []
        self.form.fields["industry"].label_from_instance = localized  # English on English pages

    def filter_role(self, queryset, name, value):
        # One seat per company per term: the join cannot repeat a company.
        return queryset.filter(seats__term__is_current=True, seats__role=value)

    def search(self, queryset, name, value):
        """Segmented words against the full-text column, or a substring of a name.

        The best matches come first: full-text rank, plus a point when a name
        contains the whole query (a visitor typing 中控 means 中控技术 first).
        """
        value = value.strip()
        if not value:
            return queryset
        terms = query_terms(value)
        self.search_terms = [*terms, value]
        name_match = (
            Q(name__icontains=value)
            | Q(short_name__icontains=value)
            | Q(english_name__icontains=value)
        )
        tsquery = search_query(terms)
        if tsquery is None:
            matches, text_rank = name_match, Value(0.0)
        else:
            matches = name_match | Q(search_vector=tsquery)
            text_rank = SearchRank(F("search_vector"), tsquery)
        name_rank = Case(When(name_match, then=Value(1.0)), default=Value(0.0))
        return (
            queryset.filter(matches)
            .annotate(rank=text_rank + name_rank)
            .order_by("-rank", *DIRECTORY_ORDER)
        )
