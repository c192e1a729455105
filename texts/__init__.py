"""Texts stored as their English source and parameters, rendered when read in the reader's
language: the admin's (the viewer's) or the email's (the institution's). A text written once in
the language of the moment would show French to an English reader, and the reverse."""

from .deferred import choice, is_text, plural, render, source, text

__all__ = ["choice", "is_text", "plural", "render", "source", "text"]
