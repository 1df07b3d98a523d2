"""Same picture or not, on 220 generated pairs: transformed copies vs look-alike shots of other items."""

from __future__ import annotations

import hashlib

import pytest

from tests.link.pictures import picture_pairs
from wildtrace.link import same_picture
from wildtrace.screen._images import perceptual_hashes


def _hashes(path) -> dict:
    return {**perceptual_hashes(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


@pytest.fixture(scope="module")
def judged(tmp_path_factory) -> list[tuple[bool, bool, str]]:
    """(truly the same, judged the same, how the copy was made) of every pair."""
    pairs = picture_pairs(tmp_path_factory.mktemp("pictures"))
    return [(p.same, same_picture(_hashes(p.left), _hashes(p.right)), p.how) for p in pairs]


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
