"""Changelist columns the admins share."""

from django.contrib import admin


def count_column(name: str, description):
    """A sortable column showing the annotation ``name`` (a count of the queryset's rows)."""

    @admin.display(description=description, ordering=name)
    def column(self, obj) -> int:
        return getattr(obj, name)

    column.__name__ = name
    return column
