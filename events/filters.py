import django_filters
from django.utils.translation import gettext_lazy as _

from portal.widgets import Select

from .models import Event
from .selectors import event_years


class EventFilter(django_filters.FilterSet):
    """The public events list's filters: type of event and year."""

    kind = django_filters.ChoiceFilter(
        label=_("Type"), choices=Event.Kind.choices, empty_label=_("All types"), widget=Select
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"),
        field_name="starts_at",
        lookup_expr="year",
        empty_label=_("All years"),
        widget=Select,
    )

    class Meta:
        model = Event
        fields = ["kind", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read once here: a callable would be queried again on every validation and render.
        self.filters["year"].extra["choices"] = [(year, year) for year in event_years()]
