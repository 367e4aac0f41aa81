from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scoping import MANAGE, municipalities_for
from schools.models import School


class ScopedModelForm(forms.ModelForm):
    """A model form that knows its user and limits organisational choices to the user's
    write scope, so another municipality's or school's id is refused as an invalid choice."""

    scope_action = MANAGE

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))


class SchoolForm(ScopedModelForm):
    class Meta:
        model = School
        fields = [
            "municipality",
            "code",
            "name",
            "short_name",
            "kind",
            "address",
            "is_rural",
            "director",
            "email",
            "phone",
            "students_count",
            "teachers_count",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities_for(self.user, self.scope_action)
        for name in ("name", "short_name", "code"):
            self.fields[name].widget.attrs["required"] = True

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code:
            raise forms.ValidationError(_("Enter the official code."))
        return code

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the full name."))
        return name

    def clean_short_name(self) -> str:
        name = self.cleaned_data["short_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the short name."))
        return name
