#!/usr/bin/python3
"""check_disasm.py: prove that barrier_table.hpp tells the truth.

Compiles probe.cpp (one function per policy x site kind, and one per
primitive) and ringsim's barrier_ops.cpp with the compiler for one
architecture, disassembles them with that architecture's objdump, and checks
each function against the table, which it reads as JSON from dump_table (the
header's own data, never a copy):

  * every instruction the table lists for the site is in the function;
  * every fence instruction in the function is one the table lists, so a site
    the table calls fence-free (compiler barrier only) contains no fence.

Exit status: 0 all rows hold, 1 a row does not, 77 the tool chain for this
architecture is missing (CTest reports the test as skipped, not passed).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# objdump spells some instructions differently from assembler source.
ALIASES = {
    "ppc64le": {"hwsync": "sync", "mr r1 r1": "or 1 1 1", "mr r2 r2": "or 2 2 2"},
}

ARM_ORDERED_ACCESS = re.compile(r"^(ldar|ldapr|ldaxr|stlr|stlxr|ldlar|stllr)\w*$")


def tokens(text):
    return [t for t in re.split(r"[\s,]+", text.strip()) if t]


def normalize(arch, insn):
    """Strip comments and symbolic targets, apply aliases; return token list."""
    insn = re.split(r"\s(?:#|//|<)", " " + insn, maxsplit=1)[0]
    joined = " ".join(tokens(insn))
    joined = ALIASES.get(arch, {}).get(joined, joined)
    return tokens(joined)


def fence_key(arch, toks):
    """The table spelling of a fence instruction, or None if toks is not a fence."""
    if not toks:
        return None
    m = toks[0]
    if arch == "x86_64":
        if m in ("mfence", "lfence", "sfence"):
            return m
        if m == "lock" and len(toks) > 1:
            return "lock " + toks[1]
        if m.startswith("xchg") and any("(" in t for t in toks[1:]):
            return "xchg"  # implicitly locked when it touches memory
    elif arch == "aarch64":
        if m in ("dmb", "dsb") and len(toks) > 1:
            return m + " " + toks[1]
        if m == "isb" or ARM_ORDERED_ACCESS.match(m):
            return m
    elif arch == "ppc64le":
        if m in ("sync", "lwsync", "isync", "eieio", "ptesync"):
            return m
    return None


def disassemble(objdump, obj, arch):
    """{function name: [token lists]} of every function in obj."""
    out = subprocess.run([objdump, "-d", "--no-show-raw-insn", obj], check=True,
                         capture_output=True, text=True).stdout
    funcs, cur = {}, None
    for line in out.splitlines():
        head = re.match(r"^[0-9a-f]+ <([^>]+)>:$", line)
        if head:
            cur = funcs.setdefault(head.group(1), [])
            continue
        body = re.match(r"^\s+[0-9a-f]+:\t(.*)$", line)
        if body and cur is not None:
            toks = normalize(arch, body.group(1))
            if toks:
                cur.append(toks)
    return funcs


def check(arch, fname, want, funcs):
    """Problems with one function against one row's instruction list."""
    if fname not in funcs:
        return ["function %s not found in the disassembly" % fname]
    body = funcs[fname]
    problems = []
    for w in want:
        wt = tokens(w)
        if not any(t[:len(wt)] == wt for t in body):
            problems.append("expected '%s', not emitted" % w)
    for t in body:
        key = fence_key(arch, t)
        if key is not None and key not in want:
            problems.append("unexpected fence '%s'" % " ".join(t))
    if problems:
        problems.append("disassembly: " + "; ".join(" ".join(t) for t in body))
    return problems


def selftest(arch, table, funcs):
    """Feed check() two wrong rows; count a failure for each one it lets through."""
    rows = {(r["policy"], r["site"]): r for r in table["sites"] if r["arch"] == arch}
    strong = rows[("mandatory", "notify-check")]["insns"]
    missed = 0
    # A fenced site described as fence-free must show an unexpected fence.
    if not any("unexpected fence" in p for p in check(arch, "probe_mandatory_notify", [], funcs)):
        print("FAIL selftest: a fence the table omits went unnoticed")
        missed += 1
    # A fence-free site described as fenced must show a missing instruction.
    if not any("not emitted" in p for p in check(arch, "probe_compiler_notify", strong, funcs)):
        print("FAIL selftest: a fence the table claims went unnoticed")
        missed += 1
    if not missed:
        print("ok   selftest: wrong rows are caught")
    return missed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", required=True, choices=["x86_64", "aarch64", "ppc64le"])
    ap.add_argument("--cxx", required=True, help="C++ compiler for that architecture")
    ap.add_argument("--objdump", required=True)
    ap.add_argument("--table", required=True, help="dump_table executable")
    ap.add_argument("--source-dir", required=True, help="repository root")
    ap.add_argument("--cxxflags", default="-O2", help="optimisation flags for the probes")
    ap.add_argument("--selftest", action="store_true",
                    help="also prove the checker can fail: a wrong table must be caught")
    args = ap.parse_args()

    for tool in (args.cxx, args.objdump):
        if shutil.which(tool) is None:
            print("SKIP: %s not found; install the %s cross tool chain" % (tool, args.arch))
            return 77

    table = json.loads(subprocess.run([args.table], check=True, capture_output=True,
                                      text=True).stdout)
    src = args.source_dir
    funcs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("tests/barriers/probe.cpp", "ringsim/src/barrier_ops.cpp"):
            obj = os.path.join(tmp, os.path.basename(name) + ".o")
            cmd = [args.cxx, "-std=c++20", *args.cxxflags.split(), "-Wall", "-Wextra",
                   "-I", os.path.join(src, "ringsim/include"), "-c", os.path.join(src, name),
                   "-o", obj]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                print("FAIL: compiling %s:\n%s" % (name, r.stderr))
                return 1
            funcs.update(disassemble(args.objdump, obj, args.arch))

    failures, rows = 0, 0
    site_sym = {"publish": "publish", "consume": "consume", "notify-check": "notify"}
    seen = set()
    for row in table["sites"]:
        if row["arch"] != args.arch:
            continue
        rows += 1
        seen.add((row["policy"], row["site"]))
        fname = "probe_%s_%s" % (row["policy"].replace("-", "_"), site_sym[row["site"]])
        problems = check(args.arch, fname, row["insns"], funcs)
        label = "%-14s %-13s %-22s" % (row["policy"], row["site"],
                                        " | ".join(row["insns"]) or "(no fence)")
        print(("FAIL " if problems else "ok   ") + label)
        for p in problems:
            print("       " + p)
        failures += bool(problems)
    for pol in table["policies"]:
        for site in site_sym:
            if (pol, site) not in seen:
                print("FAIL %s %s: no row in the table for %s" % (pol, site, args.arch))
                failures += 1

    prims = {p["name"]: p["insns"] for p in table["primitives"] if p["arch"] == args.arch}
    for name, want in prims.items():
        rows += 1
        problems = check(args.arch, "prim_" + name, want, funcs)
        print(("FAIL " if problems else "ok   ") + "%-28s %s" % (name, " | ".join(want) or "(no fence)"))
        for p in problems:
            print("       " + p)
        failures += bool(problems)
    # The ops table's targets, out of line in barrier_ops.cpp, are the primitives.
    for fam in ("smp_wmb", "smp_rmb", "smp_mb", "wmb", "rmb", "mb"):
        rows += 1
        problems = check(args.arch, "ringsim_ops_" + fam, prims.get(fam, []), funcs)
        print(("FAIL " if problems else "ok   ") + "ops target %-17s %s" % (fam, " | ".join(prims.get(fam, [])) or "(no fence)"))
        for p in problems:
            print("       " + p)
        failures += bool(problems)

    if args.selftest:
        failures += selftest(args.arch, table, funcs)

    print("%s: %d rows checked, %d failed (%s, %s)" % (args.arch, rows, failures, args.cxx, args.cxxflags))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
