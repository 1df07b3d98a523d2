import pandas as pd
import pytest

from wildtrace.link import read_truth, score_linkage, score_traders

TRUTH = pd.DataFrame({
    "account_id": ["a1", "a2", "a3", "b1", "c1"],
    "person_id": ["A", "A", "A", "B", "C"],
    "is_backup": ["false", "true", "true", "false", "false"],
    "backup_of": ["", "a1", "a1", "", ""],
})


def test_perfect_linkage_scores_one():
    result = score_linkage({"a1": "x", "a2": "x", "a3": "x", "b1": "y", "c1": "z"}, TRUTH)
    assert result["pairwise"]["f1"] == result["bcubed"]["f1"] == result["backup"]["recall"] == 1.0


def test_split_and_merge_errors_lower_the_right_measures():
    result = score_linkage({"a1": "x", "a2": "x", "a3": "y", "b1": "y", "c1": "z"}, TRUTH)
    assert result["pairwise"]["correct_pairs"] == 1
    assert result["pairwise"]["precision"] == 0.5 and result["pairwise"]["recall"] == pytest.approx(1 / 3, abs=1e-4)
    # B-cubed precision: a1,a2: 1; a3,b1: 1/2; c1: 1 -> 4/5. Recall: a1,a2: 2/3; a3: 1/3; b1, c1: 1 -> 11/15.
    assert result["bcubed"]["precision"] == 0.8 and result["bcubed"]["recall"] == pytest.approx(11 / 15, abs=1e-4)
    assert result["backup"] == {"backups": 2, "linked_to_original": 1, "recall": 0.5}


def test_recall_on_traders_accounts_is_reported_apart():
    truth = TRUTH.assign(is_trader=["1", "1", "1", "0", "0"], person_id=["A", "A", "A", "B", "B"])
    result = score_linkage({"a1": "x", "a2": "x", "a3": "y", "b1": "z", "c1": "w"}, truth)
    assert result["trader_pairs"] == {"true_pairs": 3, "correct_pairs": 1, "recall": pytest.approx(1 / 3, abs=1e-4)}
    assert result["pairwise"]["true_pairs"] == 4  # B's two accounts, not a trader's, missed too


def test_truth_file_without_person_column_is_refused(tmp_path):
    path = tmp_path / "truth.csv"
    path.write_text("account_id,who\na1,A\n")
    with pytest.raises(ValueError, match="person_id"):
        read_truth(path)


def test_an_account_without_a_category_counts_wrong_and_is_counted():
    truth = pd.DataFrame({"account_id": ["a1", "a2", "a3"], "person_id": ["P1", "P2", "P3"],
                          "is_trader": ["1", "1", "0"], "category": ["A", "B", ""]})
    clusters = {"a1": "T1", "a2": "T2", "a3": "T3"}
    table = pd.DataFrame({"node": ["T1", "T2", "T3"]})
    profiles = {"T1": {"category": "A", "n_posts": 4}, "T2": {"category": None, "n_posts": 3}}
    scored = score_traders(clusters, table, profiles, truth)
    assert scored["category"] == {"accuracy": 0.5, "n": 2, "right": 1, "unknown": 1,
                                  "confusion": {"A -> A": 1, "B -> -": 1}, "accuracy_all": 0.5,
                                  "posting_nothing": {"accounts": 0, "true_categories": {}}}


def test_accounts_of_a_trader_that_posts_nothing_are_counted_apart():
    """Its category cannot be read (nothing offered), so it is neither right nor a misreading: reported beside the
    accuracy, and counted wrong in ``accuracy_all``. A trader with posts but no category still counts wrong."""
    truth = pd.DataFrame({"account_id": ["a1", "a2", "b1", "c1", "d1"], "person_id": ["P1", "P1", "P2", "P3", "P4"],
                          "is_trader": ["1", "1", "1", "1", "1"], "category": ["B", "B", "A", "C", "B"]})
    clusters = {"a1": "T1", "a2": "T1", "b1": "T2", "c1": "T3", "d1": "T4"}
    table = pd.DataFrame({"node": ["T1", "T2", "T3", "T4"]})
    profiles = {"T1": {"category": "B", "n_posts": 5},  # a silent account linked to its trader: the trader's category
                "T2": {"category": None, "n_posts": 0}, "T4": {"category": None, "n_posts": 0},
                "T3": {"category": None, "n_posts": 2}}
    category = score_traders(clusters, table, profiles, truth)["category"]
    assert (category["accuracy"], category["right"], category["n"], category["unknown"]) == (0.6667, 2, 3, 1)
    assert category["posting_nothing"] == {"accounts": 2, "true_categories": {"A": 1, "B": 1}}
    assert category["accuracy_all"] == 0.4
    assert "A -> -" not in category["confusion"] and category["confusion"]["C -> -"] == 1
