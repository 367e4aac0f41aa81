from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User


class ApiTokenForm(forms.ModelForm):
    days = forms.IntegerField(label=_("Valid for, days"), min_value=1, max_value=730, initial=365)

    class Meta:
        model = ApiToken
        fields = ["name", "read_only"]


class ProfileForm(forms.ModelForm):
    """What the person keeps of themselves: the name, position and phone an order's executor
    mark and a protocol's signature print."""

    class Meta:
        model = User
        fields = ["last_name", "first_name", "patronymic", "position", "phone"]
        help_texts = {"phone": _("Printed in the executor mark of the orders you draft: «Исп. …, тел. …».")}

    def clean_phone(self) -> str:
        import re

        phone = self.cleaned_data["phone"].strip()
        if phone and len(re.sub(r"\D", "", phone)) < 5:
            raise forms.ValidationError(_("Enter the phone with its code, e.g. 8 (3439) 39-68-56."))
        return phone
