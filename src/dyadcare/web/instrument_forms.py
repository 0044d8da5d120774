"""Forms for the instrument pages: a clinic's licensed item text and its parameter values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dyadcare.instruments.engine import Instrument
from dyadcare.instruments.engine.textfile import (
    MAX_TEXT,
    ItemText,
    TextFileError,
    needs_option_labels,
    parse_text_file,
)

MAX_UPLOAD = 200_000
FILE_ERRORS = {
    "encoding": _("The file is not UTF-8 text. Save it as UTF-8 and upload it again."),
    "json": _("The file is not valid JSON."),
    "format": _("Upload a .json or .csv file in the format shown below."),
    "csv_header": _("The first row of the CSV file must be: number,text,option_1,option_2,…"),
    "instrument": _("The file is for another instrument (%(found)s)."),
    "language": _("The file is in another language (%(found)s) than the one chosen."),
    "count": _("This instrument has %(expected)s items; the file has %(found)s."),
    "order": _("Row %(row)s: items must be numbered 1, 2, 3 … in the printed order."),
    "empty": _("Item %(row)s has no text."),
    "long": _("Item %(row)s is longer than %(limit)s characters."),
    "options": _("Item %(row)s needs %(expected)s option labels."),
}


class _Provenance(forms.Form):
    """What every licensed text a clinic loads carries: the holder's notice and where the
    clinic's copy comes from."""

    copyright_notice = forms.CharField(
        label=_("Copyright notice"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown with the items wherever they appear. Keep the instrument's own notice."),
    )
    source_note = forms.CharField(
        label=_("Where the text comes from"),
        required=False,
        max_length=300,
        help_text=_("For example: the licensed PDF received from the publisher on 3 March 2026."),
    )


class ItemTextForm(_Provenance):
    language = forms.ChoiceField(label=_("Language"))
    file = forms.FileField(
        label=_("Text file (JSON or CSV)"),
        help_text=_(
            "One entry per item in printed order, as in the example below. "
            "Nothing is saved if the file has a mistake."
        ),
    )
    licence_confirmed = forms.BooleanField(
        label=_("Our clinic holds a licence to use this text in this language."),
    )

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        names = dict(settings.LANGUAGES)
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = [(code, names.get(code, code)) for code in instrument.languages]
        self.fields["copyright_notice"].initial = instrument.copyright

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        language = data.get("language")
        if upload is None or not language:
            return data
        if upload.size > MAX_UPLOAD:
            self.add_error("file", _("The file is too large (at most 200 KB)."))
            return data
        try:
            data["items"] = parse_text_file(upload.read(), upload.name or "", self.instrument, language)
        except TextFileError as exc:
            message = FILE_ERRORS.get(exc.code, FILE_ERRORS["format"])
            self.add_error(
                "file", str(message) % {"limit": MAX_TEXT, **exc.params} if exc.params else message
            )
        return data


class GuidedTextForm(_Provenance):
    """A clinic's licensed text of one instrument in one language, typed item by item: one
    field per item and, for the items whose options the library labels only by position, one
    per option. Built from the instrument's definition, so it always fits it."""

    licence_confirmed = forms.BooleanField(
        label=_("Our clinic holds a licence to use this text in this language."), required=False
    )

    def __init__(self, *args: Any, instrument: Instrument, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.language = language
        self.item_fields: list[tuple[Any, str, list[str]]] = []
        for item in instrument.items:
            key = f"item_{item.number}"
            self.fields[key] = forms.CharField(
                label=_("Item %(n)s") % {"n": item.number},
                max_length=MAX_TEXT,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            options = []
            if needs_option_labels(item):
                for option in item.options:
                    okey = f"{key}_option_{option.position + 1}"
                    self.fields[okey] = forms.CharField(
                        label=_("Item %(n)s, option %(k)s (scores %(w)s)")
                        % {"n": item.number, "k": option.position + 1, "w": f"{option.weight:g}"},
                        max_length=300,
                    )
                    options.append(okey)
            self.item_fields.append((item, key, options))

    def items(self) -> list[ItemText]:
        """The texts as the service takes them (call after ``is_valid``)."""
        data = self.cleaned_data
        return [
            ItemText(
                number=item.number,
                text=data[key].strip(),
                options=tuple(data[okey].strip() for okey in options),
            )
            for item, key, options in self.item_fields
        ]


class ParametersForm(forms.Form):
    """One field per configurable parameter; an empty field means the library default."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=300,
        help_text=_("For example: our medical director's decision of 3 March 2026."),
    )

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.parameter_fields: list[tuple[str, list[str]]] = []
        language = (get_language() or "en").split("-")[0]
        for name, param in instrument.parameters.items():
            current = instrument.overrides.get(name)
            label = param.label.get(language, param.label["en"])
            if param.kind == "number":
                field: forms.Field = forms.FloatField(
                    label=label, required=False, min_value=param.minimum, max_value=param.maximum
                )
                field.widget.attrs["placeholder"] = str(param.default)
                self.fields[name] = field
                self.initial.setdefault(name, current)
                self.parameter_fields.append((name, [name]))
            elif param.kind == "weights":
                options = instrument.item(param.items[0]).options
                choices = [
                    (
                        str(o.position),
                        o.label(language)
                        if not o.display.startswith("Option ")
                        else _("Option %(n)s") % {"n": o.position + 1},
                    )
                    for o in options
                ]
                self.fields[name] = forms.MultipleChoiceField(
                    label=label, required=False, choices=choices, widget=forms.CheckboxSelectMultiple
                )
                weights = current if current is not None else param.default
                self.initial.setdefault(name, [str(i) for i, w in enumerate(weights) if w])
                self.parameter_fields.append((name, [name]))
            else:
                blocks = current if current is not None else param.default
                keys = []
                for block, numbers in param.default.items():
                    key = f"{name}__{block}"
                    self.fields[key] = forms.CharField(
                        label=_("Items of %(block)s") % {"block": block},
                        required=True,
                        max_length=100,
                        help_text=_("Item numbers separated by commas."),
                    )
                    self.initial.setdefault(key, ", ".join(str(n) for n in blocks.get(block, numbers)))
                    keys.append(key)
                self.parameter_fields.append((name, keys))

    def values(self) -> dict[str, Any]:
        """The parameter values to store; ``None`` resets to the default."""
        data = self.cleaned_data
        result: dict[str, Any] = {}
        for name, param in self.instrument.parameters.items():
            if param.kind == "number":
                value = data.get(name)
                result[name] = None if value is None else (int(value) if float(value).is_integer() else value)
            elif param.kind == "weights":
                chosen = {int(v) for v in data.get(name, [])}
                size = len(self.instrument.item(param.items[0]).options)
                result[name] = [1 if i in chosen else 0 for i in range(size)]
            else:
                blocks: dict[str, list[int]] = {}
                for block in param.default:
                    text = data.get(f"{name}__{block}", "")
                    try:
                        blocks[block] = [int(part) for part in text.replace(" ", "").split(",") if part]
                    except ValueError:
                        self.add_error(f"{name}__{block}", _("Write item numbers separated by commas."))
                        blocks[block] = []
                result[name] = blocks
        return result
