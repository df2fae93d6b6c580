"""Folder trees deeper than Python's recursion limit, made and removed without recursion.

``os.makedirs`` and ``shutil.rmtree`` both recurse, so a 1,000-deep tree left in a pytest
temporary folder would crash pytest's own clean-up of old runs: tests remove theirs.
"""

from __future__ import annotations

import os
from pathlib import Path


def mkdir_deep(root: Path, depth: int, name: str = "d") -> Path:
    """``depth`` nested folders under ``root``, made one at a time; returns the deepest."""
    folder = root
    for _ in range(depth):
        folder = folder / name
        folder.mkdir()
    return folder


def remove_tree(top: Path) -> None:
    """Remove ``top`` and everything under it, deepest first, with a stack instead of recursion."""
    stack = [os.fspath(top)]
    while stack:
        folder = stack[-1]
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            stack.pop()
            continue
        subfolders = [entry.path for entry in entries if entry.is_dir(follow_symlinks=False)]
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
        if subfolders:
            stack.extend(subfolders)
        else:
            os.rmdir(folder)
            stack.pop()
