"""A tiny document model, rendered both as Markdown (PR comments, terminals) and HTML.

Reports are built once as a list of blocks so the Markdown and the HTML can never disagree.
Inline markup is limited to **bold** and `code`, which both renderers understand.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Para:
    text: str
    css: str = ""          # "warn" / "bad" / "note": HTML colours it, Markdown prefixes a mark


@dataclass
class Table:
    headers: list
    rows: list
    bad_rows: set = field(default_factory=set)   # row indices highlighted as failures
    good_rows: set = field(default_factory=set)


@dataclass
class Image:
    path: str              # PNG file on disk; HTML embeds it, Markdown links it relatively
    caption: str
    rel: str = ""          # path relative to the report folder, for the Markdown link


@dataclass
class Details:
    summary: str
    blocks: list


_MARK = {"warn": "**Warning:** ", "bad": "**FAILED:** ", "note": "_Note:_ "}


def _md_cell(x) -> str:
    return str(x).replace("|", "\\|").replace("\n", " ")


def to_markdown(blocks) -> str:
    out = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append("#" * b.level + " " + b.text)
        elif isinstance(b, Para):
            out.append(_MARK.get(b.css, "") + b.text)
        elif isinstance(b, Table):
            if not b.rows:
                continue
            out.append("| " + " | ".join(_md_cell(h) for h in b.headers) + " |")
            out.append("|" + "---|" * len(b.headers))
            for i, r in enumerate(b.rows):
                cells = [_md_cell(c) for c in r]
                if i in b.bad_rows:
                    cells[0] = "**!! " + cells[0] + "**"
                out.append("| " + " | ".join(cells) + " |")
        elif isinstance(b, Image):
            out.append(f"![{b.caption}]({b.rel or b.path})")
        elif isinstance(b, Details):
            out.append(f"<details><summary>{b.summary}</summary>\n")
            out.append(to_markdown(b.blocks))
            out.append("</details>")
        out.append("")
    return "\n".join(out)
