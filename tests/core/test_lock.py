"""The exact versions tested are recorded with their hashes (requirements*.lock), agree with
pyproject.toml's ranges, and are what `make install`, CI and the image install."""

import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(settings.BASE_DIR)
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pins(lock: str) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of every requirement of a lock file."""
    text = (ROOT / lock).read_text()
    found = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", block)
        if match:
            found[canonicalize_name(match[1])] = (match[2], block.count("--hash=sha256:"))
    return found


@pytest.mark.parametrize("lock, requirements", [
    ("requirements.lock", PROJECT["dependencies"]),
    ("requirements-dev.lock", PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]),
])
def test_every_dependency_is_pinned_within_its_range_with_hashes(lock, requirements):
    pinned = pins(lock)
    for line in requirements:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is not in {lock}: run `make lock`"
        version, _hashes = pinned[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {name}=={version} outside {requirement.specifier}: run `make lock`")
    assert all(hashes for _version, hashes in pinned.values())


def test_development_uses_the_production_versions():
    production, development = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: development[name][0] for name in production} == {
        name: version for name, (version, _hashes) in production.items()}


def test_make_ci_and_the_image_install_the_locks_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r $(DEV_LOCK)" in makefile and "DEV_LOCK := requirements-dev.lock" in (
        makefile)
    assert re.search(r"^lock:", makefile, re.MULTILINE)
    assert "make install" in (ROOT / ".ci" / "run").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert "pip install --editable" not in dockerfile
