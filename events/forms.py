from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import scoping
from core.files import UploadValidator
from core.forms import SHARED, VIEW, RestrictedForm, ScopedModelForm
from events.models import AgendaStep, Event, EventMaterial, Material, QuestionKind
from events.services import Person, registration_schools_for
from schools.models import School
from skills.forms import SkillTagsMixin

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


# The levels of an event or a bank material are the events' own policy (a methodist plans
# their municipality's events): its municipalities, regions, their schools and people.
LEVEL_RULES = {
    "municipality": scoping.event_level_municipalities,
    "region": scoping.event_level_regions,
    "host_school": scoping.event_level_schools,
    "organiser_schools": scoping.event_level_schools,
    "organisers": scoping.event_level_people,
    "school": scoping.event_level_schools,
    "events": scoping.event_level_events,
    "themes": SHARED,
}


class EventForm(SkillTagsMixin, ScopedModelForm):
    scope_action = VIEW
    scope_fields = LEVEL_RULES

    class Meta:
        model = Event
        fields = [
            "municipality",
            "region",
            "format",
            "title",
            "status",
            "host_school",
            "organiser_schools",
            "organisers",
            "organisers_note",
            "audience_kind",
            "audience",
            "themes",
            "start",
            "end",
            "hours",
            "place",
            "link",
            "capacity",
            "registration_deadline",
            "goal",
            "tasks",
            "expected_results",
            "key_ideas",
            "results",
            "decisions",
        ]
        widgets = {
            "start": DATETIME_WIDGET,
            "end": DATETIME_WIDGET,
            "registration_deadline": DATETIME_WIDGET,
            "themes": forms.CheckboxSelectMultiple,
            "goal": forms.Textarea(attrs={"rows": 2}),
            "tasks": forms.Textarea(attrs={"rows": 4}),
            "expected_results": forms.Textarea(attrs={"rows": 4}),
            "key_ideas": forms.Textarea(attrs={"rows": 3}),
            "results": forms.Textarea(attrs={"rows": 3}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        level_fields(self)
        self.fields["title"].label = pgettext_lazy("events", "Title")
        for name in ("host_school", "organiser_schools"):
            self.fields[name].queryset = self.fields[name].queryset.order_by("sort_name")
        self.fields["organisers"].queryset = self.fields["organisers"].queryset.filter(is_active=True)
        self.add_skills_field()

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("Enter the title."))
        return title

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The event must end after it starts."))
        deadline = data.get("registration_deadline")
        if deadline and end and deadline > end:
            self.add_error("registration_deadline", _("The registration deadline must not be after the end."))
        host, municipality = data.get("host_school"), data.get("municipality")
        if host and municipality and host.municipality_id != municipality.pk:
            self.add_error("host_school", _("The host school must belong to the event's municipality."))
        clean_level(self, data)
        return data


class EventCopyForm(forms.Form):
    title = forms.CharField(
        label=pgettext_lazy("events", "Title"), max_length=500, required=False, help_text=_("Empty: the same title.")
    )
    start = forms.DateTimeField(label=pgettext_lazy("events", "Start"), widget=DATETIME_WIDGET)
    end = forms.DateTimeField(label=pgettext_lazy("events", "End"), widget=DATETIME_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Create a copy")))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The event must end after it starts."))
        return data


class RegistrationForm(RestrictedForm):
    """Register one or more people of one school: one person per line, «Full name, position»."""

    school = forms.ModelChoiceField(
        queryset=School.objects.order_by("sort_name"), label=pgettext_lazy("events", "School")
    )
    people = forms.CharField(
        label=_("People to register"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("Ivanova Anna Sergeevna, teacher of mathematics")}),
        help_text=_("One person per line: full name, then a comma and the position."),
    )

    def __init__(self, *args, event, **kwargs):
        self.event = event
        super().__init__(*args, **kwargs)
        user = self.user
        if user.school_id and self.fields["school"].queryset.filter(pk=user.school_id).exists():
            self.fields["school"].initial = user.school_id

    def get_scope_fields(self):
        # Whose people the user may register depends on the event (its managers: anyone in
        # their scope; a school administrator: their own school).
        return {"school": lambda user: registration_schools_for(user, self.event)}

    def clean_people(self) -> list[Person]:
        people = []
        for number, line in enumerate(self.cleaned_data["people"].splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, position = line.partition(",")
            name = " ".join(name.split())
            if len(name) < 3 or any(ch.isdigit() for ch in name):
                raise ValidationError(
                    _("Line %(n)s: enter the full name, e.g. «Ivanova Anna Sergeevna»."), params={"n": number}
                )
            if len(name) > 300 or len(position) > 300:
                raise ValidationError(_("Line %(n)s is too long."), params={"n": number})
            people.append(Person(full_name=name, position=position.strip()))
        if not people:
            raise ValidationError(_("Name at least one participant."))
        if len(people) > 100:
            raise ValidationError(_("At most 100 people at once."))
        return people


class AttendanceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled attendance list (xlsx)"),
        validators=[UploadValidator(kinds=("xlsx",), max_bytes=5 * 1024 * 1024)],
    )


class FeedbackForm(forms.Form):
    """The reflection sheet: one field per configured question."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            if q.kind == QuestionKind.RATING:
                self.fields[f"q{q.pk}"] = forms.TypedChoiceField(
                    label=q.text,
                    choices=[(i, str(i)) for i in range(1, 6)],
                    coerce=int,
                    widget=forms.RadioSelect(attrs={"class": "form-check-inline"}),
                    error_messages={"required": _("Choose a rating from 1 to 5.")},
                )
            else:
                self.fields[f"q{q.pk}"] = forms.CharField(
                    label=q.text, required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
                )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Send feedback")))

    def answers(self) -> dict[int, object]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}


class AgendaStepForm(forms.ModelForm):
    class Meta:
        model = AgendaStep
        fields = ["title", "description", "duration_minutes", "lead"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class EventMaterialForm(forms.ModelForm):
    class Meta:
        model = EventMaterial
        fields = ["title", "file", "url"]

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("url"):
            raise ValidationError(_("Attach a file or give a link."))
        return data


class MaterialForm(SkillTagsMixin, ScopedModelForm):
    scope_action = VIEW  # as EventForm's
    scope_fields = LEVEL_RULES

    class Meta:
        model = Material
        fields = [
            "kind",
            "title",
            "description",
            "authors",
            "municipality",
            "region",
            "school",
            "themes",
            "events",
            "year",
            "file",
            "url",
        ]
        widgets = {"themes": forms.CheckboxSelectMultiple, "description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        level_fields(self)
        self.fields["title"].label = pgettext_lazy("events", "Title")
        self.fields["school"].queryset = self.fields["school"].queryset.order_by("sort_name")
        self.fields["events"].queryset = (
            self.fields["events"].queryset.select_related("municipality", "region").order_by("-start")
        )
        self.fields["events"].help_text = _("Events where the material was presented.")
        self.add_skills_field()

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("url") and not data.get("description"):
            raise ValidationError(_("Attach a file, give a link or describe the practice."))
        school, municipality = data.get("school"), data.get("municipality")
        if school and municipality and school.municipality_id != municipality.pk:
            self.add_error("school", _("The school must belong to the material's municipality."))
        clean_level(self, data)
        return data


def level_fields(form) -> None:
    """The municipalities and the regions the user may place the event or material in (the
    form's ``LEVEL_RULES``): a field with nothing to offer is dropped (a municipal coordinator
    sees no region, a regional coordinator no municipality), a single choice is preselected
    on a new object."""
    form.fields["region"].help_text = _("A regional event or material is open to every municipality of the region.")
    for name in ("municipality", "region"):
        qs = form.fields[name].queryset
        current = getattr(form.instance, f"{name}_id")
        if not qs.exists() and not current:
            form.fields.pop(name)
        elif qs.count() == 1 and not form.instance.pk and not (name == "region" and "municipality" in form.fields):
            form.fields[name].initial = qs.first()


def clean_level(form, data: dict) -> None:
    """Exactly one of the municipality and the region."""
    municipality, region = data.get("municipality"), data.get("region")
    if "municipality" not in form.fields:
        municipality = form.instance.municipality if form.instance.municipality_id else None
    if "region" not in form.fields:
        region = form.instance.region if form.instance.region_id else None
    if municipality and region:
        form.add_error(
            "region" if "region" in form.fields else None, _("Choose either the municipality or the region, not both.")
        )
    elif not municipality and not region:
        field = next((name for name in ("municipality", "region") if name in form.fields), None)
        form.add_error(field, _("Choose the municipality, or the region for a regional one."))
