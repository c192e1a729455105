from django.conf import settings


def test_both_languages_are_offered():
    assert dict(settings.LANGUAGES).keys() == {"en", "fr"}
