"""POST data for an admin change form, as a browser would send it unchanged."""

from django import forms
from django.forms.utils import to_current_timezone


def _field_data(prefix: str, bound_form) -> dict:
    data = {}
    for name, field in bound_form.fields.items():
        key = f"{prefix}{name}"
        value = bound_form[name].value()
        if isinstance(field, forms.SplitDateTimeField):
            if value:
                local = to_current_timezone(value)
                data[f"{key}_0"] = local.strftime("%Y-%m-%d")
                data[f"{key}_1"] = local.strftime("%H:%M:%S")
            else:
                data[f"{key}_0"] = data[f"{key}_1"] = ""
        elif isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(item.pk if hasattr(item, "pk") else item) for item in value]
        elif value is None:
            data[key] = ""
        else:
            data[key] = str(getattr(value, "pk", value))
    return data


def change_form_data(response) -> dict:
    """Everything the change page in ``response`` would submit, inlines included."""
    adminform = response.context["adminform"]
    data = _field_data("", adminform.form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for form in formset.initial_forms:
            data.update(_field_data(f"{form.prefix}-", form))
    return data
