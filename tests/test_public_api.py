"""The public API of `jobstatus`: one sorted `__all__`, every name importable, loaded lazily."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import jobstatus

INIT = Path(jobstatus.__file__)


def _type_checking_imports() -> dict[str, str]:
    """`name -> module` of the imports under `if TYPE_CHECKING:` in jobstatus/__init__.py."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    [block] = [node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"]
    return {
        alias.name: "." * statement.level + (statement.module or "")
        for statement in block.body
        if isinstance(statement, ast.ImportFrom)
        for alias in statement.names
    }


def test_type_checking_imports_lazy_imports_and_all_agree() -> None:
    assert _type_checking_imports() == jobstatus._LAZY_IMPORTS
    assert set(jobstatus.__all__) == {*jobstatus._LAZY_IMPORTS, "VERSION"}
    assert len(jobstatus.__all__) == len(set(jobstatus.__all__))


@pytest.mark.parametrize("name", jobstatus.__all__)
def test_every_public_name_resolves_to_its_module(name: str) -> None:
    value = getattr(jobstatus, name)
    assert name in dir(jobstatus)
    module = jobstatus._LAZY_IMPORTS.get(name)
    if module is not None:
        assert value is getattr(sys.modules[f"jobstatus{module}"], name)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'JobStatuss'"):
        jobstatus.JobStatuss  # type: ignore[attr-defined]


def test_import_builds_nothing_until_a_name_is_used() -> None:
    code = (
        "import sys, jobstatus\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('jobstatus.'))\n"
        "assert loaded == ['jobstatus.version'], loaded\n"
        "from jobstatus import JobStatus\n"
        "assert 'jobstatus.providers' not in sys.modules and 'jobstatus.bulk' not in sys.modules\n"
        "assert JobStatus.model_validate({'value': 'On Hold'}).value == 'on_hold'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
