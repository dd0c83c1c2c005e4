"""The news list's filters: section, issue, year, company, and Chinese full-text search."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from members.models import Company
from portal.templatetags.portal import localized
from portal.widgets import Select

from .models import Article
from .selectors import article_search, issue_choices, published_years, section_choices


def _companies(request):
    """Listed companies that published articles are about (one query to list them)."""
    mentioned = Article.objects.published().filter(companies=OuterRef("pk"))
    return Company.objects.listed().filter(Exists(mentioned)).only("name").order_by("name")


class ArticleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=100,
        widget=forms.SearchInput,
    )
    section = django_filters.ChoiceFilter(
        label=_("Section"),
        field_name="section__slug",
        empty_label=_("All sections"),
        widget=Select,
    )
    issue = django_filters.ChoiceFilter(
        label=_("Bulletin issue"), empty_label=_("All issues"), widget=Select
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"),
        field_name="published_at",
        lookup_expr="year",
        empty_label=_("All years"),
        widget=Select,
    )
    company = django_filters.ModelChoiceFilter(
        label=_("Member company"),
        field_name="companies",
        queryset=_companies,
        empty_label=_("All companies"),
        # Thousands of companies: no drop-down; a company's page links here with ?company=id.
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Article
        fields = ["q", "section", "issue", "year", "company"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices come from the database once per request (one query each).
        self.sections = section_choices()
        self.filters["section"].extra["choices"] = [
            (section.slug, localized(section)) for section in self.sections
        ]
        self.filters["issue"].extra["choices"] = issue_choices()
        self.filters["year"].extra["choices"] = [
            (str(year), str(year)) for year in published_years()
        ]

    def filter_search(self, queryset, name, value):
        return queryset  # searched last, in filter_queryset

    def filter_queryset(self, queryset):
        """The other filters first, so that they narrow the candidates the search ranks."""
        queryset = super().filter_queryset(queryset)
        text = self.form.cleaned_data.get("q")
        return article_search(queryset, text) if text else queryset

    @property
    def current_section(self):
        """The section filtered by, if the filter's value is valid."""
        self.errors  # noqa: B018 (validates the form, so cleaned_data exists)
        slug = self.form.cleaned_data.get("section")
        return next((section for section in self.sections if section.slug == slug), None)
