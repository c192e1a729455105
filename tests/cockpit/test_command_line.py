"""`manage.py` from a checkout works without exporting anything (development defaults);
without a `.git` beside it, or with a SECRET_KEY, it keeps the production rule."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SHOW = "from django.conf import settings; print(settings.DEBUG, settings.SIMULATOR_ENABLED)"


def bare_environment(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DEBUG", "SECRET_KEY", "SIMULATOR_ENABLED", "DJANGO_SETTINGS_MODULE"}}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def manage(manage_py: Path, *args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(manage_py), *args], cwd=manage_py.parent,
                          env=bare_environment(**env), capture_output=True, text=True,
                          timeout=120)


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not run from a git checkout")
def test_from_a_checkout_manage_py_defaults_to_development_settings():
    done = manage(ROOT / "manage.py", "shell", "-c", SHOW)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["True", "True"]
    # An explicit choice still wins.
    done = manage(ROOT / "manage.py", "shell", "-c", SHOW, DEBUG="0", SECRET_KEY="k" * 50)
    assert done.stdout.split()[-2:] == ["False", "False"]


def test_without_a_checkout_a_secret_key_is_still_required(tmp_path):
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    done = manage(tmp_path / "manage.py", "check", VAR_DIR=str(tmp_path / "var"))
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr
