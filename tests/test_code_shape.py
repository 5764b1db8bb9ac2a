"""The engines stay readable: each is split into named steps that fit a screen."""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAX_LINES = 60


def test_no_engine_function_is_longer_than_a_screen():
    long = []
    for path in sorted(REPO.glob("*/models/*engine.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_LINES:
                    long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({lines})")
    assert not long, long
