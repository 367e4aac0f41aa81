from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.forms import ImportForm
from skills.models import Skill


class PlanImportForm(ImportForm):
    """The results import's form (same file rules and size limit); the file is checked and
    shown for confirmation, so there is no «check only» box."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in [n for n in self.fields if n != "file"]:
            del self.fields[name]
        self.fields["file"].label = _("Task plan file")
        self.fields["file"].help_text = _(
            "xlsx (first sheet) or csv (UTF-8 or Windows-1251); up to 50 MB. It is checked first: you see the "
            "works and their tasks (or every error) and confirm the import."
        )
        self.helper.inputs[0].value = _("Check the file")


class SkillChoiceField(forms.ModelMultipleChoiceField):
    """Skills grouped by subject («Математика: умение …»)."""

    def label_from_instance(self, obj):
        return f"{obj.subject.name}: {obj.text}"


def skills_field() -> SkillChoiceField:
    return SkillChoiceField(
        queryset=Skill.objects.select_related("subject").order_by("subject__name", "key"),
        required=False,
        label=_("Skills"),
        help_text=_(
            "Skills from one subject's catalogue that this helps with (recommended to schools with a deficit)."
        ),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


def clean_skills(skills) -> list:
    """Skills of one subject only: an event or a material is tagged from its subject's catalogue."""
    skills = list(skills or [])
    if len({s.subject_id for s in skills}) > 1:
        raise forms.ValidationError(_("Choose skills of one subject."))
    return skills


class SkillTagsMixin:
    """A ``skills`` field on an event's or a bank material's form: skills of one subject's
    catalogue (``Skill.events`` / ``Skill.materials``), saved with the form's other relations."""

    def add_skills_field(self) -> None:
        self.fields["skills"] = skills_field()
        if self.instance.pk:
            self.fields["skills"].initial = list(self.instance.skills.values_list("pk", flat=True))

    def clean_skills(self):
        return clean_skills(self.cleaned_data.get("skills"))

    def _save_m2m(self):
        super()._save_m2m()
        if "skills" in self.fields:
            self.instance.skills.set(self.cleaned_data.get("skills") or [])
