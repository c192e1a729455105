"""Every French catalogue is complete, and every label of the sales set-up is translated."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
PO_FILES = sorted(
    p for p in ROOT.glob("**/locale/fr/LC_MESSAGES/django.po")
    if not {".venv", "var", "node_modules"} & set(p.relative_to(ROOT).parts)
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")
# Words that are the same in both languages.
SAME_IN_FRENCH = {"ID", "code", "contact", "contacts", "URL", "Visible"}


def _unquote(lines):
    return "".join(
        bytes(line[line.index('"') + 1 : line.rindex('"')], "utf-8").decode("unicode_escape")
        .encode("latin-1").decode("utf-8")
        for line in lines
    )


def parse_po(path: Path):
    """(msgid, msgstr, flags) of every entry but the header; plurals as msgstr[0]."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        flags = {
            flag.strip() for line in lines if line.startswith("#,") for flag in line[2:].split(",")
        }
        obsolete = any(line.startswith("#~") for line in lines)
        keys = [i for i, line in enumerate(lines) if re.match(r"(msgid|msgid_plural|msgstr)", line)]
        if not keys or obsolete:
            continue
        fields = {}
        for n, start in enumerate(keys):
            end = keys[n + 1] if n + 1 < len(keys) else len(lines)
            name = lines[start].split(" ", 1)[0]
            fields.setdefault(name, _unquote(lines[start:end]))
        msgid = fields.get("msgid", "")
        msgstr = fields.get("msgstr", fields.get("msgstr[0]", ""))
        entries.append((msgid, msgstr, flags))
    return entries


def test_the_project_and_the_sales_setup_have_french_catalogues():
    names = {str(p.relative_to(ROOT)) for p in PO_FILES}
    assert {"locale/fr/LC_MESSAGES/django.po", "channels/locale/fr/LC_MESSAGES/django.po"} <= names


@pytest.mark.parametrize("path", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_empty_fuzzy_or_broken_translation(path):
    entries = parse_po(path)
    header = [e for e in entries if e[0] == ""]
    assert header and "fuzzy" not in header[0][2], "the header must not be fuzzy"
    problems = []
    for msgid, msgstr, flags in entries:
        if msgid == "":
            continue
        if "fuzzy" in flags:
            problems.append(f"fuzzy: {msgid!r}")
        if not msgstr.strip():
            problems.append(f"empty: {msgid!r}")
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr)):
            problems.append(f"placeholders differ: {msgid!r} -> {msgstr!r}")
    assert not problems, "\n".join(problems)


def _texts_of(app_label):
    for model in apps.get_app_config(app_label).get_models():
        yield model._meta.verbose_name
        yield model._meta.verbose_name_plural
        for field in model._meta.get_fields():
            if field.auto_created and not field.concrete:
                continue
            if getattr(field, "verbose_name", None):
                yield field.verbose_name
            if getattr(field, "help_text", None):
                yield field.help_text
            for _value, label in getattr(field, "choices", None) or []:
                yield label


def test_every_label_help_text_and_choice_of_the_sales_setup_is_translated():
    texts = list(_texts_of("channels")) + [apps.get_app_config("channels").verbose_name]
    untranslated = []
    for text in texts:
        with translation.override("en"):
            english = str(text)
        with translation.override("fr"):
            french = str(text)
        if english == french and english not in SAME_IN_FRENCH:
            untranslated.append(english)
    assert len(texts) > 50
    assert not untranslated, untranslated
