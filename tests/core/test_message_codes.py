"""Every message stored as a code and parameters (`texts.text`, `texts.plural`, the sources
marked with `gettext_noop`) renders in English and in French: translated, its placeholders
filled, no raw key left."""

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

from texts import plural, render, text

ROOT = Path(settings.BASE_DIR)
SKIP = {".venv", "var", "tests", "benchmarks", "migrations", "node_modules", "ticketnet_simulator"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[sdiouxXeEfFgGcr]")
WORD = re.compile(r"[A-Za-z]{2,}")
SAME_IN_FRENCH = {"OK"}


def _sources():
    """(where, singular, plural or None) of every literal given to text, plural, gettext_noop."""
    found = []
    for path in sorted(ROOT.glob("**/*.py")):
        if SKIP & set(path.relative_to(ROOT).parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            args = node.args
            literal = [isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args]
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if node.func.id in ("text", "gettext_noop") and literal[:1] == [True]:
                found.append((where, args[0].value, None))
            elif node.func.id == "plural" and literal[:2] == [True, True]:
                found.append((where, args[0].value, args[1].value))
    return found


SOURCES = _sources()


def test_the_stored_messages_are_found():
    # The scan sees the run, email and parked-line messages (a guard against a scan of nothing).
    assert len(SOURCES) > 100
    assert any("sales_integration" in where for where, _, _ in SOURCES)
    assert any("outcomes" in where for where, _, _ in SOURCES)


@pytest.mark.parametrize(("where", "singular", "plural_text"), SOURCES,
                         ids=[where for where, _, _ in SOURCES])
def test_every_stored_message_renders_translated_in_both_languages(where, singular,
                                                                  plural_text):
    params = defaultdict(lambda: "X")
    params.update(dict.fromkeys(PLACEHOLDER.findall(singular), 2))
    with translation.override("fr"):
        french = (ngettext(singular, plural_text, 2) if plural_text else gettext(singular))
    words = WORD.findall(PLACEHOLDER.sub("", singular))
    if words and singular not in SAME_IN_FRENCH:
        assert french != singular, f"{where}: not translated: {singular!r}"
    for language in ("en", "fr"):
        with translation.override(language):
            stored = (plural(singular, plural_text, 2, **params) if plural_text
                      else text(singular, **{k: params[k] for k in PLACEHOLDER.findall(singular)}))
            rendered = render(stored)
        assert not PLACEHOLDER.search(rendered), f"{where}: {rendered!r}"
        assert "{'t':" not in rendered and '"t":' not in rendered, f"{where}: {rendered!r}"
