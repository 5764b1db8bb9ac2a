"""Write each addon's README.md, and the static/description/index.html that the Apps page
shows, from its readme/ fragments. Usage: readme.py [--check] ADDON...

With --check nothing is written; the exit status says whether every file is up to date."""

import ast
import sys
from pathlib import Path

import markdown

REPO = Path(__file__).resolve().parent.parent
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("ROADMAP.md", "Known issues / Roadmap"),
    ("CONTRIBUTORS.md", "Contributors"),
]
GENERATED = "generated from readme/ by tools/readme.py: edit the fragments"


def render(addon):
    """{path: text} of the files generated for ``addon``."""
    manifest = ast.literal_eval((REPO / addon / "__manifest__.py").read_text())
    parts = [f"# {manifest['name']}\n", f"{manifest['summary']}\n"]
    for filename, title in SECTIONS:
        fragment = REPO / addon / "readme" / filename
        if fragment.exists():
            parts.append((f"## {title}\n\n" if title else "") + fragment.read_text())
    text = "\n".join(parts)
    html = markdown.markdown(text, output_format="html")
    return {
        REPO / addon / "README.md": f"{text}\n<!-- {GENERATED} -->\n",
        REPO / addon / "static" / "description" / "index.html": (
            f'<!-- {GENERATED} -->\n<section class="oe_container">\n{html}\n</section>\n'
        ),
    }


def main(args):
    check = "--check" in args
    stale = []
    for addon in (arg for arg in args if arg != "--check"):
        for path, text in render(addon).items():
            if path.exists() and path.read_text() == text:
                continue
            stale.append(path.relative_to(REPO))
            if not check:
                path.write_text(text)
    if check and stale:
        print(f"out of date (run `make readme`): {', '.join(map(str, stale))}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
