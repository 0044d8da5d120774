"""Template helpers for staff pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.forms import BoundField
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dyadcare.families.phones import format_us_phone
from dyadcare.touchpoints.schedule import chronological_months

register = template.Library()


@register.simple_tag
def widget(field: BoundField, **attrs: Any) -> SafeString:
    """The field's input, tied to its help text and errors for screen readers."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.field.required and not getattr(field.field.widget, "allow_multiple_selected", False):
        attrs.setdefault("required", True)
    return field.as_widget(attrs=attrs)


@register.filter
def phone(value: str) -> str:
    return format_us_phone(value) if value else ""


def _whole_months(months: int) -> str:
    """2 to 23 months in months, then years (and months): '15 months', '2 years 3 months'."""
    if months < 24:
        return ngettext("%(n)d month", "%(n)d months", months) % {"n": months}
    years, rest = divmod(months, 12)
    if rest == 0:
        return ngettext("%(n)d year", "%(n)d years", years) % {"n": years}
    return _("%(years)s %(months)s") % {
        "years": ngettext("%(n)d year", "%(n)d years", years) % {"n": years},
        "months": ngettext("%(n)d month", "%(n)d months", rest) % {"n": rest},
    }


@register.simple_tag
def age(dob: date, on: date | None = None) -> str:
    """A young child's age as clinicians say it: days, weeks, months, then years and months."""
    today = on or timezone.localdate()
    days = (today - dob).days
    if days < 0:
        return ""
    if days < 14:
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    months = int(chronological_months(dob, today))
    if months < 2:
        weeks = days // 7
        return ngettext("%(n)d week", "%(n)d weeks", weeks) % {"n": weeks}
    return _whole_months(months)


@register.simple_tag
def count_or_suppressed(value: int | None) -> str:
    if value is None:
        return _("fewer than 11")
    return format_html("{}", value)


@register.simple_tag
def months(value: float) -> str:
    """A decimal age in months as clinicians say it: '5 months', '1 year 3 months'."""
    if value < 0:
        weeks = round(-value * 30.4375 / 7)
        return ngettext("%(n)d week before term", "%(n)d weeks before term", weeks) % {"n": weeks}
    if value < 1:
        weeks = int(value * 30.4375 // 7)
        return ngettext("%(n)d week", "%(n)d weeks", weeks) % {"n": weeks}
    return _whole_months(int(value))


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, key)


def _language() -> str:
    from django.utils.translation import get_language

    return (get_language() or "en").split("-")[0]


@register.filter
def instrument_title(instrument: Any) -> str:
    return str(instrument.title_in(_language()))


@register.filter
def instrument_name(instrument_id: str) -> str:
    from dyadcare.instruments.describe import instrument_title

    return instrument_title(instrument_id, _language())


@register.filter
def instrument_names(instrument_ids: Any) -> str:
    """A list of instrument ids as their names, separated by commas."""
    from dyadcare.instruments.describe import instrument_titles

    return instrument_titles(instrument_ids or (), _language())


@register.filter
def domain_label(name: str, instrument_id: str) -> str:
    """``{{ name|domain_label:result.instrument_id }}``: the domain's label from the data."""
    from dyadcare.instruments.describe import domain_label as label

    return label(instrument_id, name, _language())


@register.filter
def subscore_label(name: str, instrument_id: str) -> str:
    """``{{ name|subscore_label:result.instrument_id }}``: the subscore's label from the data."""
    from dyadcare.instruments.describe import subscore_label as label

    return label(instrument_id, name, _language())


@register.simple_tag
def sensitivity_badge(code: str) -> SafeString:
    """A sensitivity label as a badge: its plain name, its meaning on hover and for screen
    readers (the code stays, for those who know it)."""
    from dyadcare.instruments.describe import sensitivity

    label = sensitivity(code)
    return format_html(
        '<span class="badge badge--warn" title="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></span>',
        label.meaning,
        label.name,
        label.meaning,
    )


@register.filter
def item_label(item: Any) -> str:
    return str(item.label(_language()))


@register.filter
def option_label(option: Any) -> str:
    return str(option.label(_language()))
