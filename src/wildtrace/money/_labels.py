"""Labelled truth for learning and evaluation: 0/1 labels on accounts, or on payments (an account is then
laundering when it paid or received a labelled payment), and pattern membership for grouped folds."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from wildtrace.money._frame import Frame

TRUTH_KINDS = ("account", "transaction")


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV or Parquet file as text columns."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    if path.suffix.lower() == ".parquet":
        with duckdb.connect() as con:
            df = con.execute("SELECT * FROM read_parquet(?)", [str(path)]).df()
        return df.astype(str)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _zero_one(table: pd.DataFrame, key_col: str, label_col: str, what: str) -> pd.Series:
    for col in (key_col, label_col):
        if col not in table.columns:
            raise ValueError(f"{what}: no column '{col}'; the file has {list(table.columns)}")
    y = pd.to_numeric(table[label_col], errors="coerce")
    bad = table.index[y.isna() | ~y.isin([0, 1])]
    if len(bad):
        row = bad[0]
        raise ValueError(f"{what}: row {row + 2}, column '{label_col}': {table.loc[row, label_col]!r} is not 0 or 1")
    return pd.Series(y.astype(int).to_numpy(), index=table[key_col].astype(str).to_numpy()).groupby(level=0).max()


def account_labels(frame: Frame, truth: pd.DataFrame, key_col: str, label_col: str,
                   kind: str = "account") -> tuple[pd.Series, set[str]]:
    """Account -> 0/1, and the laundering payments' ids (empty for account labels). With transaction
    labels, the accounts are those of the labelled payments found in ``frame``'s ``mx_tx``."""
    if kind not in TRUTH_KINDS:
        raise ValueError(f"truth kind {kind!r}: use one of {', '.join(TRUTH_KINDS)}")
    y = _zero_one(truth, key_col, label_col, f"{kind} labels")
    if kind == "account":
        return y, set()
    frame.con.register("_mx_truth", pd.DataFrame({"id": y.index, "y": y.to_numpy()}))
    parties = frame.df("""SELECT a, max(y) AS y FROM (SELECT x.payer AS a, t.y FROM mx_tx x JOIN _mx_truth t USING (id)
                          UNION ALL SELECT x.payee, t.y FROM mx_tx x JOIN _mx_truth t USING (id)) GROUP BY a""")
    frame.con.unregister("_mx_truth")
    if parties.empty:
        raise ValueError(f"transaction labels: no id in column '{key_col}' matches a payment id of the ledger")
    return (pd.Series(parties["y"].astype(int).to_numpy(), index=parties["a"].astype(str).to_numpy()).sort_index(),
            set(y.index[y == 1]))


def read_patterns(path: str | Path, account_col: str, pattern_col: str) -> pd.DataFrame:
    """Pattern membership rows (``account``, ``pattern``, and ``is_main`` and the pattern's ``type`` when the
    file has them)."""
    table = read_table(path)
    for col in (account_col, pattern_col):
        if col not in table.columns:
            raise ValueError(f"{path}: no column '{col}'; the file has {list(table.columns)}")
    out = pd.DataFrame({"account": table[account_col], "pattern": table[pattern_col]})
    for col in ("is_main", "type"):
        if col in table.columns:
            out[col] = table[col]
    return out
