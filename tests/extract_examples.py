"""Write every ```python block of the README and docs/ to its own module, for the type checkers.

    python tests/extract_examples.py OUT_DIR

Each block becomes `OUT_DIR/<file>_<line>.py` (`readme_31.py` for the block at README.md:31), so
a type checker's message names the block. tests/test_docs.py runs the same blocks.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def sources() -> list[Path]:
    """The documents whose examples are checked: the README and every page of docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def extract(out: Path) -> list[Path]:
    """Write the blocks to `out` (emptied of earlier blocks first) and return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.py"):
        old.unlink()
    written = []
    for source in sources():
        text = source.read_text(encoding="utf-8")
        for match in PYTHON_BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            path = out / f"{source.stem.lower()}_{line}.py"
            path.write_text(f"# {source.relative_to(ROOT)}:{line}\n{match[1]}", encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    print(f"{len(extract(Path(sys.argv[1])))} examples written to {sys.argv[1]}")
