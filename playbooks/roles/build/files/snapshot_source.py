#!/usr/bin/env python3
"""Snapshot the controller's source tree as a reproducible tar.

Usage: snapshot_source.py SRC_DIR OUT_TAR

Takes the files git tracks plus untracked files that are not ignored (so an
uncommitted edit is built too, and flagged dirty), with every header field
fixed (mtime 0, uid/gid 0, sorted names). The same tree therefore yields the
same bytes, and the copy to each host is a no-op on a second run.
Prints one JSON object: revision, dirty, digest (sha256 of the tar), changed.
"""
import hashlib
import json
import os
import subprocess
import sys
import tarfile


def git(src, *args):
    return subprocess.run(["git", "-C", src, *args], check=True,
                          capture_output=True, text=True).stdout


def tracked_files(src):
    out = git(src, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    names = sorted({n for n in out.split("\0") if n})
    # A tracked file deleted in the working tree is not part of the snapshot.
    return [n for n in names if os.path.lexists(os.path.join(src, n))
            and not os.path.isdir(os.path.join(src, n))]


def normalised(info):
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    # Keep only the executable bit: umasks differ between controllers.
    info.mode = 0o755 if info.mode & 0o111 else 0o644
    return info


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main():
    src, out = sys.argv[1], sys.argv[2]
    revision = git(src, "rev-parse", "HEAD").strip()
    dirty = bool(git(src, "status", "--porcelain").strip())
    tmp = f"{out}.tmp.{os.getpid()}"
    with tarfile.open(tmp, "w", format=tarfile.GNU_FORMAT) as tar:
        for name in tracked_files(src):
            tar.add(os.path.join(src, name), arcname=name, recursive=False,
                    filter=normalised)
    digest = sha256(tmp)
    changed = not os.path.exists(out) or sha256(out) != digest
    if changed:
        os.replace(tmp, out)
    else:
        os.unlink(tmp)
    json.dump({"revision": revision, "dirty": dirty, "digest": digest,
               "changed": changed, "tar": out}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
