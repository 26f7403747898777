"""Writing outputs safely: every file through a temporary name in the same directory and
os.replace(), so a full disk or a crash never leaves a truncated report, JSON or PNG; and
--out checked before any work (an existing file, '', /proc, a read-only mount are refused
with one sentence)."""
from __future__ import annotations

import os
import tempfile

from .load import BadInput


def check_out_dir(path: str) -> None:
    """Creates path if needed; BadInput naming the problem when it cannot hold outputs."""
    if not path:
        raise BadInput("--out is empty; give a directory for the outputs")
    if os.path.lexists(path) and not os.path.isdir(path):
        raise BadInput(f"--out {path} exists and is not a directory; give a new or existing directory")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise BadInput(f"--out {path} cannot be created: {e.strerror or e}")
    # access() is not enough (a read-only mount, /proc): try to create a file there.
    try:
        fd, probe = tempfile.mkstemp(prefix=".ringlab-probe-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise BadInput(f"--out {path} is not writable: {e.strerror or e}")


def _replace_from(tmp: str, path: str) -> None:
    try:
        os.replace(tmp, path)
    except OSError:
        _unlink_quietly(tmp)
        raise


def _unlink_quietly(p: str) -> None:
    try:
        os.unlink(p)
    except OSError:
        pass


def _tmp_for(path: str) -> str:
    d = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=d)
    os.close(fd)
    return tmp


def write_text(path: str, text: str) -> None:
    tmp = _tmp_for(path)
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        _unlink_quietly(tmp)
        raise
    _replace_from(tmp, path)


def save_figure(fig, path: str, **kwargs) -> None:
    tmp = _tmp_for(path)
    try:
        fig.savefig(tmp, format=os.path.splitext(path)[1].lstrip(".") or "png", **kwargs)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    _replace_from(tmp, path)
