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

from dyadcare.families.models import Child
from dyadcare.families.phones import format_us_phone
from dyadcare.touchpoints.schedule import ChildAge
from dyadcare.touchpoints.selectors import age_on

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


def _age_words(days: int, months: float) -> str:
    """An age as clinicians say it: days, weeks, months, then years and months."""
    if days < 0:
        weeks = round(-days / 7)
        return ngettext("%(n)d week before term", "%(n)d weeks before term", weeks) % {"n": weeks}
    if days < 14:
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if months < 2:
        weeks = days // 7
        return ngettext("%(n)d week", "%(n)d weeks", weeks) % {"n": weeks}
    return _whole_months(int(months))


@register.simple_tag
def age(subject: Child | ChildAge, on: date | None = None) -> str:
    """The one wording of a child's age on every page: "8 weeks old", and while the child is
    screened by corrected age "8 weeks old; corrected age 3 weeks". ``subject`` is a child
    (its age today, or ``on``) or an age already computed by ``touchpoints`` (a visit's)."""
    child_age = subject if isinstance(subject, ChildAge) else age_on(subject, on or timezone.localdate())
    if child_age.days < 0:
        return ""
    words = _age_words(child_age.days, child_age.months)
    if child_age.corrected_days is None or child_age.corrected_months is None:
        return _("%(age)s old") % {"age": words}
    corrected = _age_words(child_age.corrected_days, child_age.corrected_months)
    return _("%(age)s old; corrected age %(corrected)s") % {"age": words, "corrected": corrected}


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
def touchpoint_label(touchpoint: Any) -> str:
    """A touchpoint's name in the page's language ("2 months", "2 meses")."""
    return str(touchpoint.label_es if _language() == "es" else touchpoint.label)


@register.simple_tag
def licence_notice(instrument: Any) -> SafeString:
    """An instrument's copyright notice as its holder wrote it (in English, marked so for
    screen readers and the Spanish page), after the licence's terms in the page's language."""
    if not instrument.copyright:
        return SafeString("")
    terms = instrument.licence_terms.get(_language(), "")
    if _language() == "en":
        return format_html('<p class="muted small">{}</p>', instrument.copyright)
    return format_html('<p class="muted small">{} <span lang="en">{}</span></p>', terms, instrument.copyright)


@register.filter
def reason(flag: Any) -> str:
    """A flag's reason in the page's language (on pages that show the result in full)."""
    from dyadcare.screening.selectors import flag_reason

    return flag_reason(flag, _language())


@register.filter
def band_name(result: Any) -> str:
    """A result's band in the page's language, from the instrument's data file."""
    from dyadcare.instruments.describe import band_label

    return band_label(result.instrument_id, result.band, _language()) if result.band else ""


@register.filter
def item_label(item: Any) -> str:
    return str(item.label(_language()))


@register.filter
def option_label(option: Any) -> str:
    return str(option.label(_language()))


@register.simple_tag
def chart_for(series: Any) -> Any:
    """The inline SVG chart of a series of results (see web/charts.py)."""
    from dyadcare.web.charts import series_chart

    return series_chart(series)
