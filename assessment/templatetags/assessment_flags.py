"""A flag's numbers and its rule in words a reader can check (pages, exports and PDFs)."""

from django import template
from django.utils.translation import gettext as _

from assessment.models import FlagKind
from core.templatetags.opora import num, percent

register = template.Library()


@register.filter
def flag_numbers(flag) -> str:
    """The numbers behind a flag."""
    i = flag.inputs or {}
    if flag.kind == FlagKind.LOW_RESULTS:
        return _("mean %(mean)s %% against %(municipal)s %% in the municipality; share of «2» %(fail)s") % {
            "mean": num(i.get("mean_percent")),
            "municipal": num(i.get("municipal_mean_percent")),
            "fail": percent(i.get("share_fail")),
        }
    if flag.kind in (FlagKind.NEGATIVE_DYNAMICS, FlagKind.TEACHER_DYNAMICS):
        return _("mean %(mean)s %% after %(previous)s %% a year before (%(change)s points)") % {
            "mean": num(i.get("mean_percent")),
            "previous": num(i.get("previous_mean_percent")),
            "change": num(i.get("change")),
        }
    return _("%(rows)s students with both marks: lowered %(lowered)s, raised %(raised)s") % {
        "rows": i.get("with_both", "—"),
        "lowered": percent(i.get("lowered")),
        "raised": percent(i.get("raised")),
    }


@register.filter
def flag_rule(flag) -> str:
    """The rule with the thresholds the flag was raised under."""
    t = flag.thresholds or {}
    if flag.kind == FlagKind.LOW_RESULTS:
        return _("mean below the municipality's by %(gap)s points or more, or share of «2» of %(fail)s or more") % {
            "gap": num(t.get("gap_points")),
            "fail": percent(t.get("share_fail")),
        }
    if flag.kind in (FlagKind.NEGATIVE_DYNAMICS, FlagKind.TEACHER_DYNAMICS):
        return _("mean fell by %(drop)s points or more from the previous year") % {"drop": num(t.get("drop_points"))}
    return _(
        "ВПР, at least %(rows)s students with both marks, and lowered of %(lowered)s or more, or lowered and "
        "raised together of %(mismatch)s or more"
    ) % {
        "rows": t.get("min_rows", "—"),
        "lowered": percent(t.get("lowered")),
        "mismatch": percent(t.get("raised_plus_lowered")),
    }


@register.filter
def teacher_grades(flag) -> str:
    """The grades a teacher's dynamics pools: «5», «5–7» (or the flag's own grade)."""
    if flag.grade:
        return str(flag.grade)
    i = flag.inputs or {}
    low, high = i.get("grade_min"), i.get("grade_max")
    if low is None:
        return "—"
    return str(low) if low == high else f"{low}–{high}"
