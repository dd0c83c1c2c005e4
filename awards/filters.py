import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from .models import Award, Honour


def _awarded_publicly():
    """Awards with at least one public honour, by name."""
    return Award.objects.filter(
        Exists(Honour.objects.public().filter(award=OuterRef("pk")))
    ).order_by("name")


class HonourFilter(django_filters.FilterSet):
    """The honours roll's filters: year, level of the award, the award itself."""

    year = django_filters.ChoiceFilter(label=_("Year"), empty_label=_("All years"))
    level = django_filters.ChoiceFilter(
        label=_("Level"),
        field_name="award__level",
        choices=Award.Level.choices,
        empty_label=_("All levels"),
    )
    award = django_filters.ModelChoiceFilter(
        label=_("Award"), queryset=_awarded_publicly(), empty_label=_("All awards")
    )

    class Meta:
        model = Honour
        fields = ["year", "level", "award"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read once here: a callable would be queried again on every validation and render.
        years = Honour.objects.public().order_by("-year").values_list("year", flat=True).distinct()
        self.filters["year"].extra["choices"] = [(year, year) for year in years]
