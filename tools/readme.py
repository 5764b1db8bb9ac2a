"""Write each addon's README.md from its readme/ fragments. Usage: readme.py ADDON..."""

import ast
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("CONTRIBUTORS.md", "Contributors"),
]


def render(addon):
    manifest = ast.literal_eval((REPO / addon / "__manifest__.py").read_text())
    parts = [f"# {manifest['name']}\n", f"{manifest['summary']}\n"]
    for filename, title in SECTIONS:
        fragment = REPO / addon / "readme" / filename
        if fragment.exists():
            parts.append((f"## {title}\n\n" if title else "") + fragment.read_text())
    text = "\n".join(parts)
    text += "\n<!-- generated from readme/ by tools/readme.py: edit the fragments -->\n"
    (REPO / addon / "README.md").write_text(text)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        render(name)
