"""Self-contained HTML rendering of a report (doc.py blocks); PNGs are embedded as base64.

Self-contained on purpose: a report is mailed, attached to CI runs and opened offline, so
it must not depend on files next to it or on any network resource.
"""
from __future__ import annotations

import base64
import html
import re

from .doc import Details, Heading, Image, Para, Table

_CSS = """
body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left}
th{background:#f0f0f0} tr.bad td{background:#ffd6d6;font-weight:bold} tr.good td{background:#e3f6e3}
p.warn{background:#fff4cc;padding:.4em} p.bad{background:#ffd6d6;padding:.4em;font-weight:bold}
p.note{color:#555;font-style:italic} img{max-width:100%;border:1px solid #ddd;margin:.3em 0}
figure{margin:1em 0} figcaption{font-size:.85em;color:#444} code{background:#f4f4f4;padding:0 .2em}
"""


def inline(text: str) -> str:
    t = html.escape(str(text))
    t = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", t)
    t = re.sub(r"`(.+?)`", r"<code>\1</code>", t)
    return t


def image_data_uri(path: str) -> str:
    with open(path, "rb") as f:
        return "data:image/png;base64," + base64.b64encode(f.read()).decode("ascii")


def _render(blocks, out):
    for b in blocks:
        if isinstance(b, Heading):
            lvl = min(max(b.level, 1), 6)
            out.append(f"<h{lvl}>{inline(b.text)}</h{lvl}>")
        elif isinstance(b, Para):
            cls = f' class="{b.css}"' if b.css else ""
            out.append(f"<p{cls}>{inline(b.text)}</p>")
        elif isinstance(b, Table):
            if not b.rows:
                continue
            out.append("<table><thead><tr>" + "".join(f"<th>{inline(h)}</th>" for h in b.headers)
                       + "</tr></thead><tbody>")
            for i, r in enumerate(b.rows):
                cls = ' class="bad"' if i in b.bad_rows else (' class="good"' if i in b.good_rows else "")
                out.append(f"<tr{cls}>" + "".join(f"<td>{inline(c)}</td>" for c in r) + "</tr>")
            out.append("</tbody></table>")
        elif isinstance(b, Image):
            out.append(f'<figure><img src="{image_data_uri(b.path)}" alt="{html.escape(b.caption)}">'
                       f"<figcaption>{inline(b.caption)}</figcaption></figure>")
        elif isinstance(b, Details):
            out.append(f"<details><summary>{inline(b.summary)}</summary>")
            _render(b.blocks, out)
            out.append("</details>")


def to_html(title: str, blocks) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"]
    _render(blocks, out)
    out.append("</body></html>")
    return "\n".join(out) + "\n"
