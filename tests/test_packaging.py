"""What installs and deploys the bot stays in step with the code: the wheel's packages,
the container's copies and the settings the deployment files name."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from bot.config import load_settings

ROOT = Path(__file__).resolve().parents[1]


def _packages() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return project["tool"]["setuptools"]["packages"]


def test_every_package_folder_is_in_the_wheel_and_the_image() -> None:
    folders = {
        path.parent.relative_to(ROOT).as_posix().replace("/", ".")
        for path in ROOT.glob("*/**/__init__.py")
        if path.relative_to(ROOT).parts[0] not in ("tests", "benchmarks", ".venv", "build")
    }
    packages = set(_packages())
    assert folders <= packages, f"packages the wheel would leave out: {folders - packages}"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copied = set(re.findall(r"^COPY (\S+) \./", dockerfile, re.MULTILINE))
    top_level = {name.split(".")[0] for name in packages} - {"uabot_locale"} | {"locale"}
    assert top_level <= copied, f"folders the image would leave out: {top_level - copied}"
    build_files = re.search(r"^COPY pyproject.toml (.*) \./$", dockerfile, re.MULTILINE)
    assert build_files and "LICENSE" in build_files.group(1).split()  # license-files


def test_every_folder_of_shipped_files_is_a_package_of_the_wheel() -> None:
    """setuptools warns that it will stop installing a folder of data files (migrations,
    samples, catalogs) that is not listed as a package; listed, the wheel keeps them."""
    packages = set(_packages())
    renamed = {"uabot_locale": "locale"}
    unlisted = set()
    for package in packages:
        top, *rest = package.split(".")
        top_folder = ROOT / renamed.get(top, top)
        for folder in (top_folder / Path(*rest)).rglob("*"):
            if folder.name == "__pycache__" or not folder.is_dir():
                continue
            if any(path.is_file() for path in folder.iterdir()):
                unlisted.add(".".join((top, *folder.relative_to(top_folder).parts)))
    unlisted -= packages
    assert not unlisted, f"folders the wheel would stop installing: {unlisted}"


def test_the_image_installs_the_wheel_as_ci_smoke_tests_it() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    smoke = (ROOT / ".ci" / "wheel-smoke").read_text(encoding="utf-8")
    for step in ("pip wheel --quiet --no-deps", "install --quiet"):
        assert step in dockerfile and step in smoke, step


def test_every_setting_the_deployment_files_name_exists(tmp_path: Path) -> None:
    # A plausible value for each setting the files name; a file for each *_FILE one.
    samples = {
        "DATABASE__URL": "postgresql+asyncpg://uabot:pw@postgres/uabot",
        "TELEGRAM__TOKEN": "123456789:AAE" + "x" * 32,
        "SECURITY__SECRET_KEY": "k" * 44,
        "BOT__ADMINS": "[]",
        "BOT__TIMEZONE": "UTC",
        "LOGGING__FORMAT": "json",
        "TELEGRAM__MODE": "webhook",
        "TELEGRAM__URL": "https://bot.example.org/telegram",
        "TELEGRAM__SECRET_TOKEN": "s3cret-token",
        "TELEGRAM__LISTEN": "0.0.0.0:8080",
    }
    for name in ("compose.yaml", "uabot.service"):
        text = (ROOT / "deploy" / name).read_text(encoding="utf-8")
        names = set(re.findall(r"\b(UABOT_[A-Z_]+)\b", text)) - {"UABOT_CONFIG"}
        assert names, name
        environ = {}
        for variable in sorted(names):
            setting = variable.removeprefix("UABOT_").removesuffix("_FILE")
            assert setting in samples, f"{name} names {variable}: add a sample value here"
            value = samples[setting]
            if variable.endswith("_FILE"):
                secret = tmp_path / setting.lower()
                secret.write_text(value, encoding="utf-8")
                value = str(secret)
            environ[variable] = value
        load_settings(None, environ=environ)  # raises, naming the variable, if one is wrong


def test_the_license_file_is_the_one_the_metadata_names() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "AGPL-3.0-or-later"  # an SPDX expression (PEP 639)
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.split()[:4] == ["GNU", "AFFERO", "GENERAL", "PUBLIC"]
    assert "Version 3, 19 November 2007" in text
