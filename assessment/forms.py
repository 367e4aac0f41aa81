from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Results file"),
        help_text=_("xlsx (first sheet or the sheet «Результаты») or csv (UTF-8 or Windows-1251); up to 50 MB."),
    )
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Upload")))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > settings.RESULTS_UPLOAD_MAX_BYTES:
            raise ValidationError(
                _("The file is too large: %(size).1f MB; the limit is %(limit).0f MB.")
                % {"size": f.size / 2**20, "limit": settings.RESULTS_UPLOAD_MAX_BYTES / 2**20}
            )
        if not f.name.lower().endswith((".xlsx", ".csv")):
            raise ValidationError(_("Only .xlsx and .csv files are accepted."))
        return f
