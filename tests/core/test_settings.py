from django.conf import settings


def test_both_languages_are_offered():
    assert dict(settings.LANGUAGES).keys() == {"en", "fr"}


def _settings_in_a_fresh_process(**env) -> dict:
    """The settings as a process started with `env` (and DEBUG on) sees them."""
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings

    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps({'apps': s.INSTALLED_APPS, 'box_office': s.TICKETNET_BOX_OFFICE}))")
    environment = {k: v for k, v in os.environ.items() if k != "SIMULATOR_ENABLED"}
    environment.update({"DJANGO_SETTINGS_MODULE": "ticketnet_bridge.settings", "DEBUG": "1"},
                       **env)
    out = subprocess.run([sys.executable, "-c", code], env=environment, cwd=settings.BASE_DIR,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_the_simulator_is_installed_only_when_enabled():
    production = _settings_in_a_fresh_process()
    assert "ticketnet_simulator" not in production["apps"]
    assert production["box_office"] == ""
    development = _settings_in_a_fresh_process(SIMULATOR_ENABLED="1")
    assert "ticketnet_simulator" in development["apps"]
    assert development["box_office"] == "ticketnet_simulator.box_office_client.BoxOfficeClient"
