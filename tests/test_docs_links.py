"""The README and docs/ link only inside the repository, and every link resolves."""
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: str(path.relative_to(REPO)))
def test_every_link_stays_inside_the_repository_and_resolves(doc):
    problems = []
    for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text()):
        path = target.split("#")[0]
        if "://" in target or target.startswith("mailto:"):
            problems.append(f"{target}: outside the repository")
        elif path:
            resolved = (doc.parent / path).resolve()
            if not resolved.is_relative_to(REPO):
                problems.append(f"{target}: outside the repository")
            elif not resolved.exists():
                problems.append(f"{target}: no such file")
    assert problems == []


def test_the_readme_is_a_front_door_of_at_most_200_lines():
    assert len((REPO / "README.md").read_text().splitlines()) <= 200
