"""The README opens with the two commands and documents every variable the settings read."""

from pathlib import Path

from django.conf import settings

from .test_docker_compose import variables_read_by_settings

README = (Path(settings.BASE_DIR) / "README.md").read_text()


def test_readme_opens_with_the_two_commands():
    first_block = README.split("```", 2)[1]
    assert "make run" in first_block and "make test" in first_block


def test_every_settings_variable_is_in_the_configuration_table():
    table = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip().strip("`") for line in table.splitlines()
            if line.startswith("| `")}
    missing = variables_read_by_settings() - rows
    assert not missing, sorted(missing)
