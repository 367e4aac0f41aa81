from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from core.files import EVIDENCE_KINDS, UploadValidator
from core.forms import EDIT, SHARED, ScopedModelForm
from core.years import academic_year_bounds, academic_year_choices
from roadmaps.models import (
    EVIDENCE_MAX_BYTES,
    Activity,
    ActivityStatus,
    DocumentKind,
    Goal,
    Indicator,
    Roadmap,
    SchoolDocument,
    Task,
)
from roadmaps.services import activity_date_errors
from schools.models import RiskFactor

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SchoolDocumentForm(ScopedModelForm):
    scope_action = EDIT
    scope_fields = {"risk_factor": SHARED}
    year = forms.TypedChoiceField(label=_("Academic year"), coerce=int, choices=academic_year_choices)

    class Meta:
        model = SchoolDocument
        fields = ["school", "kind", "risk_factor", "year", "title", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_factor"].queryset = RiskFactor.objects.filter(is_active=True)  # a catalogue
        if self.instance.pk:
            self.fields["school"].disabled = True

    def clean(self):
        data = super().clean()
        if data.get("kind") == DocumentKind.ANTI_RISK and not data.get("risk_factor"):
            self.add_error("risk_factor", _("An anti-risk programme answers a risk factor: choose it."))
        if data.get("kind") != DocumentKind.ANTI_RISK and data.get("risk_factor"):
            self.add_error("risk_factor", _("Only an anti-risk programme is linked to a risk factor."))
        return data


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class RoadmapForm(ScopedModelForm):
    scope_action = EDIT
    year = forms.TypedChoiceField(label=_("Academic year"), coerce=int, choices=academic_year_choices)

    class Meta:
        model = Roadmap
        fields = [
            "school",
            "owner_municipality",
            "title",
            "year",
            "start_date",
            "end_date",
            "period_kind",
            "report_due_days",
        ]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].required = False
        self.fields["end_date"].required = False
        self.fields["start_date"].help_text = _("Empty: the start of the academic year.")
        self.fields["end_date"].help_text = _("Empty: the end of the academic year.")
        if self.instance.pk:
            self.fields["school"].disabled = True
            self.fields["owner_municipality"].disabled = True
        elif not self.fields["owner_municipality"].queryset.exists():
            # A school administrator keeps the school's roadmap only.
            del self.fields["owner_municipality"]

    def clean(self):
        data = super().clean()
        school = data.get("school")
        muni = data.get("owner_municipality") if "owner_municipality" in self.fields else None
        if bool(school) == bool(muni):
            raise forms.ValidationError(_("Choose either a school or a municipality as the roadmap's owner."))
        year = data.get("year")
        if year:
            first, last = academic_year_bounds(year)
            data["start_date"] = data.get("start_date") or first
            data["end_date"] = data.get("end_date") or last
            if data["end_date"] < data["start_date"]:
                self.add_error("end_date", _("The end date is before the start date."))
        return data


class NodeForm(forms.ModelForm):
    """A small form of the roadmap tree, posted inline through htmx."""

    def __init__(self, *args, roadmap, **kwargs):
        self.roadmap = roadmap
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)


class GoalForm(NodeForm):
    class Meta:
        model = Goal
        fields = ["title", "position"]
        widgets = {"title": forms.TextInput()}


class TaskForm(NodeForm):
    class Meta:
        model = Task
        fields = ["title", "position"]
        widgets = {"title": forms.TextInput()}


class ActivityForm(NodeForm):
    class Meta:
        model = Activity
        fields = [
            "title",
            "responsible_name",
            "responsible_position",
            "start_date",
            "due_date",
            "expected_result",
            "risk_factor",
            "position",
        ]
        widgets = {
            "title": forms.TextInput(),
            "start_date": DATE,
            "due_date": DATE,
            "expected_result": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_factor"].queryset = RiskFactor.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        for field, message in activity_date_errors(self.roadmap, data.get("start_date"), data.get("due_date")).items():
            self.add_error(field, message)
        return data


class IndicatorForm(NodeForm):
    class Meta:
        model = Indicator
        fields = [
            "name",
            "unit",
            "baseline",
            "target",
            "source_procedure",
            "source_subject",
            "source_grade",
            "source_metric",
        ]

    def clean(self):
        data = super().clean()
        linked = [data.get(f) for f in ("source_procedure", "source_metric")]
        if any(linked) and not all(linked):
            self.add_error(
                "source_metric", _("A link to an assessment figure needs both the procedure and the metric.")
            )
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("xlsx file made from the template"), validators=[UploadValidator(("xlsx",))])


class ReportCreateForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"))

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.start.isoformat(), p.label) for p in periods]


class ProgressReportForm(forms.Form):
    """The school's part of a report: per entry a status, reason, comment, link, evidence
    files and an actual value per indicator.  ``version`` carries the optimistic lock."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, document: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.document = document
        self.rows = []
        for goal in document["goals"]:
            for task in goal["tasks"]:
                for a in task["activities"]:
                    e = a["entry_id"]
                    p = f"e{e}_"
                    self.fields[p + "status"] = forms.ChoiceField(
                        label=_("Status"), choices=ActivityStatus.choices, initial=a["status"]
                    )
                    self.fields[p + "cancel_reason"] = forms.CharField(
                        label=_("Reason for cancelling"), required=False, max_length=1000, initial=a["cancel_reason"]
                    )
                    self.fields[p + "comment"] = forms.CharField(
                        label=_("Comment"),
                        required=False,
                        widget=forms.Textarea(attrs={"rows": 2}),
                        initial=a["comment"],
                    )
                    self.fields[p + "evidence_link"] = forms.URLField(
                        label=_("Evidence link"), required=False, initial=a["evidence_link"], assume_scheme="https"
                    )
                    self.fields[p + "file"] = forms.FileField(
                        label=_("Evidence file"),
                        required=False,
                        validators=[UploadValidator(EVIDENCE_KINDS, max_bytes=EVIDENCE_MAX_BYTES)],
                    )
                    for i in a["indicators"]:
                        self.fields[f"{p}i{i['id']}"] = forms.DecimalField(
                            label=_("Actual: %(name)s") % {"name": i["name"]},
                            required=False,
                            max_digits=12,
                            decimal_places=2,
                            initial=i["actual"],
                            localize=True,
                        )
                    self.rows.append((a, p))
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
            elif not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs["class"] = "form-control form-control-sm"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("save", _("Save")))

    def bound_rows(self):
        for a, p in self.rows:
            yield {
                "activity": a,
                "status": self[p + "status"],
                "cancel_reason": self[p + "cancel_reason"],
                "comment": self[p + "comment"],
                "evidence_link": self[p + "evidence_link"],
                "file": self[p + "file"],
                "indicators": [(i, self[f"{p}i{i['id']}"]) for i in a["indicators"]],
            }

    def clean(self):
        data = super().clean()
        for _a, p in self.rows:
            if data.get(p + "status") == ActivityStatus.CANCELLED and not (data.get(p + "cancel_reason") or "").strip():
                self.add_error(p + "cancel_reason", _("Give the reason for cancelling the activity."))
        return data

    def entries_data(self) -> tuple[dict, dict]:
        data = self.cleaned_data
        entries, files = {}, {}
        for a, p in self.rows:
            entries[a["entry_id"]] = {
                "status": data[p + "status"],
                "cancel_reason": data.get(p + "cancel_reason", ""),
                "comment": data.get(p + "comment", ""),
                "evidence_link": data.get(p + "evidence_link", ""),
                "actuals": {i["id"]: data.get(f"{p}i{i['id']}") for i in a["indicators"]},
            }
            if data.get(p + "file"):
                files[a["entry_id"]] = [data[p + "file"]]
        return entries, files


class CuratorReviewForm(forms.Form):
    """The curator's comment per activity, and the reasons when returning."""

    reason = forms.CharField(
        label=_("Reasons for returning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, document: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for goal in document["goals"]:
            for task in goal["tasks"]:
                for a in task["activities"]:
                    self.fields[f"c{a['entry_id']}"] = forms.CharField(
                        label=_("Comment on «%(a)s»") % {"a": a["title"][:80]},
                        required=False,
                        initial=a["curator_comment"],
                        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
                    )

    def comments(self) -> dict[int, str]:
        return {int(k[1:]): v for k, v in self.cleaned_data.items() if k.startswith("c")}
