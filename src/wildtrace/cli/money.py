"""``wildtrace money``: payments, parcels and seizures; typologies, risk, alerts, watchlists and SAR drafts.
``wildtrace money eval`` (also ``wildtrace eval money``) scores accounts against a labelled file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from wildtrace.cli._common import DbOpt, JsonOpt, emit, exit_partial, fail, settings, store
from wildtrace.cli.evaluate import eval_app
from wildtrace.money import ALERT_THRESHOLD
from wildtrace.money._constants import KIND_NAMES

money_app = typer.Typer(help="Follow the money and the parcels: typologies, risk, alerts, SAR drafts.",
                        no_args_is_help=True)
watch_app = typer.Typer(help="Watchlists in FollowTheMoney format, and screening against them.", no_args_is_help=True)
money_app.add_typer(watch_app, name="watchlist")

MapOpt = Annotated[list[str] | None, typer.Option(
    "--map", help="field=COLUMN for another layout, repeatable or comma-separated: payer=src,payee=dst.")]
ModelOpt = Annotated[Path | None, typer.Option(
    "--model", help="Folder of a model trained by `wildtrace money train`: rank accounts with it.")]
TruthKindOpt = Annotated[str, typer.Option(
    "--truth-kind", help="account: labels on accounts; transaction: labels on payments (--account-col then "
                         "names the payment id column).")]
ParamsOpt = Annotated[Path | None, typer.Option(
    "--params", help="JSON file {typology: {parameter: value}} overriding typology defaults.")]
ProfileOpt = Annotated[Path | None, typer.Option(
    "--profile", help="Deployment profile (YAML: currency, step, thresholds, typologies) for what should not be "
                      "inferred from the ledger.")]


def _deployment(path: Path | None) -> dict[str, Any]:
    from wildtrace.money import load_deployment

    if path is None:
        return {}
    try:
        return load_deployment(path)
    except ValueError as exc:
        fail(str(exc))


def _pairs(maps: list[str] | None) -> dict[str, str]:
    from wildtrace.ingest import parse_pairs

    return parse_pairs([p for m in maps or [] for p in m.split(",") if p.strip()])


@contextmanager
def _store_if_any(db: str | None) -> Iterator[Any]:
    """The store when there is one (flagged sellers, parcels and KYC come from it), else None: a
    transactions file is analysed on its own."""
    from wildtrace.store import store_exists

    if not store_exists(settings(db).db):
        yield None
        return
    with store(db) as st:
        yield st


def _model(path: Path | None) -> Any:
    if path is None:
        return None
    from wildtrace.money import MoneyModel

    try:
        return MoneyModel.load(path)
    except (OSError, ValueError) as exc:
        fail(str(exc))


def _truth(path: Path) -> Any:
    from wildtrace.money import read_table

    try:
        return read_table(path)
    except (OSError, ValueError) as exc:
        fail(f"{path}: {exc}")


def _params(path: Path | None) -> dict[str, dict[str, Any]]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        fail(f"{path}: {exc}")
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        fail(f"{path}: expected {{typology: {{parameter: value}}}}")
    return data


@money_app.command("load")
def load_cmd(
    kind: Annotated[str, typer.Argument(help=f"What the file holds: {', '.join(KIND_NAMES)}.")],
    path: Annotated[Path, typer.Argument(help="CSV or JSON Lines file, or a folder of them.")],
    maps: MapOpt = None,
    mapping_file: Annotated[Path | None, typer.Option("--mapping", help="JSON column mapping file.")] = None,
    assume_tz: Annotated[str | None, typer.Option(help="Zone of timestamps without one (+08:00).")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load transactions, shipments, seizures or payment-account (KYC) records; bad records are quarantined."""
    if kind not in KIND_NAMES:
        fail(f"unknown kind {kind!r}: use one of {', '.join(KIND_NAMES)}")
    from wildtrace.ingest import Mapping, load_mapping
    from wildtrace.money import load_records

    mapping = load_mapping(mapping_file) if mapping_file else Mapping()
    mapping = mapping.merged(Mapping(fields=_pairs(maps)))
    s = settings(db)
    with store(db, create=True) as st:
        result = load_records(st, kind, path, mapping, assume_tz, s.data_dir)
    out = result.as_dict()
    emit(out, as_json, f"{kind}: read {result.read}, added {result.added}, duplicates {result.duplicates}, "
                       f"quarantined {result.quarantined}" + "".join(f"\n  {e}" for e in result.errors[:10]))
    exit_partial(result.quarantined)


@money_app.command("typologies")
def typologies_cmd(as_json: JsonOpt = False) -> None:
    """List the typologies with what they find, their weight and their parameters."""
    from wildtrace.money import TYPOLOGIES
    from wildtrace.money._constants import WATCHLIST, WATCHLIST_DOC
    from wildtrace.money._watchlist import NAME_THRESHOLD, WATCHLIST_WEIGHT

    rows = [{"name": t.name, "subject": t.subject_kind, "weight": t.weight, "params": t.params, "doc": t.doc}
            for t in TYPOLOGIES.values()]
    rows.append({"name": WATCHLIST, "subject": "account or phone", "weight": WATCHLIST_WEIGHT,
                 "params": {"name_threshold": NAME_THRESHOLD}, "doc": WATCHLIST_DOC})
    emit(rows, as_json, "\n\n".join(f"{r['name']} ({r['subject']}, weight {r['weight']})\n  {r['doc']}\n  "
                                    f"params: {json.dumps(r['params'], default=str)}" for r in rows))


@money_app.command("profile")
def profile_cmd(
    transactions: Annotated[Path, typer.Option(help="Transactions file (CSV, Parquet or JSON Lines).")],
    maps: MapOpt = None,
    step_hours: Annotated[float, typer.Option(help="Length of one integer time step, in hours.")] = 1.0,
    profile: ProfileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What the money stage infers from a ledger and why (time unit, span, time of day, currency, amount
    percentiles), and the windows and amount floors each typology gets from it."""
    from wildtrace.money import TYPOLOGIES, open_frame
    from wildtrace.money._profile import Quantile, Span

    try:
        frame = open_frame(None, transactions, _pairs(maps), int(step_hours * 3600), _deployment(profile))
    except (OSError, ValueError) as exc:
        fail(str(exc))
    p = frame.profile
    frame.close()
    resolved = {}
    for t in TYPOLOGIES.values():
        given = p.overrides.get(t.name, {})
        values = {k: (p.convert(t.name, k, given[k], v) if k in given else p.resolve(v)) for k, v in t.params.items()
                  if isinstance(v, Span | Quantile) or k in given}
        off = t.missing(p)
        resolved[t.name] = ({"off": f"the ledger does not give {' or '.join(off)}"} if off else
                            {k: getattr(v, "text", v) for k, v in values.items() if k != "span"})
    out = {**p.as_dict(), "typologies": {k: v for k, v in resolved.items() if v}}
    emit(out, as_json, "\n".join([f"{k:>20}  {v}" for k, v in p.as_dict().items() if k != "why"]
                                 + ["", "why:"] + [f"  - {w}" for w in p.why] + ["", "typologies:"]
                                 + [f"  {k:<24} " + ", ".join(f"{a}={b}" for a, b in v.items())
                                    for k, v in out["typologies"].items()]))


@money_app.command("run")
def run_cmd(
    transactions: Annotated[Path | None, typer.Option(
        help="Read transactions from this CSV/Parquet/JSONL file directly instead of the store.")] = None,
    maps: MapOpt = None,
    step_hours: Annotated[float, typer.Option(help="Length of one integer time step, in hours.")] = 1.0,
    only: Annotated[list[str] | None, typer.Option("--typology", help="Run only these typologies.")] = None,
    params: ParamsOpt = None,
    threshold: Annotated[float, typer.Option(help="Alert threshold on the total risk.")] = ALERT_THRESHOLD,
    model: ModelOpt = None,
    profile: ProfileOpt = None,
    alerts_per: Annotated[str, typer.Option(help="account, or pattern: one alert per detected pattern with its "
                                                 "members, as AML teams triage them.")] = "account",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the typologies, propagate risk through the network, and save hits, risk and alerts. With
    --model, accounts are ranked by a model from `money train`, each score with the features and
    typologies that drove it."""
    from wildtrace.money import analyse, apply_model, open_frame, save

    if alerts_per not in ("account", "pattern"):
        fail(f"--alerts-per: use account or pattern, not {alerts_per!r}")
    learned = _model(model)
    deployment = _deployment(profile)
    with store(db, create=transactions is not None) as st:  # a ledger file's results may start a store
        frame = open_frame(st, transactions, _pairs(maps), int(step_hours * 3600), deployment)
        try:
            result = analyse(st, step_seconds=int(step_hours * 3600), typologies=only, params=_params(params),
                             alert_threshold=threshold, frame=frame, alerts_per=alerts_per)
            if learned is not None:
                result = apply_model(frame, result, learned)
        finally:
            frame.close()
        save(st, result)
    summary = result.summary()
    emit(summary, as_json, "\n".join(f"WARNING: {v}" if k == "warning" else f"{k:>18}  {v}"
                                      for k, v in summary.items()))


def _run_rows(st: Any, table: str, where: str, params: tuple, order: str, limit: int) -> list[dict[str, Any]]:
    from wildtrace.money import latest_run

    run = latest_run(st)
    if run is None:
        fail("no money run yet: run `wildtrace money run` first")
    rows = st.query(f"SELECT * FROM {table} WHERE run_id = ?{where} ORDER BY {order} LIMIT {int(limit)}",
                    (run, *params))
    for r in rows:
        for key in ("evidence", "reasons", "members"):
            if key in r:
                r[key] = json.loads(r[key] or "[]")
    return rows


@money_app.command("hits")
def hits_cmd(
    typology_name: Annotated[str | None, typer.Option("--typology", help="Only this typology.")] = None,
    limit: Annotated[int, typer.Option(help="How many hits.")] = 50,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Hits of the latest run, strongest first."""
    with store(db) as st:
        rows = _run_rows(st, "money_hits", " AND typology = ?" if typology_name else "",
                         (typology_name,) if typology_name else (), "score DESC, subject", limit)
    emit(rows, as_json, "\n".join(f"{r['score']:.2f}  {r['typology']:<24} {r['subject']:<26} {r['reason']}"
                                  + (f"\n      members: {', '.join(r['members'])}" if r.get("members") else "")
                                  for r in rows))


@money_app.command("risk")
def risk_cmd(
    subject: Annotated[str | None, typer.Argument(help="Explain this subject's score (all reasons).")] = None,
    limit: Annotated[int, typer.Option(help="How many subjects.")] = 30,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The riskiest subjects of the latest run, or why one subject scores what it does."""
    with store(db) as st:
        rows = _run_rows(st, "money_risk", " AND subject = ?" if subject else "", (subject,) if subject else (),
                         "score DESC, subject", limit)
    if subject and not rows:
        fail(f"{subject} has no risk in the latest run")
    emit(rows, as_json, "\n".join(
        f"{r['score']:.2f} (typologies {r['typology_score']:.2f}, network {r['network_score']:.2f})  {r['subject']}"
        + "".join(f"\n    - {x}" for x in (r["reasons"] if subject else r["reasons"][:2])) for r in rows))


@money_app.command("alerts")
def alerts_cmd(
    status: Annotated[str | None, typer.Option(help="open, assigned, escalated or closed.")] = None,
    assignee: Annotated[str | None, typer.Option(help="Only alerts assigned to this analyst.")] = None,
    limit: Annotated[int, typer.Option(help="How many alerts.")] = 50,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Alerts, riskiest first."""
    from wildtrace.model import Alert

    where, params = ["kind <> ''"], []
    if status:
        where.append("status = ?")
        params.append(status)
    if assignee:
        where.append("assignee = ?")
        params.append(assignee)
    with store(db) as st:
        alerts = st.find(Alert, " AND ".join(where), params, order_by="score DESC, id", limit=limit)
    rows = [a.model_dump(mode="json") for a in alerts]
    emit(rows, as_json, "\n".join(f"{a.id}  {a.score:.2f}  {a.status:<9} {a.assignee or '-':<10} {a.subject:<26} "
                                  f"{a.reasons[0] if a.reasons else ''}" for a in alerts))


@money_app.command("alert")
def alert_cmd(
    alert_id: Annotated[str, typer.Argument(help="Alert id (from `money alerts`).")],
    status: Annotated[str | None, typer.Option(help="open, assigned, escalated or closed.")] = None,
    assign: Annotated[str | None, typer.Option(help="Analyst to assign it to ('' to unassign).")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show an alert with all the evidence it cites, or change its status or assignee."""
    from wildtrace.model import Alert
    from wildtrace.money import alert_evidence, set_alert

    with store(db) as st:
        alert = (set_alert(st, alert_id, status, assign) if status is not None or assign is not None
                 else st.get(Alert, alert_id))  # an unknown id or status: the entry point says why, quotes kept
        if alert is None:
            fail(f"no alert {alert_id!r}")
        evidence = alert_evidence(st, alert)
    emit({**alert.model_dump(mode="json"), "evidence": evidence}, as_json)


@money_app.command("sar")
def sar_cmd(
    subject: Annotated[str, typer.Argument(help="The alert's subject: a payment account, phone:... or waybill.")],
    out: Annotated[Path, typer.Option(help="Folder for the XML, JSON and HTML drafts.")] = Path("sar"),
    pdf: Annotated[bool, typer.Option(help="Also render a PDF.")] = False,
    entity: Annotated[str, typer.Option(help="Reporting entity id in the goAML header.")] = "WildTrace",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Draft a suspicious-activity report for one subject (goAML-style XML, JSON, HTML and optionally PDF)."""
    from wildtrace.money import draft_sar, write_sar

    with store(db) as st:
        try:
            draft = draft_sar(st, subject, entity)
        except KeyError as exc:
            fail(str(exc).strip("'\""))
    paths = write_sar(draft, out, pdf)
    emit({"subject": subject, "files": [str(p) for p in paths], "transactions": len(draft.transactions),
          "shipments": len(draft.shipments), "posts": len(draft.posts)}, as_json,
         "\n".join(str(p) for p in paths))


@watch_app.command("load")
def watch_load_cmd(
    path: Annotated[Path, typer.Argument(help="FollowTheMoney entities, JSON Lines (e.g. an OpenSanctions export).")],
    name: Annotated[str, typer.Option("--list", help="Name of this list (reloading replaces it).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load a watchlist of known offenders or sanctioned entities."""
    from wildtrace.money import load_watchlist

    with store(db) as st:
        n = load_watchlist(st, path, name)
    emit({"list": name, "entities": n}, as_json, f"{name}: {n} entities")


@watch_app.command("screen")
def watch_screen_cmd(
    name: Annotated[str | None, typer.Option(help="A person's or company's name, in any script.")] = None,
    ident: Annotated[list[str] | None, typer.Option("--id", help="Phone, account or card number; repeatable.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Screen one party against the loaded watchlists, with the reason for each match."""
    if not name and not ident:
        fail("give --name and/or --id")
    from wildtrace.money import Watchlists

    with store(db) as st:
        matches = Watchlists.from_store(st).screen(name, ident or [])
    rows = [m.__dict__ for m in matches]
    emit(rows, as_json, "\n".join(f"{m.score:5.1f}  {m.list_name}:{m.entity_id} {m.caption}: {m.reason}"
                                  for m in matches) or "no match")


def _eval(transactions: Path, maps: list[str] | None, truth: Path, account_col: str, label_col: str,
          threshold: float, step_hours: float, db: str | None, as_json: bool, kind: str = "account", folds: int = 0,
          patterns: Path | None = None, pattern_col: str = "pattern_id", pattern_account_col: str = "account",
          model: Path | None = None, profile: Path | None = None) -> None:
    from wildtrace.money import analyse, evaluate_ledger, open_frame, read_patterns

    table = _truth(truth)
    learned = _model(model)
    deployment = _deployment(profile)
    try:
        groups = read_patterns(patterns, pattern_account_col, pattern_col) if patterns else None
    except (OSError, ValueError) as exc:
        fail(str(exc))
    with _store_if_any(db) as st:
        frame = open_frame(st, transactions, _pairs(maps), int(step_hours * 3600), deployment)
        try:
            result = analyse(st, step_seconds=int(step_hours * 3600), alert_threshold=threshold, frame=frame)
            metrics = evaluate_ledger(frame, result, table, account_col, label_col, kind, folds, groups, learned)
        except ValueError as exc:
            fail(str(exc))
        finally:
            frame.close()
    warning = [f"WARNING: the model was {metrics['warning']}"] if "warning" in metrics else []
    emit(metrics, as_json, "\n".join(warning + _lines({k: v for k, v in metrics.items() if k != "warning"})))


def _lines(metrics: dict[str, Any], indent: int = 28) -> list[str]:
    """One line per metric; a table of them (such as the pattern members per type) one line per row."""
    out = []
    for k, v in metrics.items():
        if isinstance(v, dict) and v and all(isinstance(x, dict) for x in v.values()):
            out.append(f"{k:>{indent}}")
            out += [f"{row:>{indent}}  " + ", ".join(f"{c} {x}" for c, x in cells.items()) for row, cells in v.items()]
        else:
            out.append(f"{k:>{indent}}  {v}")
    return out


EvalTx = Annotated[Path, typer.Option("--transactions", help="Transactions file (CSV, Parquet or JSON Lines).")]
EvalTruth = Annotated[Path, typer.Option("--truth", help="CSV with an account column and a 0/1 label column.")]
EvalAccount = Annotated[str, typer.Option("--account-col", help="Column of the truth file naming the account.")]
EvalLabel = Annotated[str, typer.Option("--label-col", help="Column of the truth file with 0/1 labels.")]
EvalThreshold = Annotated[float, typer.Option(help="Alert threshold (default: the fixed default).")]


@money_app.command("eval")
def eval_cmd(transactions: EvalTx, truth: EvalTruth, account_col: EvalAccount = "account",
             label_col: EvalLabel = "label", maps: MapOpt = None, threshold: EvalThreshold = ALERT_THRESHOLD,
             step_hours: Annotated[float, typer.Option(help="Length of one integer time step, hours.")] = 1.0,
             truth_kind: TruthKindOpt = "account",
             cv: Annotated[int, typer.Option("--cv", help="Cross-validate the learned model in this many folds, "
                                                         "beside the unsupervised and degree rankings.")] = 0,
             patterns: Annotated[Path | None, typer.Option(
                 "--patterns", help="CSV/Parquet of pattern membership (account, pattern id): folds keep "
                                    "patterns whole. Without it, laundering accounts that pay each other are "
                                    "grouped.")] = None,
             pattern_col: Annotated[str, typer.Option(help="Pattern id column of --patterns.")] = "pattern_id",
             pattern_account_col: Annotated[str, typer.Option(help="Account column of --patterns.")] = "account",
             model: ModelOpt = None, profile: ProfileOpt = None,
             db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Score accounts against 0/1 labels: precision, recall, F1 at the alert threshold, and average
    precision over the risk ranking (of the unsupervised run, or of --model). --cv N cross-validates a
    learned model against the baselines on grouped folds. With --truth-kind transaction, also the
    precision and recall of the payments cited as evidence. Flagged sellers, parcels and KYC come from
    the store (--db) if any."""
    if cv == 1 or cv < 0:
        fail("--cv: give 0 (no cross-validation) or at least 2 folds")
    _eval(transactions, maps, truth, account_col, label_col, threshold, step_hours, db, as_json, truth_kind, cv,
          patterns, pattern_col, pattern_account_col, model, profile)


@money_app.command("train")
def train_cmd(transactions: EvalTx, truth: EvalTruth,
              out: Annotated[Path, typer.Option("--out", help="Folder to write the model to.")],
              account_col: EvalAccount = "account", label_col: EvalLabel = "label", maps: MapOpt = None,
              truth_kind: TruthKindOpt = "account",
              step_hours: Annotated[float, typer.Option(help="Length of one integer time step, hours.")] = 1.0,
              db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Learn a ranking of accounts from labels: gradient-boosted trees over scale-free per-account features
    (counts per window, amounts against the ledger and the account's own history, pass-through, cycles,
    typology strengths, neighbours' features). Use it with `money run --model OUT`."""
    from wildtrace.money import account_labels, analyse, open_frame, train_model

    table = _truth(truth)
    with _store_if_any(db) as st:
        frame = open_frame(st, transactions, _pairs(maps), int(step_hours * 3600))
        try:
            result = analyse(st, step_seconds=int(step_hours * 3600), frame=frame)
            labels, _ = account_labels(frame, table, account_col, label_col, truth_kind)
            model = train_model(frame, labels, result.hits, result.risk)
        except ValueError as exc:
            fail(str(exc))
        finally:
            frame.close()
    model.save(out)
    summary = {"model": str(out), "features": len(model.features), **model.meta}
    summary.pop("params")
    emit(summary, as_json, "\n".join(f"{k:>28}  {v}" for k, v in summary.items()))


@money_app.command("eval-typologies")
def eval_typologies_cmd(
    truth: Annotated[Path, typer.Option("--truth", help="Folder with transactions.csv (id,is_trade,typology) "
                                                       "and/or shipments.csv (waybill,is_trade,pattern).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Per typology: hits and false-alert rate; per labelled pattern: recall (run on the store's data)."""
    from wildtrace.money import analyse, evaluate_typologies

    with store(db) as st:
        result = analyse(st)
    try:
        report = evaluate_typologies(result, truth)
    except FileNotFoundError as exc:
        fail(str(exc))
    emit(report, as_json, "\n".join(f"{k:<34} " + "  ".join(f"{a}={b}" for a, b in v.items())
                                    for k, v in report.items()))


def register(app: typer.Typer) -> None:
    app.add_typer(money_app, name="money")
    eval_app.command("money", help="Score accounts against 0/1 labels, or cross-validate a learned model (same as "
                                   "`wildtrace money eval`).")(eval_cmd)
