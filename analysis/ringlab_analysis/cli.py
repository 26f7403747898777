"""Command line: `ringlab-report report|compare|history|export`.

Exit codes: 0 success; 1 a regression with --fail-on-regression (or a candidate correctness
failure with --fail-on-correctness); 2 bad input (missing dir, not a results file, unknown
schema_version, bad arguments).
"""
from __future__ import annotations

import argparse
import math
import os
import sys

from . import compare as C
from . import doc as D
from . import export, history, html, junit, otava, plots, report, summary
from .load import BadInput, load_runs
from .outfiles import check_out_dir, write_text

EXIT_OK, EXIT_REGRESSION, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):   # argparse exits 2 too; keep its message, add ours
        self.print_usage(sys.stderr)
        sys.stderr.write(f"ringlab-report: error: {message}\n")
        sys.exit(EXIT_BAD_INPUT)


def parser():
    p = _Parser(prog="ringlab-report", description="Reports, A/B comparisons and history of ringlab results.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    r = sub.add_parser("report", help="Markdown + HTML report (plots, correctness, seed questions) of run dirs")
    r.add_argument("runs", nargs="+", metavar="RUN_DIR", help="results directories (or folders of them)")
    r.add_argument("--out", required=True, metavar="DIR")
    c = sub.add_parser("compare", help="A/B comparison: per configuration faster/slower/unchanged/inconclusive")
    c.add_argument("base", metavar="BASE", help="run dir, or a folder of run dirs whose repetitions are pooled")
    c.add_argument("candidate", metavar="CANDIDATE", help="run dir, or a folder of run dirs")
    c.add_argument("--out", required=True, metavar="DIR")
    c.add_argument("--threshold", type=float, default=C.DEFAULT_REGRESSION_THRESHOLD_PCT, metavar="PCT",
                   help="slowdown (percent of median ns/buffer) that counts as a regression "
                        f"(default {C.DEFAULT_REGRESSION_THRESHOLD_PCT:g})")
    c.add_argument("--fail-on-regression", action="store_true",
                   help="exit 1 if a significant slowdown above the threshold is found")
    c.add_argument("--fail-on-correctness", action="store_true",
                   help="exit 1 if any candidate repetition has verification errors or lost notifications")
    h = sub.add_parser("history", help="change points over the runs of one machine (E-divisive means)")
    h.add_argument("machine_dir", metavar="MACHINE_DIR", help="folder holding the run dirs of one machine")
    h.add_argument("--out", required=True, metavar="DIR")
    h.add_argument("--format", choices=("report", "otava"), default="report",
                   help="report: Markdown + HTML with change points (default); otava: one CSV per "
                        "machine plus otava.yaml for Apache Otava's CSV importer")
    e = sub.add_parser("export", help="one row per repetition as CSV or JSON Lines (+ a latency percentile file)")
    e.add_argument("runs", nargs="+", metavar="RUN_DIR", help="results directories (or folders of them)")
    e.add_argument("--format", required=True, choices=export.FORMATS)
    e.add_argument("--out", required=True, metavar="FILE",
                   help="rows file; the latency percentiles go to FILE with -latency before the extension")
    _add_ci_outputs(c)
    return p


def _add_ci_outputs(c):
    c.add_argument("--junit", metavar="FILE",
                   help="JUnit XML: one test case per configuration, failed on a regression or a "
                        "correctness error")
    c.add_argument("--summary", metavar="FILE",
                   help=f"Markdown under {summary.MAX_BYTES // 1024} KiB for a PR comment or CI job summary "
                        "(figure embedded as a data URI, or left out with a sentence)")


def _emit(text):
    """Print; a closed pipe (`... | head`) must not turn a verdict into a traceback."""
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _cmd_report(a):
    check_out_dir(a.out)
    runs = load_runs(a.runs)
    out = report.build(runs, a.out)
    print(f"report: {out['markdown']}\n        {out['html']}")
    return EXIT_OK


def _cmd_compare(a):
    if not math.isfinite(a.threshold) or a.threshold <= 0:
        raise BadInput(f"--threshold must be a finite percentage above 0 (got {a.threshold})")
    check_out_dir(a.out)
    for flag, path in (("--junit", a.junit), ("--summary", a.summary)):
        if path and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise BadInput(f"{flag} {path}: directory {os.path.dirname(os.path.abspath(path))} does not exist")
    base, cand = load_runs([a.base]), load_runs([a.candidate])
    res = C.compare_runs(base, cand, a.threshold)
    fig = plots.ratio_bars([(r.key, r.primary.ratio, r.primary.ci_lo, r.primary.ci_hi) for r in res.results],
                           "candidate / base, median ns per buffer (95% CI)", a.out, "compare_ratios",
                           verdicts=[r.primary.verdict for r in res.results])
    blocks = C.summary_blocks(res, fig)
    md = D.to_markdown(blocks)
    write_text(os.path.join(a.out, "compare.md"), md)
    write_text(os.path.join(a.out, "compare.html"), html.to_html("ringlab comparison", blocks))
    C.write_json(res, os.path.join(a.out, "compare.json"))
    if a.junit:
        junit.write(res, a.junit)
    if a.summary:
        summary.write(res, fig, a.summary)
    _emit(md)
    if a.fail_on_correctness and res.failures_cand:
        return EXIT_REGRESSION
    # Unreadable numbers can hide a regression as well as a failure.
    if (a.fail_on_regression or a.fail_on_correctness) and res.data_problems:
        sys.stderr.write(f"ringlab-report: {len(res.data_problems)} data problem(s) in the results "
                         "(see 'Data problems'); cannot pass\n")
        return EXIT_REGRESSION
    if a.fail_on_regression and res.regressions:
        return EXIT_REGRESSION
    return EXIT_OK


def _cmd_history(a):
    check_out_dir(a.out)
    runs = load_runs([a.machine_dir])
    if a.format == "otava":
        out = otava.write(runs, a.out)
        for n in out["notes"]:
            print(f"history: {n}")
        print(f"history: {len(out['files'])} Otava CSV file(s) in {a.out}, configuration {out['config']}")
        return EXIT_OK
    out = history.build(runs, a.out)
    print(f"history: {out['markdown']} ({len(out['change_points'])} change point(s))\n         {out['html']}")
    return EXIT_OK


def _cmd_export(a):
    runs = load_runs(a.runs)
    out = export.export(runs, a.format, a.out)
    print(f"export: {out['n_rows']} row(s) -> {out['rows']}\n        "
          f"{out['n_latency']} latency row(s) -> {out['latency']}")
    return EXIT_OK


def main(argv=None) -> int:
    a = parser().parse_args(argv)
    try:
        return {"report": _cmd_report, "compare": _cmd_compare, "history": _cmd_history,
                "export": _cmd_export}[a.command](a)
    except BadInput as e:
        sys.stderr.write(f"ringlab-report: {e}\n")
        return EXIT_BAD_INPUT
    except OSError as e:   # a full disk, a vanished directory: one sentence, no traceback
        where = f" {e.filename}" if getattr(e, "filename", None) else ""
        sys.stderr.write(f"ringlab-report: cannot write or read{where}: {e.strerror or e}\n")
        return EXIT_REGRESSION
    except MemoryError:
        sys.stderr.write("ringlab-report: out of memory reading these results\n")
        return EXIT_REGRESSION
    except Exception as e:  # noqa: BLE001 - the promise is "never a traceback"
        sys.stderr.write(f"ringlab-report: internal error ({type(e).__name__}: {e}); "
                         "please report it with the results directory\n")
        return EXIT_REGRESSION
