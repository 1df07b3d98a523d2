from __future__ import annotations

import pytest

from wildtrace.screen import metrics, parse_label
from wildtrace.screen._evaluate import fold_indices


@pytest.mark.parametrize(("raw", "label"), [("1", 1), ("0", 0), ("TRUE", 1), ("false", 0), ("Yes", 1), ("no", 0),
                                            ("1.0", 1)])
def test_labels_in_every_spelling(raw: str, label: int) -> None:
    assert parse_label(raw) == label


def test_unknown_label_is_an_error() -> None:
    with pytest.raises(ValueError, match="maybe"):
        parse_label("maybe")


def test_metrics_against_hand_computed_counts() -> None:
    m = metrics([1, 1, 1, 0, 0, 0, 0, 1], [True, True, False, True, False, False, False, True])
    assert (m["tp"], m["fp"], m["fn"], m["tn"]) == (3, 1, 1, 3)
    assert m["precision"] == 0.75 and m["recall"] == 0.75 and m["f1"] == 0.75
    assert m["mcc"] == pytest.approx(0.5)


def test_grouped_folds_never_split_a_seller() -> None:
    groups = [f"seller{i % 9}" for i in range(60)]
    labels = [i % 2 for i in range(60)]
    folds = fold_indices(labels, groups, 4)
    assert sorted(i for _, test in folds for i in test) == list(range(60))
    for train, test in folds:
        assert not {groups[i] for i in train} & {groups[i] for i in test}


def test_too_few_groups_for_the_folds_is_explained() -> None:
    with pytest.raises(ValueError, match="at least 5 groups"):
        fold_indices([0, 1, 0, 1], ["a", "a", "b", "b"], 5)
