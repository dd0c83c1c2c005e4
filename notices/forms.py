"""The reply slip (回执): only the questions the notice asks."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Notice, NoticeReply

ATTENDING_CHOICES = [("yes", _("Yes, we will attend")), ("no", _("No, we cannot attend"))]


class ReplyForm(forms.Form):
    attending = forms.ChoiceField(
        label=_("Will you attend?"), choices=ATTENDING_CHOICES, widget=forms.RadioSelect
    )
    people = forms.IntegerField(label=_("Number of people"), min_value=0, max_value=99)
    names = forms.CharField(
        label=_("Names and job titles of those coming"),
        max_length=300,
        help_text=_("e.g. 张伟（总经理）、李娜（办公室主任）"),
    )
    text = forms.CharField(label="", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, notice: Notice, reply: NoticeReply | None = None, **kwargs):
        if reply is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "attending": {True: "yes", False: "no"}.get(reply.attending),
                "people": reply.people,
                "names": reply.names,
                "text": reply.text,
            }
        super().__init__(*args, **kwargs)
        self.notice = notice
        asked = {
            "attending": notice.ask_attending,
            "people": notice.ask_people,
            "names": notice.ask_names,
            "text": bool(notice.ask_text),
        }
        for name, is_asked in asked.items():
            if not is_asked:
                del self.fields[name]
        if "text" in self.fields:
            self.fields["text"].label = notice.ask_text
            self.fields["text"].required = False
        if "names" in self.fields and "attending" in self.fields:
            self.fields["names"].required = False
        if "people" in self.fields and "attending" in self.fields:
            self.fields["people"].required = False

    def clean(self):
        data = super().clean()
        if "attending" in data:
            data["attending"] = data["attending"] == "yes"
        attending = data.get("attending")
        if attending and "people" in self.fields and not data.get("people"):
            self.add_error("people", _("Say how many people will come."))
        if attending and "names" in self.fields and not data.get("names"):
            self.add_error("names", _("Give the names of those coming."))
        if attending is False:
            data["people"] = 0 if "people" in self.fields else None
        return data
