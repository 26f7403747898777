#!/usr/bin/env bash
# Prints the path of a Python 3 that has numpy, scipy and matplotlib.
# Order: $RINGLAB_PYTHON, Debian's /usr/bin/python3, then python3 on PATH.
# (On many machines `python3` on PATH is a pyenv or venv interpreter without
# Debian's packages; /usr/bin/python3 is the one apt installs them for.)
for py in "${RINGLAB_PYTHON:-}" /usr/bin/python3 "$(command -v python3 || true)"; do
    [[ -n "$py" && -x "$py" ]] || continue
    if "$py" -c 'import numpy, scipy, matplotlib' 2>/dev/null; then
        echo "$py"
        exit 0
    fi
done
echo "no Python 3 with numpy, scipy and matplotlib found: run runners/setup-deps.sh" \
     "(Debian packages python3-numpy python3-scipy python3-matplotlib) or set RINGLAB_PYTHON" >&2
exit 1
