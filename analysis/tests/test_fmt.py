"""The report's value formatting: no Python literals, units, labels trimmed to what differs."""
from ringlab_analysis import fmt


def test_values_read_as_words():
    assert fmt.value(None) == "not reported"
    assert fmt.value(True) == "yes" and fmt.value(False) == "no"
    assert fmt.value("intel_pstate") == "intel_pstate"


def test_clock_rates_carry_their_unit():
    assert fmt.hz(2599999480.005304) == "2.600 GHz"
    assert fmt.hz(25e6) == "25.00 MHz"
    assert fmt.hz(None) == "not reported"


def test_significant_figures():
    assert fmt.sig(188.14) == "188"
    assert fmt.sig(0.003905) == "0.00391"
    assert fmt.sig(1.5e-05) == "1.50e-05"
    assert fmt.sig(float("nan")) == "-"
    assert fmt.sig(None) == "-"


def test_labels_name_only_the_axes_that_differ():
    common, rows = fmt.trim_labels(["ring/layout:split/batch:1/ring:256", "ring/layout:packed/batch:1/ring:256"])
    assert common == "ring/batch:1/ring:256"
    assert rows == ["layout:split", "layout:packed"]
    assert fmt.trim_labels(["a:1/b:2"]) == ("", ["a:1/b:2"])
    # identical rows stay distinguishable as identical, not empty
    assert fmt.trim_labels(["a:1", "a:1"])[1] == ["(same)", "(same)"]
