"""Flat pages (the about page) edited with CKEditor 5 and sanitised like all rich text."""

from django import forms
from django.contrib import admin
from django.contrib.flatpages.admin import FlatPageAdmin
from django.contrib.flatpages.forms import FlatpageForm
from django.contrib.flatpages.models import FlatPage
from django_ckeditor_5.widgets import CKEditor5Widget

from richtext import sanitize_html


class SanitisedFlatpageForm(FlatpageForm):
    content = forms.CharField(
        label=FlatPage._meta.get_field("content").verbose_name,
        widget=CKEditor5Widget(),
        required=False,
    )

    def clean_content(self) -> str:
        return sanitize_html(self.cleaned_data["content"])


admin.site.unregister(FlatPage)


@admin.register(FlatPage)
class SanitisedFlatPageAdmin(FlatPageAdmin):
    form = SanitisedFlatpageForm


from . import audit_admin  # noqa: E402, F401  (the audit log's admin)
