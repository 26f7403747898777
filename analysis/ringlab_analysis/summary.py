"""`compare --summary FILE`: Markdown to paste as it is into a PR comment or a CI job summary.

The report's own compare.md links its figure by a relative path, which shows nothing once the
text is pasted elsewhere.  The summary is the same blocks with the figure embedded as a data
URI when everything fits under MAX_BYTES (at full, else at half resolution) (GitHub's job-summary limit is 1 MiB, a PR comment
65536 characters; 64 KiB is under both), else without the figure and a sentence that says so;
if even the text is too long, the "All configurations" table goes, then rows of the remaining
tables, each time with a sentence.  Some hosts (GitHub among them) drop data-URI images when
rendering; `RINGLAB_SUMMARY_IMAGES=omit` leaves the figure out on purpose.
"""
from __future__ import annotations

import base64
import io
import os

from . import compare as C
from . import doc as D

MAX_BYTES = 64 * 1024


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _image_md(png: str, caption: str, step: int = 1) -> str:
    """The PNG as a Markdown data-URI image; step > 1 keeps every step-th pixel (a smaller file)."""
    if step == 1:
        with open(png, "rb") as f:
            raw = f.read()
    else:
        import matplotlib.image as mpimg
        buf = io.BytesIO()
        mpimg.imsave(buf, mpimg.imread(png)[::step, ::step], format="png")
        raw = buf.getvalue()
    data = base64.b64encode(raw).decode("ascii")
    return f"![{caption}](data:image/png;base64,{data})\n"


def _fit_tables(blocks, budget: int):
    """Drop table rows from the end until the Markdown fits; say how many went."""
    dropped = 0
    while _size(D.to_markdown(blocks)) > budget:
        tables = [b for b in blocks if isinstance(b, D.Table) and b.rows]
        if not tables:
            break
        t = max(tables, key=lambda t: len(t.rows))
        t.rows.pop()
        dropped += 1
    return dropped


def render(res: C.CompareResult, figure: str | None, max_bytes: int = MAX_BYTES) -> str:
    blocks = C.summary_blocks(res, None)
    notes = []
    md = D.to_markdown(blocks)
    if _size(md) > max_bytes:
        blocks = [b for b in blocks if not isinstance(b, D.Details)]
        notes.append("The table of all configurations was left out to keep this summary under "
                     f"{max_bytes // 1024} KiB; compare.md and compare.json beside the report have it.")
        md = D.to_markdown(blocks)
    reserve = 600   # room for the sentences below
    if _size(md) > max_bytes - reserve:
        n = _fit_tables(blocks, max_bytes - reserve)
        notes.append(f"{n} table row(s) were cut to stay under {max_bytes // 1024} KiB; "
                     "compare.md and compare.json have every row.")
        md = D.to_markdown(blocks)
    tail = "\n".join(notes) + ("\n" if notes else "")
    if figure and os.path.isfile(figure):
        caption = "change of the median ns per buffer with its 95% CI, per configuration"
        fits = None
        if os.environ.get("RINGLAB_SUMMARY_IMAGES") != "omit":
            for step in (1, 2):   # full size, then half the resolution in each direction
                img = _image_md(figure, caption, step)
                if _size(md) + _size(img) + _size(tail) + 2 <= max_bytes:
                    fits = img
                    break
        if os.environ.get("RINGLAB_SUMMARY_IMAGES") == "omit":
            tail += f"The figure ({os.path.basename(figure)}) is left out (RINGLAB_SUMMARY_IMAGES=omit).\n"
        elif fits:
            tail = fits + tail
        else:
            tail += (f"The figure ({os.path.basename(figure)}, {_size(img) // 1024} KiB as a data URI) is left "
                     f"out to keep this summary under {max_bytes // 1024} KiB; it is in the report folder.\n")
    return md + ("\n" + tail if tail else "")


def write(res: C.CompareResult, figure, path: str, max_bytes: int = MAX_BYTES):
    text = render(res, figure, max_bytes)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
