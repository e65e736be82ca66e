"""mkdocs hook: the C++ API page lists every public header of the core.

The headers under ``cpp/include/assay`` are the C++ reference: each opens with a comment that
says what it provides, and every entry point carries its contract (arguments, layout, the
exception it throws). The page is built from the files at each docs build, so it cannot fall
behind them: one section per engine folder, the header's opening comment as prose, then the
header itself.
"""

from __future__ import annotations

from pathlib import Path

MARKER = "<!-- cpp-headers -->"
INCLUDE_DIR = Path(__file__).resolve().parent.parent / "cpp" / "include"


def _opening_comment(lines: list[str]) -> str:
    """The ``//`` comment block right after ``#pragma once``, as plain text."""
    prose: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped == "#pragma once":
            continue
        if not stripped.startswith("//"):
            break
        prose.append(stripped[2:].strip())
    return "\n".join(prose)


def _header_sections() -> str:
    sections: list[str] = []
    folders = sorted({path.parent for path in INCLUDE_DIR.rglob("*.hpp")})
    for folder in folders:
        sections.append(f"## `{folder.relative_to(INCLUDE_DIR)}/`\n")
        for header in sorted(folder.glob("*.hpp")):
            text = header.read_text()
            include = header.relative_to(INCLUDE_DIR).as_posix()
            sections.append(f"### `#include <{include}>`\n")
            summary = _opening_comment(text.splitlines())
            if summary:
                sections.append(summary + "\n")
            code = ["```cpp", *text.splitlines(), "```"]
            sections.append(f'??? note "{include}"\n\n' + "\n".join("    " + line for line in code) + "\n")
    return "\n".join(sections)


def on_page_markdown(markdown: str, page, config, files) -> str:  # mkdocs calls hooks with these arguments
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, _header_sections())
