from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import MANAGE, RestrictedForm, ScopedModelForm
from schools.models import School


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


# --- Programme side: orders, statuses, yearly lists, programmes, risk profiles ---------

from django.core.exceptions import ValidationError  # noqa: E402

from core.errors import add_service_errors  # noqa: E402
from core.files import UploadValidator  # noqa: E402
from core.years import academic_year_choices, academic_year_label, current_academic_year  # noqa: E402
from schools import services  # noqa: E402
from schools.models import (  # noqa: E402
    AuthorityHead,
    Municipality,
    Order,
    Programme,
    RiskFactor,
    RiskLevel,
    SchoolStatus,
    StatusKind,
)

ORDER_FILE_KINDS = ("pdf", "docx", "odt")
ORDER_FILE_MAX_BYTES = 10 * 1024 * 1024
order_file_validator = UploadValidator(kinds=ORDER_FILE_KINDS, max_bytes=ORDER_FILE_MAX_BYTES)


class YearChoiceField(forms.TypedChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("choices", academic_year_choices(span_back=12))
        super().__init__(*args, **kwargs)


class OrderForm(ScopedModelForm):
    draft_year = YearChoiceField(label=_("Academic year of the draft"), required=False, empty_value=None)

    class Meta:
        model = Order
        fields = [
            "municipality",
            "kind",
            "number",
            "date",
            "issuer",
            "issuer_cited",
            "title",
            "basis_for",
            "draft_kind",
            "draft_year",
            "file",
        ]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].required = True
        self.fields["file"].validators.append(order_file_validator)
        self.fields["file"].help_text = _("PDF, DOCX or ODT, up to 10 MB.")
        self.fields["draft_year"].choices = [("", "—"), *academic_year_choices(span_back=12)]
        self.helper.attrs = {"enctype": "multipart/form-data"}

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        if not number:
            raise forms.ValidationError(_("Enter the number of the order."))
        return number

    def clean(self):
        data = super().clean()
        muni, number, date = data.get("municipality"), data.get("number"), data.get("date")
        if muni and number and date:
            dup = Order.objects.filter(municipality=muni, number=number, date=date).exclude(pk=self.instance.pk)
            if dup.exists():
                raise ValidationError(_("An order with this number and date is already in the registry."))
        if data.get("draft_kind") and not data.get("draft_year"):
            self.add_error("draft_year", _("Choose the academic year of the draft this order registers."))
        if data.get("draft_year") and not data.get("draft_kind"):
            self.add_error("draft_kind", _("Choose which draft this order registers, or leave the year empty."))
        return data

    def save(self, commit=True):
        order = super().save(commit=False)
        order.region_id = order.municipality.region_id
        if not order.created_by_id:
            order.created_by = self.user
        if commit:
            order.save()
        return order


class SchoolStatusForm(ScopedModelForm):
    year_from = YearChoiceField(label=_("From academic year"))
    year_to = YearChoiceField(label=_("To academic year"), required=False, empty_value=None)

    class Meta:
        model = SchoolStatus
        fields = ["school", "kind", "year_from", "year_to", "order", "end_order", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].error_messages["required"] = _("A status must rest on an order: choose the order.")
        self.fields["year_to"].choices = [("", "…"), *academic_year_choices(span_back=12)]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.status_validate(
                school=data["school"],
                kind=data["kind"],
                year_from=data["year_from"],
                year_to=data.get("year_to"),
                order=data.get("order"),
                exclude_pk=self.instance.pk,
            )
        except ValidationError as exc:
            add_service_errors(self, exc)
        return data


class NaturalOrderIterator(forms.models.ModelChoiceIterator):
    """The choices in School's natural order (``sort_name``), whatever order the queryset had."""

    def __init__(self, field):
        super().__init__(field)
        if self.queryset is not None:
            self.queryset = self.queryset.order_by("sort_name")


class SchoolMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Schools by short name in natural order (the list a coordinator scans)."""

    iterator = NaturalOrderIterator

    def label_from_instance(self, obj) -> str:
        return obj.short_name


class StatusListForm(RestrictedForm):
    """A yearly list of schools with a status: the municipality, its order and its schools,
    each of what the coordinator manages."""

    scope_action = MANAGE
    municipality = forms.ModelChoiceField(queryset=Municipality.objects.all(), label=_("Municipality"))
    kind = forms.ChoiceField(choices=StatusKind.choices, initial=StatusKind.LOW_RESULTS, label=_("Status"))
    year = YearChoiceField(label=_("Academic year"), initial=current_academic_year)
    order = forms.ModelChoiceField(
        queryset=Order.objects.select_related("municipality"),
        label=_("Order"),
        error_messages={"required": _("A list of schools must rest on an order: choose the order.")},
    )
    schools = SchoolMultipleChoiceField(
        queryset=School.objects.filter(is_active=True).order_by("sort_name"),
        required=False,
        label=_("Schools on the list"),
        widget=forms.SelectMultiple(attrs={"size": 14, "data-filterable": "1"}),
        help_text=_("Schools not selected that held the status leave it from this year."),
    )

    def clean(self):
        data = super().clean()
        muni = data.get("municipality")
        if muni and data.get("schools"):
            foreign = [s for s in data["schools"] if s.municipality_id != muni.pk]
            if foreign:
                self.add_error(
                    "schools",
                    _("Not schools of this municipality: %(names)s.") % {"names": ", ".join(map(str, foreign))},
                )
        if muni and data.get("order") and data["order"].municipality_id not in (None, muni.pk):
            self.add_error("order", _("The order belongs to another municipality."))
        return data


class ProgrammeForm(ScopedModelForm):
    year = YearChoiceField(label=_("Academic year"))
    schools = SchoolMultipleChoiceField(
        queryset=School.objects.all(),
        required=False,
        label=_("Participating schools"),
        widget=forms.SelectMultiple(attrs={"size": 12, "data-filterable": "1"}),
    )

    class Meta:
        model = Programme
        fields = ["municipality", "kind", "name", "year", "order", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["schools"].initial = [p.school_id for p in self.instance.participants.all()]

    def clean(self):
        data = super().clean()
        muni = data.get("municipality")
        if muni and data.get("schools"):
            foreign = [s for s in data["schools"] if s.municipality_id != muni.pk]
            if foreign:
                self.add_error(
                    "schools",
                    _("Not schools of this municipality: %(names)s.") % {"names": ", ".join(map(str, foreign))},
                )
        return data


class RiskProfileForm(forms.Form):
    """One level per active risk factor for a school and a year."""

    def __init__(self, *args, school, year, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.school, self.year, self.user = school, year, user
        self.factors = list(RiskFactor.objects.filter(is_active=True))
        current = {a.factor_id: a for a in school.risk_assessments.filter(year=year)}
        for factor in self.factors:
            a = current.get(factor.pk)
            self.fields[f"factor_{factor.pk}"] = forms.ChoiceField(
                label=factor.name,
                choices=RiskLevel.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=a.level if a else None,
                error_messages={
                    "required": _("Choose a level."),
                    "invalid_choice": _("«%(value)s» is not a risk level: choose high, medium, low or none."),
                },
            )
            self.fields[f"comment_{factor.pk}"] = forms.CharField(
                label=_("Comment"), required=False, max_length=1000, initial=a.comment if a else ""
            )
        self.rows = [(self[f"factor_{f.pk}"], self[f"comment_{f.pk}"], current.get(f.pk)) for f in self.factors]

    def levels(self) -> dict[int, str]:
        return {f.pk: self.cleaned_data[f"factor_{f.pk}"] for f in self.factors}

    def comments(self) -> dict[int, str]:
        return {f.pk: self.cleaned_data.get(f"comment_{f.pk}", "") for f in self.factors}

    @property
    def year_label(self) -> str:
        return academic_year_label(self.year)


class RequisitesForm(forms.ModelForm):
    """The requisites a municipality's documents print (DOCUMENTS.md)."""

    class Meta:
        model = Municipality
        fields = ["header_lines", "education_body", "place_of_issue"]
        widgets = {"header_lines": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["education_body"].required = True
        self.fields["place_of_issue"].required = True


class AuthorityHeadForm(forms.ModelForm):
    class Meta:
        model = AuthorityHead
        fields = ["position", "last_name", "first_name", "patronymic", "date_from", "date_to"]
        widgets = {
            "date_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "date_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class BaseHeadFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """Terms of the heads do not overlap: one head signs on any date."""
        super().clean()
        terms = []
        for form in self.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE") or not form.cleaned_data.get("date_from"):
                continue
            start, end = form.cleaned_data["date_from"], form.cleaned_data.get("date_to")
            if end and end < start:
                form.add_error("date_to", _("The end of the term is before its start."))
                continue
            for other_start, other_end in terms:
                if (end is None or other_start <= end) and (other_end is None or start <= other_end):
                    raise ValidationError(
                        _(
                            "The terms of two heads overlap: end the earlier term (the «to» date) before the next begins."
                        )
                    )
            terms.append((start, end))


HeadFormSet = forms.inlineformset_factory(
    Municipality, AuthorityHead, form=AuthorityHeadForm, formset=BaseHeadFormSet, fk_name="municipality", extra=1
)
