"""What a segment can detect, and how contacts are split over segments."""

from __future__ import annotations

import pytest

from campaigns.planning.allocation import SegmentEvidence, allocate
from campaigns.planning.power import detectable_rate, is_weak_design


def test_a_100_contact_segment_only_detects_about_three_times_the_benchmark():
    assert detectable_rate(100, 0.034) == pytest.approx(0.102, abs=0.002)
    assert is_weak_design(detectable_rate(100, 0.034), 0.034)
    assert not is_weak_design(detectable_rate(750, 0.034), 0.034)


def test_more_contacts_detect_smaller_rates_and_none_detect_nothing():
    rates = [detectable_rate(n, 0.034) for n in (5, 25, 100, 400, 2000)]
    assert rates == sorted(rates, reverse=True) and all(r > 0.034 for r in rates)
    assert detectable_rate(0, 0.034) is None
    assert detectable_rate(1, 0.034) == 1.0


def test_first_round_splits_evenly_after_explore_and_caps_at_reachable():
    wanted, method = allocate({"A": 50, "B": 50, "C": 50, "explore": 40}, 100, explore=0.15, prior=0.034)
    assert method == "even" and wanted == {"A": 29, "B": 28, "C": 28, "explore": 15}
    wanted, _ = allocate({"A": 5, "B": 50, "C": 50, "explore": 4}, 100, explore=0.15, prior=0.034)
    assert wanted["A"] == 5 and wanted["explore"] == 4 and sum(wanted.values()) == 100
    wanted, _ = allocate({"A": 5, "B": 3, "explore": 1}, 100, explore=0.15, prior=0.034)
    assert wanted == {"A": 5, "B": 3, "explore": 1}


def test_later_rounds_follow_the_evidence_by_thompson_sampling_and_the_seed():
    evidence = {"A": SegmentEvidence(30, 5), "B": SegmentEvidence(30, 0), "C": SegmentEvidence(30, 1)}
    reach = {"A": 200, "B": 200, "C": 200, "explore": 100}
    wanted, method = allocate(reach, 100, explore=0.15, prior=0.034, evidence=evidence, seed=3)
    assert method == "thompson" and wanted["explore"] == 15 and sum(wanted.values()) == 100
    assert wanted["A"] > wanted["C"] > 0 and wanted["A"] > wanted["B"]
    assert allocate(reach, 100, explore=0.15, prior=0.034, evidence=evidence, seed=3)[0] == wanted
