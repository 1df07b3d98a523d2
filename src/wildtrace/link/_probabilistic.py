"""Probabilistic linkage of accounts on weak evidence with Splink 5, on DuckDB or Spark.

The settings are built once (:func:`splink_settings`) and handed unchanged to either backend. Prior
m probabilities are set by hand (how often the same person's two accounts agree at each level); u
probabilities are estimated by random sampling; when enough account pairs are already linked by
strong identifiers, m is re-estimated from those pairs as labels. Every predicted pair keeps its
match weight and the level and weight of each comparison, so a link can say why.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on

from wildtrace.config import load_settings, share_of_ram, spill_dir
from wildtrace.link._blocking import MAX_BLOCK_ACCOUNTS, blocking_query, blocking_summary_sql
from wildtrace.log import get_logger

log = get_logger(__name__)
COMPARED = ("name", "handle_stem", "handle_digits", "bio_tokens", "location", "hours", "style", "price_band",
            "pictures")
SAME_FILE = "the same picture file posted"
ELSE_LEVEL = cll.ElseLevel().create_level_dict("duckdb")["label_for_charts"]  # "All other comparisons"
# What says who an account is, as against how it behaves: a pair is linked only when one of these agrees. Posting
# hours, writing habits, prices, the place and look-alike pictures are shared by a whole trade (night posting, emoji,
# ivory prices, product shots on plain grounds); u is estimated over all accounts, so between two busy traders
# they add up as if independent and can outweigh everything else.
IDENTITY = {"name": None, "handle_stem": None, "handle_digits": None, "bio_tokens": None, "pictures": SAME_FILE}
MIN_LABELLED_PAIRS = 30


def splink_settings(n_accounts: int, accounts_per_person: float = 1.3) -> SettingsCreator:
    """The linkage model: comparisons, prior m probabilities and blocking rules."""
    expected_matches = max(1.0, n_accounts * (accounts_per_person - 1.0))
    pairs = max(1.0, n_accounts * (n_accounts - 1) / 2)
    comparisons: list[Any] = [
        cl.JaroWinklerAtThresholds("name", [0.95, 0.85]).configure(
            m_probabilities=[0.45, 0.1, 0.1, 0.35], term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("handle_stem", [0.95, 0.85]).configure(
            m_probabilities=[0.5, 0.15, 0.1, 0.25]),
        cl.ExactMatch("handle_digits").configure(m_probabilities=[0.4, 0.6], u_probabilities=[1e-5, 1 - 1e-5]),
        cl.ArrayIntersectAtSizes("bio_tokens", [6, 3]).configure(m_probabilities=[0.4, 0.25, 0.35]),
        cl.ExactMatch("location").configure(m_probabilities=[0.8, 0.2]),
        cl.CosineSimilarityAtThresholds("hours", [0.9, 0.75]).configure(m_probabilities=[0.4, 0.25, 0.35]),
        cl.ArrayIntersectAtSizes("style", [4, 2]).configure(m_probabilities=[0.3, 0.3, 0.4]),
        cl.ExactMatch("price_band").configure(m_probabilities=[0.6, 0.4]),
        cl.CustomComparison(output_column_name="pictures", comparison_levels=[
            cll.NullLevel("pictures"),
            cll.ArrayIntersectLevel("picture_files", 1).configure(label_for_charts=SAME_FILE),
            cll.ArrayIntersectLevel("pictures", 2).configure(label_for_charts="2 or more same pictures posted"),
            cll.ArrayIntersectLevel("pictures", 1).configure(label_for_charts="1 same picture posted"),
            cll.ElseLevel(),
        ]).configure(m_probabilities=[0.15, 0.15, 0.2, 0.5]),
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        probability_two_random_records_match=min(0.5, expected_matches / pairs),
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("block_handle"),  # handle stem, name, handle prefix + location, capped (_blocking.py)
            block_on("block_name"),
            block_on("block_prefix"),
            block_on("pictures", arrays_to_explode=["pictures"]),
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
    )


def _database_api(engine: str, spark: Any = None) -> Any:
    if engine == "duckdb":
        import duckdb
        from splink.backends.duckdb import DuckDBAPI

        limit = load_settings().link_memory_limit or share_of_ram(1 / 6)  # the rest for the frames in Python
        return DuckDBAPI(connection=duckdb.connect(config={"memory_limit": limit, "temp_directory": str(spill_dir())}))
    if engine == "spark":
        from splink.backends.spark import SparkAPI, similarity_jar_location

        if spark is None:
            from wildtrace.scale import spark_session

            spark = spark_session()
        spark.sql(f"ADD JAR '{similarity_jar_location()}'")  # Splink's string-similarity UDFs (Jaro-Winkler)
        return SparkAPI(spark_session=spark, break_lineage_method="persist")
    raise ValueError(f"unknown linkage engine {engine!r}: use 'duckdb' or 'spark'")


def _to_backend(features: pd.DataFrame, engine: str, db_api: Any, max_block_accounts: int) -> Any:
    """The feature table in the backend with its blocking keys (:func:`blocking_query`), hour profiles as fixed-size
    arrays for cosine similarity."""
    if engine != "spark":
        con = db_api.duckdb_con
        con.register("wt_link_features_raw", features)
        raw = "(SELECT * REPLACE (CAST(hours AS DOUBLE[24]) AS hours) FROM wt_link_features_raw)"
        con.execute(f"CREATE OR REPLACE TABLE wt_link_features AS {blocking_query(raw, max_block_accounts)}")
        con.unregister("wt_link_features_raw")
        _log_blocking(con.execute(blocking_summary_sql("wt_link_features")).fetchall()[0], max_block_accounts)
        return "wt_link_features"
    spark = db_api.spark
    from pyspark.sql.types import ArrayType, DoubleType, StringType, StructField, StructType

    schema = StructType([
        StructField("unique_id", StringType()), StructField("platform", StringType()),
        StructField("name", StringType()), StructField("handle_stem", StringType()),
        StructField("handle_digits", StringType()),
        StructField("bio_tokens", ArrayType(StringType())), StructField("location", StringType()),
        StructField("hours", ArrayType(DoubleType())), StructField("style", ArrayType(StringType())),
        StructField("price_band", StringType()), StructField("pictures", ArrayType(StringType())),
        StructField("picture_files", ArrayType(StringType())),
    ])
    records = [tuple(row.values()) for row in pa.Table.from_pandas(features, preserve_index=False).to_pylist()]
    spark.createDataFrame(records, schema=schema).createOrReplaceTempView("wt_link_features_raw")
    table = spark.sql(blocking_query("wt_link_features_raw", max_block_accounts))
    table.createOrReplaceTempView("wt_link_features")
    _log_blocking(spark.sql(blocking_summary_sql("wt_link_features")).collect()[0], max_block_accounts)
    return table


def _log_blocking(counts: Any, max_block_accounts: int) -> None:
    handle, name, prefix = (int(c) for c in counts)
    if handle or name or prefix:
        log.info("blocks of more than %d accounts: %d accounts' handle stem and %d accounts' name compared only within "
                 "their location (or not at all), %d accounts in no handle prefix + location block",
                 max_block_accounts, handle, name, prefix)


def predict_pairs(features: pd.DataFrame, labels: pd.DataFrame | None = None, engine: str = "duckdb",
                  spark: Any = None, min_probability: float = 0.5, seed: int = 7,
                  max_block_accounts: int = MAX_BLOCK_ACCOUNTS) -> pd.DataFrame:
    """Scored account pairs: account_l, account_r, match_weight, match_probability, per-comparison evidence and
    ``identity`` (an :data:`IDENTITY` comparison agrees: the pair may be linked).

    ``labels`` (account_l, account_r) are pairs known to match (linked by strong identifiers).
    ``max_block_accounts``: the largest block a blocking rule compares in full (:func:`blocking_query`).
    """
    out_cols = ["account_l", "account_r", "match_weight", "match_probability", "evidence", "identity"]
    if len(features) < 2:
        return pd.DataFrame(columns=out_cols)
    db_api = _database_api(engine, spark)
    try:
        return _predict(features, labels, engine, db_api, min_probability, seed, max_block_accounts)[out_cols]
    finally:
        _close(db_api, engine)


def _close(db_api: Any, engine: str) -> None:
    """Close the DuckDB connections of a linkage: the one handed to Splink (DuckDB engine: memory limit, spill
    directory) and the scratch in-memory one Splink's ``DatabaseAPI`` opens for itself on every backend and never
    closes (Splink 5 keeps it in ``_ddb_con``; the DuckDB backend's ``duckdb_con`` is ours). Spark's session stays."""
    if engine != "spark":
        db_api.duckdb_con.close()
    db_api._ddb_con.close()


def _predict(features: pd.DataFrame, labels: pd.DataFrame | None, engine: str, db_api: Any, min_probability: float,
             seed: int, max_block_accounts: int) -> pd.DataFrame:
    settings = splink_settings(len(features))
    table = _to_backend(features, engine, db_api, max_block_accounts)
    linker = Linker(db_api.register(table), settings, log_level=logging.ERROR)
    started = time.perf_counter()
    linker.training.estimate_u_using_random_sampling(max_pairs=min(1e6, 50.0 * len(features)), seed=seed)
    log.info("u estimated by random sampling in %.1f s", time.perf_counter() - started)
    if labels is not None and len(labels) >= MIN_LABELLED_PAIRS:
        table = labels.rename(columns={"account_l": "unique_id_l", "account_r": "unique_id_r"})
        table = table.assign(source_dataset_l="accounts", source_dataset_r="accounts")
        linker.training.estimate_m_from_pairwise_labels(db_api.register(_to_label_backend(table, engine, db_api)))
        log.info("m estimated from %d identifier-linked pairs in %.1f s", len(labels), time.perf_counter() - started)
    predictions = linker.inference.predict(threshold_match_probability=min_probability).as_pandas_dataframe()
    log.info("%d pairs scored at or above %.2f in %.1f s", len(predictions), min_probability,
             time.perf_counter() - started)
    return _explain(predictions, _level_labels(linker))


def _to_label_backend(table: pd.DataFrame, engine: str, db_api: Any) -> Any:
    return db_api.spark.createDataFrame(table) if engine == "spark" else table


def _level_labels(linker: Linker) -> dict[str, list[tuple[float, str]]]:
    """(match weight, label) of every non-null level of each comparison: a pair's per-comparison weight names
    the level it fell in."""
    labels: dict[str, list[tuple[float, str]]] = {}
    for comparison in linker._settings_obj.comparisons:
        labels[comparison.output_column_name] = [
            (float(level._match_weight), level.label_for_charts)
            for level in comparison.comparison_levels if not level.is_null_level
        ]
    return labels


def _level_of(weight: float, levels: list[tuple[float, str]]) -> str:
    return min(levels, key=lambda lv: abs(lv[0] - weight))[1]


def _explain(predictions: pd.DataFrame, levels: dict[str, list[tuple[float, str]]]) -> pd.DataFrame:
    """Per pair, a list of {comparison, level, weight}: the comparisons that had data on both sides (weights
    include term-frequency adjustments). Pairs fall into few patterns of weights: each pattern is named once."""
    pattern = np.zeros(len(predictions), dtype=np.int64)
    weights = []
    for col in COMPARED:
        base = predictions[f"mw_{col}"].astype(float).round(2)
        tf = predictions.get(f"mw_tf_adj_{col}")
        total = ((base + tf.astype(float)).round(2) if tf is not None else base).to_numpy()
        weights.append((base.to_numpy(), total))
        for values in weights[-1]:
            code, uniques = pd.factorize(values, use_na_sentinel=False)
            pattern = pd.factorize(pattern * len(uniques) + code)[0]  # one code per distinct pattern so far
    _, first_pair = np.unique(pattern, return_index=True)
    named = [[{"comparison": col, "level": _level_of(b, levels[col]), "weight": t}
              for col, (base, total) in zip(COMPARED, weights, strict=True)
              for b, t in [(float(base[i]), float(total[i]))] if not math.isnan(b) and b != 0.0 and not math.isnan(t)]
             for i in first_pair.tolist()]
    who = [_says_who(items, weights, i) for items, i in zip(named, first_pair.tolist(), strict=True)]
    a, b = predictions["unique_id_l"].astype(str), predictions["unique_id_r"].astype(str)
    return pd.DataFrame({
        "account_l": a.where(a < b, b), "account_r": b.where(a < b, a),
        "match_weight": predictions["match_weight"].astype(float).round(3),
        "match_probability": predictions["match_probability"].astype(float).round(5),
        "evidence": [list(named[p]) for p in pattern.tolist()],
        "identity": np.array(who, dtype=bool)[pattern] if len(pattern) else np.zeros(0, dtype=bool),
    })


def _says_who(items: list[dict[str, Any]], weights: list[tuple[np.ndarray, np.ndarray]], i: int) -> bool:
    """Whether a pair's evidence has an :data:`IDENTITY` comparison agreeing: at a level other than the last ("all
    other comparisons") whose weight before term-frequency adjustment speaks for a match (pictures: the same file)."""
    base = {col: float(w[0][i]) for col, w in zip(COMPARED, weights, strict=True)}
    return any(item["comparison"] in IDENTITY and base[item["comparison"]] > 0 and item["level"] != ELSE_LEVEL
               and IDENTITY[item["comparison"]] in (None, item["level"]) for item in items)
