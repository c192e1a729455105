"""Masking secrets in text and in Python values, by value (every written form of a known
password) and by name (`password=…`, `'token': …`, `<password>…</password>` at any depth)."""

import html
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape as xml_escape

SUBSTITUTE = "********************"
MAX_DEPTH = 8
# Larger containers are masked through their repr, not item by item.
MAX_ITEMS = 1000

# Names whose value is a secret wherever it shows in text (reprs, envelopes, query strings).
NAMES_OF_SECRETS = (r"[\w-]*(?:passw(?:or)?d|pwd|secret|token|api_?key|credential"
                    r"|authorization|cookie|signature)[\w-]*")
_QUOTED = r"""b?'(?:[^'\\\n]|\\.)*'|b?"(?:[^"\\\n]|\\.)*\""""
_NAMED = [
    # 'password': '…' and "password": "…" (dict reprs, JSON)
    re.compile(rf"""(?P<key>(?P<q>['"]){NAMES_OF_SECRETS}(?P=q)\s*:\s*)(?P<value>{_QUOTED})""",
               re.IGNORECASE),
    # password='…' and password=… (keyword reprs, query strings, headers)
    re.compile(rf"""(?P<key>(?<![\w-]){NAMES_OF_SECRETS}\s*=\s*)"""
               rf"""(?P<value>{_QUOTED}|(?![\[{{(<'"])[^\s,;&)}}\]>'"]+)""", re.IGNORECASE),
    # <password>…</password>, with or without a namespace prefix (SOAP envelopes)
    re.compile(rf"(?P<key><(?P<tag>(?:[\w.-]+:)?{NAMES_OF_SECRETS})(?:\s[^<>]*)?>)"
               rf"(?P<value>[^<]+)(?=</(?P=tag)\s*>)", re.IGNORECASE),
]


def _substitute_value(match: re.Match) -> str:
    value = match["value"]
    if value[:1] in "'\"" or value[:2] in ("b'", 'b"'):
        quote_char = value[-1]
        prefix = "b" if value.startswith("b") else ""
        return f"{match['key']}{prefix}{quote_char}{SUBSTITUTE}{quote_char}"
    return f"{match['key']}{SUBSTITUTE}"


def written_forms(secret: str) -> set[str]:
    """The secret as text may spell it: in XML or a URL, then in a repr, bytes or JSON, then
    in HTML."""
    forms = {secret, xml_escape(secret), xml_escape(secret, {'"': "&quot;", "'": "&apos;"}),
             xml_escape(secret, {'"': "&quot;", "'": "&#39;"}), quote(secret, safe=""),
             quote_plus(secret)}
    forms |= {spelt for form in forms for spelt in _python_and_json(form)}
    forms |= {html.escape(form, quote=q) for form in forms for q in (True, False)}
    forms |= {form.replace("&#x27;", "&#39;") for form in forms}
    return {form for form in forms if form}


def _python_and_json(form: str) -> tuple[str, ...]:
    # Inside a longer text the same secret may be written with either quoting: a trailing
    # quote forces the other one, then is cut off again.
    data = form.encode()
    return (form, *_repr_bodies(form, 1), *_repr_bodies(data, 2), json.dumps(form)[1:-1],
            json.dumps(form, ensure_ascii=False)[1:-1])


def _repr_bodies(value: str | bytes, opening: int) -> tuple[str, ...]:
    one, both = (b"'", b"'\"") if isinstance(value, bytes) else ("'", "'\"")
    natural, single, other = repr(value), repr(value + both), repr(value + one)
    # The added quote(s) and the closing quote, as repr wrote them.
    other_tail = 3 if other.endswith("\\''") else 2
    return (natural[opening:-1], single[opening:-4], other[opening:-other_tail])


class _Masked:
    """Stands for a value whose repr had to be masked; shows that masked repr."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


class Masker:
    """Masks a set of secrets; built once per set (see `masker`)."""

    def __init__(self, secrets: frozenset[str]):
        forms = sorted({f for s in secrets for f in written_forms(s)}, key=len, reverse=True)
        self._forms = re.compile("|".join(map(re.escape, forms))) if forms else None

    def forms(self, text: str) -> str:
        """Only the secrets' written forms (for whole rendered pages)."""
        return self._forms.sub(SUBSTITUTE, text) if self._forms else text

    def text(self, text: str) -> str:
        """The secrets' written forms and whatever follows a secret's name."""
        text = self.forms(text)
        for pattern in _NAMED:
            text = pattern.sub(_substitute_value, text)
        return text

    def bytes(self, data: bytes) -> bytes:
        return self.text(data.decode("utf-8", "surrogateescape")).encode(
            "utf-8", "surrogateescape")

    def value(self, value, *, secret_key: re.Pattern, depth: int = 0):
        """A copy of `value` safe to show: containers item by item (an item under a key that
        `secret_key` finds is replaced whole), any other object by its masked repr."""
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bytes | bytearray):
            return type(value)(self.bytes(bytes(value)))
        if depth < MAX_DEPTH and _is_small_container(value):
            return self._container(value, secret_key=secret_key, depth=depth + 1)
        try:
            text = repr(value)
        except Exception:  # noqa: BLE001 - the report shows what it can
            return _Masked(f"<unrepresentable {type(value).__name__}>")
        return _Masked(self.text(text))

    def _container(self, value, *, secret_key: re.Pattern, depth: int):
        def item(key, inner):
            if isinstance(key, str) and secret_key.search(key):
                return SUBSTITUTE
            return self.value(inner, secret_key=secret_key, depth=depth)

        if hasattr(value, "getlist"):  # a QueryDict or MultiValueDict: every value of a key
            cleansed = value.copy()
            for key in list(cleansed):
                cleansed.setlist(key, [item(key, v) for v in value.getlist(key)])
            return cleansed
        if isinstance(value, dict):
            return {self.value(k, secret_key=secret_key, depth=depth): item(k, v)
                    for k, v in value.items()}
        return type(value)(item(None, v) for v in value)


def _is_small_container(value) -> bool:
    if type(value) in (list, tuple, set, frozenset) or isinstance(value, dict):
        return len(value) <= MAX_ITEMS
    return False


@lru_cache(maxsize=8)
def masker(secrets: frozenset[str]) -> Masker:
    return Masker(secrets)


def mask_text(text: str, secrets: Iterable[str]) -> str:
    return masker(frozenset(secrets)).text(text)
