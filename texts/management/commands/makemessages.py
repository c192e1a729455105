"""Django's makemessages, which also extracts the sources given to `texts.text` and
`texts.plural` (texts stored untranslated, rendered when read)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=text",
                        "--keyword=plural:1,2"]
