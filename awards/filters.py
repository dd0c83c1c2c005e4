import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from portal.listing import distinct_descending
from portal.widgets import Select

from .models import Award, Honour


def _awarded_publicly() -> list[tuple[str, str]]:
    """Awards with at least one public honour, by name, as choices (ids and names only)."""
    awards = Award.objects.filter(Exists(Honour.objects.public().filter(award=OuterRef("pk"))))
    return [(str(pk), name) for pk, name in awards.order_by("name").values_list("pk", "name")]


class HonourFilter(django_filters.FilterSet):
    """The honours roll's filters: year, level of the award, the award itself."""

    year = django_filters.ChoiceFilter(label=_("Year"), empty_label=_("All years"), widget=Select)
    level = django_filters.ChoiceFilter(
        label=_("Level"),
        field_name="award__level",
        choices=Award.Level.choices,
        empty_label=_("All levels"),
        widget=Select,
    )
    award = django_filters.ChoiceFilter(
        label=_("Award"), empty_label=_("All awards"), widget=Select
    )

    class Meta:
        model = Honour
        fields = ["year", "level", "award"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read once here: a callable would be queried again on every validation and render.
        years = distinct_descending(Honour.objects.public(), "year")
        self.filters["year"].extra["choices"] = [(year, year) for year in years]
        self.filters["award"].extra["choices"] = _awarded_publicly()
