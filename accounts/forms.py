from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken


class ApiTokenForm(forms.ModelForm):
    days = forms.IntegerField(label=_("Valid for, days"), min_value=1, max_value=730, initial=365)

    class Meta:
        model = ApiToken
        fields = ["name", "read_only"]
