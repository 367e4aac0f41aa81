from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import scoping
from accounts.models import Role, User
from core.errors import add_service_errors
from core.forms import MANAGE, RestrictedForm, RestrictedModelForm, ScopedModelForm
from core.years import current_academic_year
from curators import services
from curators.models import RATING_SCALE, CuratorAssignment, LessonObservation, PartnerPair, Recommendation, Visit
from schools.forms import YearChoiceField
from schools.models import Order, School


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.short_name} ({obj.municipality.name})" if hasattr(obj, "municipality") else obj.short_name


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        school = f", {obj.school.short_name}" if obj.school_id else ""
        return f"{obj.full_name or obj.username}{school}"


class ServiceCheckedForm:
    """A model form whose rules live in a service: once the fields are clean, the object they
    make is checked by ``service_validate`` and its errors land on their fields.  The model's own
    validation runs only when the service found nothing, so no message appears twice."""

    service_validate = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        candidate = self.instance
        for name in self.Meta.fields:
            if name in data:
                setattr(candidate, name, data[name])
        try:
            type(self).service_validate(candidate)
        except ValidationError as exc:
            add_service_errors(self, exc)
        return data

    def _post_clean(self):
        if not self.errors:
            super()._post_clean()


class AssignmentForm(ServiceCheckedForm, ScopedModelForm):
    service_validate = staticmethod(services.assignment_validate)
    scope_fields = {"curator": scoping.appointable_curators}
    year = YearChoiceField(label=_("Academic year"), initial=current_academic_year)
    school = SchoolChoiceField(queryset=School.objects.select_related("municipality"), label=_("School"))
    curator = UserChoiceField(
        queryset=User.objects.filter(
            is_active=True, role__in=[Role.CURATOR, Role.METHODIST, Role.MUNICIPAL_COORDINATOR]
        ).select_related("school"),
        label=_("Curator"),
    )

    class Meta:
        model = CuratorAssignment
        fields = [
            "school",
            "curator",
            "workplace",
            "position",
            "year",
            "role",
            "order",
            "date_from",
            "date_to",
            "is_active",
        ]
        help_texts = {
            "workplace": _("As the order names it; empty — the curator's school from their profile."),
            "position": _("As the order names it; empty — the position from the curator's profile."),
        }
        widgets = {
            "date_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "date_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = True
        self.fields["order"].error_messages["required"] = _("An appointment must rest on an order: choose the order.")


class PartnerPairForm(ScopedModelForm):
    year = YearChoiceField(label=_("Academic year"), initial=current_academic_year)
    school = SchoolChoiceField(queryset=School.objects.select_related("municipality"), label=_("Supported school"))
    leader = SchoolChoiceField(queryset=School.objects.select_related("municipality"), label=_("Leader school"))

    class Meta:
        model = PartnerPair
        fields = ["school", "leader", "year", "order", "plan"]
        widgets = {"plan": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].error_messages["required"] = _("A partner pair must rest on an order: choose the order.")

    def clean(self):
        data = super().clean()
        if data.get("school") and data.get("leader") and data["school"] == data["leader"]:
            self.add_error("leader", _("A school cannot be its own partner."))
        return data


class VisitForm(RestrictedModelForm):
    scope_fields = {"school": scoping.visit_schools}
    school = SchoolChoiceField(queryset=School.objects.select_related("municipality"), label=_("School"))

    class Meta:
        model = Visit
        fields = ["school", "kind", "date", "participants", "findings", "extracurricular_observed"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "participants": forms.Textarea(attrs={"rows": 2}),
            "findings": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A draft kept in the browser (static/js/drafts.js) fills the school only when the
        # page has not chosen one (?school= of the link the curator came by).
        self.fields["school"].widget.attrs["data-draft-if-empty"] = ""
        self.fields["date"].initial = timezone.localdate
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value and value > timezone.localdate():
            raise ValidationError(_("A visit cannot be dated in the future."))
        return value


RATING_CHOICES = [("", "—"), *((n, f"{n} — {label}") for n, label in RATING_SCALE.items())]


def rating_field(label):
    """A quick rating: a row of large radio buttons (a tap each on a phone), «—» for none."""
    return forms.TypedChoiceField(
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        label=label,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )


class LessonForm(forms.ModelForm):
    rating_goals = rating_field(_("Goals and planning"))
    rating_methods = rating_field(_("Methods and students' activity"))
    rating_assessment = rating_field(_("Assessment and feedback"))

    class Meta:
        model = LessonObservation
        fields = [
            "teacher",
            "subject",
            "grade",
            "rating_goals",
            "rating_methods",
            "rating_assessment",
            "strengths",
            "difficulties",
        ]
        widgets = {"strengths": forms.Textarea(attrs={"rows": 2}), "difficulties": forms.Textarea(attrs={"rows": 2})}

    def clean_grade(self):
        grade = self.cleaned_data["grade"]
        if grade is not None and not 1 <= grade <= 11:
            raise ValidationError(_("The grade is from 1 to 11."))
        return grade


class RecommendationForm(RestrictedModelForm):
    # Owners are people of the schools the curator works with, never anyone else.
    scope_fields = {"owner_user": scoping.visit_people}

    class Meta:
        model = Recommendation
        fields = ["text", "owner_text", "owner_user", "due_date"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"owner_text": _("Owner (name or position)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].required = False
        self.fields["owner_user"].queryset = self.fields["owner_user"].queryset.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if data.get("text") and not data.get("owner_text") and not data.get("owner_user"):
            self.add_error("owner_text", _("Name the owner of the recommendation."))
        return data


LessonFormSet = inlineformset_factory(Visit, LessonObservation, form=LessonForm, extra=1, can_delete=True)
RecommendationFormSet = inlineformset_factory(Visit, Recommendation, form=RecommendationForm, extra=2, can_delete=True)


class MarkDoneForm(forms.Form):
    comment = forms.CharField(
        label=_("What has been done"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say what has been done.")},
    )


class AssignmentCopyForm(RestrictedForm):
    """Copy last year's curators: the order the new appointments rest on and the assignments
    to copy (the preview's ticked rows)."""

    scope_action = MANAGE
    order = forms.ModelChoiceField(
        queryset=Order.objects.select_related("municipality").order_by("-date", "number"),
        label=_("Order of appointment"),
        empty_label=_("— choose —"),
    )
    assignments = forms.TypedMultipleChoiceField(coerce=int, label=_("Assignments to copy"), required=False)

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignments"].choices = [(r["assignment"].pk, str(r["assignment"])) for r in rows if r["copyable"]]
        self.fields["assignments"].initial = [r["assignment"].pk for r in rows if r["proposed"]]
