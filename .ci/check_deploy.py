#!/usr/bin/env python3
"""`manage.py check --deploy` with the production example environment of the README (section
"Production stack"), failing on any warning. Run by CI and by tests/core/test_deploy_check.py.

Placeholders such as `<a Fernet key>` are filled with freshly made values; `--unset NAME`
leaves a variable out (to see the check fail).
"""

import argparse
import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDERS = {
    "<a secret key>": lambda: secrets.token_urlsafe(50),
    "<a Fernet key>": lambda: Fernet.generate_key().decode(),
}


def production_example() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Production stack", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    env = {}
    for line in block.splitlines():
        name, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            continue
        if value in PLACEHOLDERS:
            value = PLACEHOLDERS[value]()
        elif "<" in value:
            sys.exit(f"check_deploy: no value to put in place of {value} ({name})")
        env[name] = value
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unset", action="append", default=[], metavar="NAME")
    args = parser.parse_args()
    example = production_example()
    for name in args.unset:
        example.pop(name, None)
    with tempfile.TemporaryDirectory() as var_dir:
        # Only the example and what a process needs to run: not the caller's DEBUG or database.
        env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
        env.update(example, DEBUG="0", VAR_DIR=var_dir)
        done = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )
    print(done.stdout, end="")
    print(done.stderr, end="", file=sys.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
