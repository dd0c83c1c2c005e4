"""The form a contact registers colleagues for an event with.

One row (``AttendeeForm``) per person: name, job title, mobile number
(required, a Chinese mobile, kept as its 11 digits), email (optional), and
the event's own questions (EventQuestion), asked of each person. Rows left
empty are skipped. Colleagues the company registered before, and its
contacts, can be picked instead of typed (``events.colleagues``): a picked
person fills an empty row.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.phones import MobileNumberField

from .models import EventQuestion
from .services import Attendee

YES, NO = "yes", "no"


def question_field(question: EventQuestion) -> forms.Field:
    """The form field that asks ``question``."""
    common = {"label": question.label, "required": question.required}
    if question.kind == EventQuestion.Kind.LONG_TEXT:
        return forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    if question.kind == EventQuestion.Kind.CHOICE:
        choices = [(choice, choice) for choice in question.choice_list()]
        return forms.ChoiceField(choices=[("", _("Choose…")), *choices], **common)
    if question.kind == EventQuestion.Kind.YES_NO:
        return forms.TypedChoiceField(
            choices=[(YES, _("Yes")), (NO, _("No"))],
            coerce=lambda value: value == YES,
            empty_value=None,
            widget=forms.RadioSelect,
            **common,
        )
    return forms.CharField(max_length=200, **common)


class AttendeeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    phone = MobileNumberField(label=_("Mobile phone"))
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_("Optional. Without one, the outcome is mailed to you."),
    )

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[self.question_name(question)] = question_field(question)

    @staticmethod
    def question_name(question: EventQuestion) -> str:
        return f"question_{question.pk}"

    def question_fields(self):
        """The bound fields of the event's questions, in their order."""
        return [self[self.question_name(question)] for question in self.questions]

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def answers(self) -> dict:
        """The answers given, by question id (a string, as JSON keeps it)."""
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(self.question_name(question))
            if value not in (None, ""):
                answers[str(question.pk)] = value
        return answers

    def typed(self) -> dict:
        """What the row holds as typed (bound) or given (initial), without validating it."""
        return {name: self[name].value() for name in self.fields}

    def is_blank(self) -> bool:
        return not any(value for value in self.typed().values())


class BaseAttendeeFormSet(forms.BaseFormSet):
    """Rows left empty are skipped; one email address, one mobile number appears once.

    ``questions`` are asked in every row; ``rows`` (a dict per row) fills the
    rows of a form shown again with colleagues picked (``initial`` would make
    them initial forms, which may not be left empty).
    """

    def __init__(self, *args, questions=(), rows=None, **kwargs):
        self.questions = list(questions)
        self.rows = rows or []
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = {**super().get_form_kwargs(index), "questions": self.questions}
        if index is not None and index < len(self.rows) and not self.is_bound:
            kwargs["initial"] = self.rows[index]
        return kwargs

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        emails, mobiles = set(), set()
        for form in self.forms:
            email = form.cleaned_data.get("email")
            if email:
                if email in emails:
                    form.add_error("email", _("This address is already in another row."))
                emails.add(email)
            mobile = form.cleaned_data.get("phone")
            if mobile:
                if mobile in mobiles:
                    form.add_error("phone", _("This mobile number is already in another row."))
                mobiles.add(mobile)

    def attendees(self) -> list[Attendee]:
        return [
            Attendee(
                name=form.cleaned_data["name"],
                email=form.cleaned_data.get("email", ""),
                title=form.cleaned_data.get("title", ""),
                phone=form.cleaned_data.get("phone", ""),
                answers=form.answers(),
            )
            for form in self.forms
            if form.has_changed() and form.cleaned_data
        ]


def attendee_formset(rows: int):
    """A formset class with ``rows`` rows, at least one of them filled in."""
    return forms.formset_factory(
        AttendeeForm,
        formset=BaseAttendeeFormSet,
        extra=max(rows - 1, 0),
        min_num=1,
        validate_min=True,
        max_num=rows,
        validate_max=True,
    )
