"""The distributions as built: the wheel carries the package's data, the sdist the whole test
suite, and the floors `make compat` proves are the ones pyproject.toml declares.

The archives are built in-process by hatchling's PEP 517 hooks (about a second); `make compat`
builds them with `python -m build` and runs the unpacked sdist's suite.
"""

from __future__ import annotations

import re
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from hatchling.build import build_sdist, build_wheel

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        build_wheel(str(out))
        build_sdist(str(out))
    return out


@pytest.fixture(scope="module")
def wheel_names(dist: Path) -> set[str]:
    [wheel] = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.fixture(scope="module")
def sdist_names(dist: Path) -> set[str]:
    [sdist] = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        return {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}


def _package_files(pattern: str) -> set[str]:
    return {
        str(path.relative_to(ROOT)) for path in (ROOT / "jobstatus").glob(pattern) if "__pycache__" not in path.parts
    }


def test_the_wheel_carries_the_package_its_marker_and_its_data(wheel_names: set[str]) -> None:
    data = _package_files("providers/data/*.toml") | _package_files("schemas/*/*.json")
    assert any(name.endswith(".toml") for name in data), "no provider tables found in the checkout"
    assert any(name.endswith(".json") for name in data), "no generated schemas found in the checkout"
    expected = {"jobstatus/py.typed", *data, *_package_files("**/*.py")}
    assert expected <= wheel_names, sorted(expected - wheel_names)
    top_levels = {name.split("/")[0] for name in wheel_names}
    assert top_levels == {"jobstatus", "jobstatus-0.1.0.dist-info"}, top_levels


def test_the_wheel_metadata(wheel_names: set[str], dist: Path) -> None:
    [wheel] = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        metadata = Parser().parsestr(archive.read("jobstatus-0.1.0.dist-info/METADATA").decode())
    assert "jobstatus-0.1.0.dist-info/licenses/LICENSE" in wheel_names
    assert metadata["License-Expression"] == "MIT"
    # Only what a user installs is an extra; the development tools are dependency groups.
    assert sorted(metadata.get_all("Provides-Extra") or []) == ["fast", "fastapi", "webhooks"]
    classifiers = set(metadata.get_all("Classifier") or [])
    for version in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert {"Framework :: Pydantic :: 2", "Framework :: FastAPI", "Typing :: Typed"} <= classifiers


def test_the_sdist_holds_what_its_tests_need(sdist_names: set[str]) -> None:
    needed = {
        "pyproject.toml",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "constraints.txt",
        "Makefile",
        "examples/__init__.py",
        "jobstatus/py.typed",
    }
    for folder in ("tests", "examples", "fuzz", "docs", "jobstatus"):
        needed |= {
            str(path.relative_to(ROOT))
            for path in (ROOT / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".pyc", ".db", ".sqlite3"}
        }
    assert needed <= sdist_names, sorted(needed - sdist_names)
    assert not any(name.startswith((".ci/", ".venv")) for name in sdist_names)


def _floor(requirement: str) -> tuple[str, str]:
    match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(?:,<[0-9.]+)?(?:;.*)?", requirement)
    assert match, f"{requirement!r} has no floor"
    return match[1].lower().replace("_", "-"), match[2]


def test_the_floors_make_compat_runs_are_the_declared_ones() -> None:
    project = PYPROJECT["project"]
    declared = dict(map(_floor, [*project["dependencies"], *project["optional-dependencies"]["fastapi"]]))
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    [pins] = re.findall(r"^FLOOR := (.*)$", makefile, re.MULTILINE)
    tested = dict(pin.lower().split("==") for pin in pins.split())
    # pip installs "4.16.0" for a floor of "4.16": compare as version tuples without trailing zeros
    normal = {name: re.sub(r"(\.0)+$", "", version) for name, version in declared.items()}
    assert {name: re.sub(r"(\.0)+$", "", version) for name, version in tested.items()} == normal
