"""The distributions as built: the wheel carries the package's data, the sdist the whole test
suite, and the floors `make compat` proves are the ones pyproject.toml declares.

The archives are built in-process by hatchling's PEP 517 hooks (about a second); `make compat`
builds them with `python -m build` and runs the unpacked sdist's suite.
"""

from __future__ import annotations

import re
import subprocess
import sys
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
    # `standardwebhooks` comes with the `webhooks` extra only: `jobstatus.fastapi` runs without it
    requirements = metadata.get_all("Requires-Dist") or []
    standard = [requirement for requirement in requirements if requirement.startswith("standardwebhooks")]
    assert standard == ["standardwebhooks>=1.1; extra == 'webhooks'"]
    classifiers = set(metadata.get_all("Classifier") or [])
    for version in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert {"Framework :: Pydantic :: 2", "Framework :: FastAPI", "Typing :: Typed"} <= classifiers


def _project_files(folder: str) -> set[str]:
    """The files of `folder` that are the project's: in a git checkout those git does not ignore
    (so not what `make consumers` installs in tests/consumers/node_modules), in an unpacked sdist
    every file."""
    if (ROOT / ".git").exists():
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", folder],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return {name for name in listed.stdout.splitlines() if (ROOT / name).is_file()}
    return {str(path.relative_to(ROOT)) for path in (ROOT / folder).rglob("*") if path.is_file()}


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
            name
            for name in _project_files(folder)
            if "__pycache__" not in name and Path(name).suffix not in {".pyc", ".db", ".sqlite3"}
        }
    assert "tests/test_packaging.py" in needed  # the listing found the project's files
    assert needed <= sdist_names, sorted(needed - sdist_names)
    assert not any(name.startswith((".ci/", ".venv")) for name in sdist_names)


def _floor(requirement: str) -> tuple[str, str]:
    match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(?:,<[0-9.]+)?(?:;.*)?", requirement)
    assert match, f"{requirement!r} has no floor"
    return match[1].lower().replace("_", "-"), match[2]


def test_the_floors_make_compat_runs_are_the_declared_ones() -> None:
    project = PYPROJECT["project"]
    extras = project["optional-dependencies"]
    declared = dict(map(_floor, [*project["dependencies"], *extras["fastapi"], *extras["webhooks"]]))
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    [pins] = re.findall(r"^FLOOR := (.*)$", makefile, re.MULTILINE)
    tested = dict(pin.lower().split("==") for pin in pins.split())
    # pip installs "4.16.0" for a floor of "4.16": compare as version tuples without trailing zeros
    normal = {name: re.sub(r"(\.0)+$", "", version) for name, version in declared.items()}
    assert {name: re.sub(r"(\.0)+$", "", version) for name, version in tested.items()} == normal


# Run in a fresh interpreter where `import standardwebhooks` fails, as in an environment with the
# `fastapi` extra alone: a StackOne route answers, and only StandardWebhooksScheme asks for the extra.
WITHOUT_STANDARDWEBHOOKS = """
import asyncio, base64, hashlib, hmac, sys

sys.modules["standardwebhooks"] = None  # an import of it now raises ImportError

import httpx
from fastapi import FastAPI
from jobstatus.fastapi import VerifiedWebhook, configure_webhooks
from jobstatus.webhooks import StackOneScheme, StandardWebhooksScheme, WebhookConfig

app = FastAPI()
configure_webhooks(app, WebhookConfig(StackOneScheme(secrets=("s3cret",))))

@app.post("/webhooks")
def receive(delivery: VerifiedWebhook) -> str:
    return str(delivery.event.event)

body = b'{"event": "ats_jobs.updated", "event_data": {"id": "c28xIQ", "job_status": {"value": "On Hold"}}}'
signature = base64.urlsafe_b64encode(hmac.new(b"s3cret", body, hashlib.sha256).digest()).decode()

async def post(signature: str) -> httpx.Response:
    headers = {"content-type": "application/json", "x-stackone-signature": signature}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        return await client.post("/webhooks", content=body, headers=headers)

print(asyncio.run(post(signature)).status_code, asyncio.run(post("forged")).status_code)
try:
    StandardWebhooksScheme(secrets=("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",))
except ImportError as error:
    print(error)
"""


def test_the_fastapi_extra_runs_without_standardwebhooks() -> None:
    ran = subprocess.run(
        [sys.executable, "-c", WITHOUT_STANDARDWEBHOOKS], capture_output=True, text=True, timeout=60, check=False
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == [
        "200 401",
        "StandardWebhooksScheme needs standardwebhooks: pip install 'jobstatus[webhooks]'",
    ]
