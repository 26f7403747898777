"""Report generation on synthetic results directories."""
import base64
import json
import os
from html.parser import HTMLParser

import pytest

import fixtures as F
from ringlab_analysis import questions, report
from ringlab_analysis.load import load_runs


class _Sections(HTMLParser):
    """Collects, per <h3> heading, whether the section holds an <img> and its text."""

    def __init__(self):
        super().__init__()
        self.sections, self.current, self.in_h3, self.images = {}, None, False, []

    def handle_starttag(self, tag, attrs):
        if tag == "h3":
            self.in_h3, self.current = True, ""
        elif tag in ("h1", "h2"):
            self.current = None
        elif tag == "img":
            src = dict(attrs).get("src", "")
            self.images.append(src)
            if self.current is not None:
                self.sections[self.current]["img"] += 1

    def handle_endtag(self, tag):
        if tag == "h3" and self.in_h3:
            self.in_h3 = False
            self.sections[self.current] = {"img": 0, "text": ""}

    def handle_data(self, data):
        if self.in_h3:
            self.current += data
        elif self.current is not None and self.current in self.sections:
            self.sections[self.current]["text"] += data


def _parse(path):
    p = _Sections()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    p.close()
    return p


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("seeds")
    cfgs = F.seeds_configs()
    F.write_run(str(root / "x86"), cfgs, reps=5, micro=True,
                errors={F.bench_name(cfgs[0]): {"stale": 3}})
    F.write_run(str(root / "arm"), cfgs[:8], reps=3, seed=2, emulated=True, arch="aarch64",
                machine_id="aarch64-emu-0001", run_id="20261121T220000Z-bb0002")
    out = str(root / "report")
    paths = report.build(load_runs([str(root / "x86"), str(root / "arm")]), out)
    return paths, out, cfgs


def test_files_exist_and_html_embeds_every_image(seeds_report):
    paths, out, _ = seeds_report
    assert os.path.getsize(paths["markdown"]) > 0 and os.path.getsize(paths["html"]) > 0
    pngs = [f for f in os.listdir(paths["figures"]) if f.endswith(".png")]
    assert len(pngs) >= 10
    parsed = _parse(paths["html"])
    assert parsed.images, "no images in the HTML"
    for src in parsed.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    md = open(paths["markdown"], encoding="utf-8").read()
    for link in [line for line in md.splitlines() if line.startswith("![")]:
        rel = link[link.index("](") + 2:-1]
        assert os.path.isfile(os.path.join(out, rel)), rel


def test_every_seed_question_has_a_figure_and_a_conclusion(seeds_report):
    paths, _, _ = seeds_report
    sections = _parse(paths["html"]).sections
    for q in questions.QUESTIONS:
        assert q.title in sections, q.title
        s = sections[q.title]
        assert s["img"] >= 1, f"{q.title}: no figure"
        assert "Conclusion:" in s["text"] and "95% bootstrap CI" in s["text"]


def test_per_site_kind_answer_uses_micro_json(seeds_report):
    paths, _, _ = seeds_report
    s = _parse(paths["html"]).sections[questions.QUESTIONS[0].title]["text"]
    for site in ("publish", "consume", "notify-check"):
        assert f"x86_64 {site}: mandatory/smp" in s


def test_correctness_failures_are_listed_and_highlighted(seeds_report):
    paths, _, cfgs = seeds_report
    html = open(paths["html"], encoding="utf-8").read()
    assert F.bench_name(cfgs[0]) in html and 'class="bad"' in html and "stale=3" in html


def test_emulated_runs_are_marked(seeds_report):
    paths, _, _ = seeds_report
    md = open(paths["markdown"], encoding="utf-8").read()
    assert "EMULATED" in md and "aarch64-emu-0001" in md


def test_missing_questions_name_their_preset(tmp_path):
    # Only what a quick-like sweep has: no kick_mode, no device_access, no branch/ops, no micro.json
    cfgs = F.grid(layout=["split", "packed"], barrier=["smp", "mandatory"], notify=["poll"], batch=[1, 16])
    F.write_run(str(tmp_path / "q"), cfgs, reps=3, with_latency=False, histograms=False)
    paths = report.build(load_runs([str(tmp_path / "q")]), str(tmp_path / "out"))
    sections = _parse(paths["html"]).sections
    for q in questions.QUESTIONS:
        s = sections[q.title]
        assert s["img"] >= 1 or "--preset seeds" in s["text"], q.title
    assert sections["Packed vs split ring"]["img"] >= 1
    for title in ("Kick under the lock vs released", "Per-access device barriers vs relaxed accessors",
                  "Run-time barrier choice: branch vs ops table vs compile-time"):
        assert "--preset seeds" in sections[title]["text"] and sections[title]["img"] == 0
    assert "micro.json" in sections["Mandatory vs SMP barriers, per site kind"]["text"]


def test_conclusions_state_figures_not_verdicts(seeds_report):
    paths, _, _ = seeds_report
    md = open(paths["markdown"], encoding="utf-8").read()
    concl = [line for line in md.splitlines() if line.startswith("Conclusion:")]
    assert len(concl) == len(questions.QUESTIONS)
    for line in concl:
        assert "x [" in line                         # a ratio with its interval
        for word in ("better", "worse", "should", "recommend"):
            assert word not in line.lower()


def test_runtime_selected_barriers_are_set_against_their_compile_time_twin(seeds_report):
    paths, _, _ = seeds_report
    s = _parse(paths["html"]).sections["Run-time barrier choice: branch vs ops table vs compile-time"]["text"]
    for pair in ("branch:smp/smp", "ops:smp/smp", "branch:mandatory/mandatory", "ops:mandatory/mandatory"):
        assert pair in s, pair
    assert "x86_64 notify-check: branch:mandatory/mandatory" in s    # from micro.json


def test_repetitions_whose_floor_moved_are_reported(tmp_path):
    cfgs = F.grid(layout=["split"], barrier=["smp"], notify=["poll"], batch=["1"], ring=["256"],
                  placement=["auto"])
    run_dir = str(tmp_path / "run")
    F.write_run(run_dir, cfgs, reps=3)
    path = os.path.join(run_dir, "results.json")
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    its = [b for b in doc["benchmarks"] if b.get("run_type") == "iteration"]
    for i, b in enumerate(its):
        b["ringlab"]["floor"] = {"before_ns": 55.0, "after_ns": 480.0 if i == 0 else 57.0, "moved": i == 0}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    out = str(tmp_path / "report")
    report.build(load_runs([run_dir]), out)
    with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
        md = f.read()
    assert "in 1 of 3 repetitions the CPU pair's cache-line round trip" in md
    assert "55 to 480 ns" in md
    # and nothing is said when no floor moved
    for b in its:
        b["ringlab"]["floor"]["moved"] = False
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    report.build(load_runs([run_dir]), out)
    with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
        assert "Speed changes" not in f.read()
