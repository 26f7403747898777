#!/bin/sh
# man-commands.sh BIN OUT: a help2man include file with a COMMANDS section holding each
# command's own --help, so `man ringlab` has every option of every command.  The command
# names come from `BIN --help`, as the bash completion reads them.
set -eu
bin=$1 out=$2
{
    echo "[COMMANDS]"
    for c in $("$bin" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p'); do
        echo ".SS $c"
        echo ".nf"
        # roff: escape backslashes, and protect lines that start with a control character.
        "$bin" "$c" --help 2>&1 | sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"
        echo ".fi"
    done
} > "$out.tmp"
mv "$out.tmp" "$out"
