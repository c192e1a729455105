"""A stored text is JSON: `{"t": "<English source>", "p": {parameters}}`, and a plural one
`{"t": singular, "pl": plural, "n": count, "p": …}`. The sources are msgids of the gettext
catalogues: `makemessages` finds the literals given to `text` and `plural` (see
`texts/management/commands/makemessages.py`); a parameter is a plain value, another stored text,
or a list of them. `render` translates it in the active language, parameters first."""

from __future__ import annotations

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext

SOURCE_LANGUAGE = "en"  # the language of the msgids


class _Params(dict):
    """A missing parameter shows as “?” rather than breaking the text."""

    def __missing__(self, key):
        return "?"


def _storable(value):
    """A parameter as JSON keeps it: numbers, strings and stored texts as they are, a lazy
    label as its source, anything else (a model, an exception) as its string."""
    if value is None or isinstance(value, bool | int | float | str) or is_text(value):
        return value
    if isinstance(value, Promise):
        return source(value)
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    return str(value)


def text(source_text: str, /, **params) -> dict:
    """A text to store: its English source (a msgid) and its parameters."""
    if not params:
        return {"t": str(source_text)}
    return {"t": str(source_text), "p": {k: _storable(v) for k, v in params.items()}}


def plural(singular: str, plural_text: str, n: int, /, **params) -> dict:
    """A text to store whose wording depends on the count `n` (also a parameter: `%(n)d`)."""
    return {"t": str(singular), "pl": str(plural_text), "n": n,
            "p": {"n": n, **{k: _storable(v) for k, v in params.items()}}}


def source(label, *, lower: bool = False) -> dict:
    """A translatable label (a lazy text: a choice's label, a verbose name) as a text to store:
    its English source, translated again when read (`lower`: in lower case, inside a
    sentence)."""
    with translation.override(SOURCE_LANGUAGE):
        stored = {"t": str(label)}
    if lower:
        stored["lower"] = True
    return stored


def choice(instance, field_name: str) -> dict:
    """The label of a model instance's choice field, as a text to store."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    return source(dict(field.flatchoices).get(value, value))


def is_text(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("t"), str)


def render(value) -> str:
    """`value` as the reader reads it, in the active language: a stored text translated and
    filled, a list joined by “ / ”, anything else as a string."""
    if is_text(value):
        translated = (ngettext(value["t"], value["pl"], value.get("n", 1)) if "pl" in value
                      else gettext(value["t"]))
        if value.get("lower"):
            translated = translated.lower()
        params = value.get("p")
        if not params:
            return translated
        # A number keeps its type (for `%(n)d`); texts and lists are rendered.
        return translated % _Params({key: param if isinstance(param, int | float) else
                                     render(param) for key, param in params.items()})
    if isinstance(value, list | tuple):
        return " / ".join(render(item) for item in value)
    return "" if value is None else str(value)
