"""Text a person types or pastes is kept free of invisible controls.

Bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069) let a name display differently
from what it is («Иванова» that reads backwards in a list, a file name whose extension is
not what it shows); zero-width characters (U+200B–U+200F, U+2060, U+FEFF, the soft hyphen)
make two equal-looking names different to search, sort and de-duplicate.  None belongs in a
name, title or comment, and a paste from a word processor brings them in by accident, so
they are removed from every text input of the forms and the API as it is read
(``install()``, called once at start-up) — passwords are left exactly as typed."""

import re

INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def strip_invisible(value):
    return INVISIBLE.sub("", value) if isinstance(value, str) else value


def install() -> None:
    from django import forms
    from rest_framework import fields

    if getattr(forms.CharField, "_opora_invisible", False):
        return
    form_to_python = forms.CharField.to_python

    def to_python(self, value):
        value = form_to_python(self, value)
        return value if isinstance(self.widget, forms.PasswordInput) else strip_invisible(value)

    forms.CharField.to_python = to_python
    forms.CharField._opora_invisible = True

    api_to_internal = fields.CharField.to_internal_value

    def to_internal_value(self, data):
        value = api_to_internal(self, data)
        return value if self.style.get("input_type") == "password" else strip_invisible(value)

    fields.CharField.to_internal_value = to_internal_value
