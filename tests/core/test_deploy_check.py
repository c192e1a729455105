"""Production settings from the environment: `check --deploy` with the README's production
example passes with no warning (CI runs it too), and the proxy's header is believed only when
TRUST_PROXY_HEADERS says a proxy sets it."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import RequestFactory

ROOT = Path(settings.BASE_DIR)
SCRIPT = ROOT / ".ci" / "check_deploy.py"


def _check_deploy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_the_readme_production_example_passes_check_deploy_without_a_warning():
    done = _check_deploy()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_without_hsts_check_deploy_fails_on_its_warning():
    done = _check_deploy("--unset", "SECURE_HSTS_SECONDS")
    assert done.returncode != 0
    assert "security.W004" in done.stdout + done.stderr


def _settings_in_a_fresh_process(**env) -> dict:
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps({n: getattr(s, n) for n in ['SECURE_PROXY_SSL_HEADER', "
            "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
            "'SECURE_HSTS_PRELOAD']}))")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "TRUST_"))}
    environment.update({"DJANGO_SETTINGS_MODULE": "ticketnet_bridge.settings"}, **env)
    out = subprocess.run([sys.executable, "-c", code], env=environment, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_the_proxy_header_is_trusted_only_when_said_so():
    assert _settings_in_a_fresh_process()["SECURE_PROXY_SSL_HEADER"] is None
    trusted = _settings_in_a_fresh_process(TRUST_PROXY_HEADERS="1")
    assert trusted["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_a_forged_forwarded_proto_is_not_believed_by_default():
    request = RequestFactory().get("/", HTTP_X_FORWARDED_PROTO="https")
    assert not request.is_secure()


def test_hsts_and_redirect_come_from_the_environment():
    development = _settings_in_a_fresh_process(DEBUG="1")
    assert development["SECURE_SSL_REDIRECT"] is False and development["SECURE_HSTS_SECONDS"] == 0
    production = _settings_in_a_fresh_process(
        DEBUG="0", SECRET_KEY="k" * 60, SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="True", SECURE_HSTS_PRELOAD="True")
    assert production == {
        "SECURE_PROXY_SSL_HEADER": None, "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
    }
