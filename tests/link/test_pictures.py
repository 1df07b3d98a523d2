"""Same picture or not, on 220 generated pairs: transformed copies vs look-alike shots of other items."""

from __future__ import annotations

import pytest

from wildtrace.link import judge_pictures, picture_pairs, score_picture_set


@pytest.fixture(scope="module")
def judged(tmp_path_factory) -> list[tuple[bool, bool, str]]:
    """(truly the same, judged the same, how the copy was made) of every pair."""
    return judge_pictures(picture_pairs(tmp_path_factory.mktemp("pictures")))


def test_the_set_has_both_kinds_of_pairs(judged):
    assert len(judged) >= 200
    assert sum(same for same, _, _ in judged) == sum(not same for same, _, _ in judged)


def test_copies_match_and_look_alikes_do_not(judged):
    tp = sum(same and said for same, said, _ in judged)
    fp = sum(said and not same for same, said, _ in judged)
    fn = sum(same and not said for same, said, _ in judged)
    assert tp / (tp + fp) >= 0.98
    assert tp / (tp + fn) >= 0.85


def test_re_encoded_and_resized_copies_all_match(judged):
    uncropped = [said for same, said, how in judged if same and "crop" not in how]
    assert uncropped and all(uncropped)


def test_the_set_scores_itself(tmp_path):
    small = score_picture_set(tmp_path, n=12, seed=3)
    assert small["pairs"] == 24 and small["seed"] == 3
    assert 0.0 <= small["precision"] <= 1.0 and 0.0 <= small["recall"] <= 1.0
