"""The layout the README describes: product modules named as product code, and short enough
to read, unless the README's Layout says why one is longer."""

import re
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# The rooms are the import rules' root packages (pyproject), less the tests and benchmarks.
PRODUCT = [name for name in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]
           ["importlinter"]["root_packages"] if name not in ("tests", "benchmarks")]
MAX_LINES = 400


def product_modules():
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_product_module_is_named_like_a_test():
    # A management command's module is its documented name (run_interface_test); pytest only
    # collects test_*.py (pyproject), so it is never taken for a test.
    named_like_tests = [str(p.relative_to(ROOT)) for p in product_modules()
                        if (p.name.startswith("test_") or p.stem.endswith("_test"))
                        and p.parent.name != "commands"]
    assert not named_like_tests


def test_long_modules_are_explained_in_the_readme():
    layout = (ROOT / "README.md").read_text().split("## Layout", 1)[1].split("\n## ", 1)[0]
    explained = set(re.findall(r"`([\w/]+\.py)` \(\d+ lines\)", layout))
    too_long = {str(p.relative_to(ROOT)) for p in product_modules()
                if len(p.read_text().splitlines()) > MAX_LINES}
    assert too_long <= explained, sorted(too_long - explained)
