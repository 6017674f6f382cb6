"""Documentation that runs: every ```python block in the README, docs/ and the package's docstrings
is executed, and the README's generated tables must match the data they come from."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import jobstatus
from tools.readme import render_blocks

ROOT = Path(__file__).parent.parent
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _package_modules() -> Iterator[ModuleType]:
    yield jobstatus
    for info in pkgutil.walk_packages(jobstatus.__path__, prefix="jobstatus."):
        yield importlib.import_module(info.name)


def _docstring_blocks() -> Iterator[tuple[str, str]]:
    seen: set[int] = set()
    for module in _package_modules():
        owners: list[tuple[str, object]] = [(module.__name__, module)]
        for name, member in vars(module).items():
            if getattr(member, "__module__", None) == module.__name__ and (
                inspect.isclass(member) or inspect.isfunction(member)
            ):
                owners.append((f"{module.__name__}.{name}", member))
                if inspect.isclass(member):
                    owners.extend(
                        (f"{module.__name__}.{name}.{attribute}", value)
                        for attribute, value in vars(member).items()
                        if inspect.isfunction(value)
                    )
        for owner_name, owner in owners:
            doc = inspect.getdoc(owner)
            if doc and id(owner) not in seen:
                seen.add(id(owner))
                for index, block in enumerate(_PYTHON_BLOCK.findall(doc)):
                    yield f"{owner_name}[{index}]", block


def _markdown_blocks() -> Iterator[tuple[str, str]]:
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for match in _PYTHON_BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            yield f"{path.relative_to(ROOT)}:{line}", match[1]


BLOCKS = dict([*_docstring_blocks(), *_markdown_blocks()])


@pytest.mark.parametrize("code", list(BLOCKS.values()), ids=list(BLOCKS))
def test_code_block_runs(code: str) -> None:
    # dont_inherit: a block runs as written, not under this module's `from __future__ import annotations`
    exec(compile(textwrap.dedent(code), "<doc>", "exec", dont_inherit=True), {"__name__": "__doc_example__"})


def test_every_public_name_has_a_runnable_example() -> None:
    documented = {name.split("[")[0].rsplit(".", 1)[-1] for name in BLOCKS}
    for name in jobstatus.__all__:
        value = getattr(jobstatus, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert name in documented, f"{name} has no ```python example in its docstring"


def test_readme_generated_blocks_are_fresh() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "<!-- generated:job-status-values -->" in readme
    assert render_blocks(readme) == readme, "README.md is stale: run `make docs`"


def _layout() -> list[str]:
    """The paths the README's layout block names: `jobstatus/webhooks/_events.py`, `docs/`, ..."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Layout\n", 1)[1].split("```\n")[1]
    paths: list[str] = []
    parents: list[str] = []
    for line in block.splitlines():
        depth = (len(line) - len(line.lstrip(" "))) // 2
        name = line.split()[0]
        del parents[depth:]
        paths.append("".join(parents) + name)
        if name.endswith("/"):
            parents.append(name)
    return paths


def _tracked(folder: Path) -> set[str]:
    """The entries of a package folder a reader needs named: modules and sub-packages."""
    return {
        path.name + ("/" if path.is_dir() else "")
        for path in folder.iterdir()
        if path.name not in {"__pycache__", "py.typed"}
    }


def test_the_readme_layout_matches_the_tree() -> None:
    paths = _layout()
    assert [path for path in paths if not (ROOT / path).exists()] == [], "the README names paths that do not exist"
    listed = set(paths)
    for folder in ("jobstatus", "jobstatus/webhooks", "jobstatus/fastapi", "jobstatus/providers"):
        named = {path.removeprefix(folder + "/") for path in listed if path.startswith(folder + "/")}
        named = {name for name in named if name.count("/") <= (1 if name.endswith("/") else 0)}
        assert _tracked(ROOT / folder) - named == set(), f"the README's layout leaves out part of {folder}/"
    top = {path.name + "/" for path in ROOT.iterdir() if path.is_dir() and not path.name.startswith(".")}
    top -= {"__pycache__/", "node_modules/", "build/", "dist/"}
    assert {folder for folder in top if not folder.endswith(".egg-info/")} - listed == set()
