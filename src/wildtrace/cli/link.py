"""``wildtrace link``: accounts to traders and networks; ``wildtrace eval link`` scores the linkage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wildtrace.cli._common import DbOpt, JsonOpt, emit, fail, settings, store
from wildtrace.cli.evaluate import eval_app

if TYPE_CHECKING:
    import networkx as nx

link_app = typer.Typer(help="Link accounts into traders and networks, with the reason for every link.",
                       no_args_is_help=True)


@link_app.command("run")
def run_cmd(
    db: DbOpt = None,
    engine: Annotated[str | None, typer.Option(help="Splink backend: duckdb or spark [setting link_engine].")] = None,
    threshold: Annotated[float | None, typer.Option(help="Match probability to link [setting link_threshold].")] = None,
    probabilistic: Annotated[bool, typer.Option(help="Also link on weak evidence with Splink.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Link every account in the store into traders and save links, hubs and trader profiles."""
    from wildtrace.link import HubRules, LinkOptions, PictureRule, run_link
    s = settings(db)
    options = LinkOptions(
        threshold=threshold if threshold is not None else s.link_threshold,
        max_block_accounts=s.link_block_max_accounts,
        hubs=HubRules(max_accounts=s.link_hub_max_accounts, min_groups=s.link_hub_min_groups),
        pictures=PictureRule(phash=s.link_phash_distance), probabilistic=probabilistic, engine=engine or s.link_engine)
    if options.engine not in ("duckdb", "spark"):
        fail(f"unknown engine {options.engine!r}: use duckdb or spark")
    with store(db) as st:
        summary = run_link(st, options)
    emit(summary, as_json, "\n".join(f"{k:>22}  {v}" for k, v in summary.items()))


@link_app.command("traders")
def traders_cmd(
    db: DbOpt = None,
    category: Annotated[str | None, typer.Option(help="Only this category (A, B, C or D).")] = None,
    limit: Annotated[int, typer.Option(help="How many traders to list.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Traders of the last run, most flagged posts first."""
    from wildtrace.link import list_traders
    with store(db) as st:
        rows = list_traders(st, category, limit)
    lines = [f"{'trader':<12} {'accts':>5} {'cat':>3} {'posts':>5} {'flag':>5} {'night':>5}  status / platforms"]
    lines += [f"{r['trader_id']:<12} {r['n_accounts']:>5} {r['category'] or '-':>3} {r['n_posts']:>5} "
              f"{r['n_flagged']:>5} {_pct(r['night_share']):>5}  {r['status']} / {', '.join(r['platforms'])}"
              for r in rows]
    emit(rows, as_json, "\n".join(lines))


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


@link_app.command("profile")
def profile_cmd(subject: Annotated[str, typer.Argument(help="A trader id or one of its account ids.")],
                db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """The profile of a trader: accounts and backups, category, products, prices, hours, timeline, status."""
    from wildtrace.link import load_profile
    with store(db) as st:
        profile = load_profile(st, subject)
    if profile is None:
        fail(f"no trader or linked account {subject!r} (run `wildtrace link run` first)")
    emit(profile, as_json, _profile_text(profile))


def _profile_text(p: dict[str, Any]) -> str:
    lines = [f"trader {p['trader_id']}  status: {p['status']}  category: {p['category'] or '-'} "
             f"({p['category_basis']})", f"platforms: {', '.join(p['platforms'])}", "accounts:"]
    for a in p["accounts"]:
        backup = f"  BACKUP after block of {a['after_block_of']}" if a["is_backup"] else ""
        lines.append(f"  {a['account_id']}  [{a['status']}]  appeared {a['appeared_at'] or '?'}{backup}")
    lines.append(f"posts: {p['n_posts']} ({p['n_flagged']} flagged), first {p['first_post']}, last {p['last_post']}")
    if p["products"]:
        lines.append("products: " + ", ".join(f"{k} ({v})" for k, v in p["products"].items()))
    if p["price_per_gram"]:
        pp = p["price_per_gram"]
        lines.append(f"price per gram (CNY): median {pp['median']}, mean {pp['mean']} ± {pp['sd']}, "
                     f"{pp['min']}-{pp['max']} over {pp['n']} ads")
    lines.append(f"night share (21:00-06:00 local): {_pct(p['night_share'])}")
    peak = max(p["hour_histogram"]) or 1
    lines += [f"  {h:02d}h {'#' * round(20 * n / peak)} {n}" for h, n in enumerate(p["hour_histogram"]) if n]
    lines += ["timeline:"] + [f"  {t['week']}  {t['posts']:>4} posts  {t['flagged']:>4} flagged" for t in p["timeline"]]
    for z in p.get("seizures", []):
        lines.append(f"seizure {z['id']} {z['date']} {z.get('agency') or ''} {z.get('quantity_kg') or '?'} kg: "
                     + "; ".join(z["via"]))
    return "\n".join(lines)


@link_app.command("why")
def why_cmd(a: Annotated[str, typer.Argument(help="An account id.")],
            b: Annotated[str, typer.Argument(help="Another account id.")],
            db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Why two accounts are (or are not) the same trader: each link on the way with its evidence."""
    from wildtrace.link import explain_link
    with store(db) as st:
        why = explain_link(st, a, b)
    emit(why, as_json, _why_text(why))


def _edge_text(e: dict[str, Any]) -> list[str]:
    head = f"  {e['from']} -- {e['to']}  [{e['source']}{'' if e['accepted'] else ', not linked'}]"
    if e["source"] == "splink":
        head += f"  match weight {e['match_weight']:+.1f}, probability {e['match_probability']:.3f}"
    body = [f"      {r}" if isinstance(r, str) else f"      {r['comparison']}: {r['level']} ({r['weight']:+.1f})"
            for r in e["reasons"]]
    return [head, *body]


def _why_text(why: dict[str, Any]) -> str:
    verdict = "the same trader" if why["same_trader"] else "different traders"
    lines = [f"{why['a']} and {why['b']}: {verdict} ({why['trader_a']}, {why['trader_b']})"]
    if why["path"]:
        lines.append("linked through:")
        for e in why["path"]:
            lines += _edge_text(e)
    if why["direct"]:
        lines.append("direct evidence between them:")
        for e in why["direct"]:
            lines += _edge_text(e)
    for h in why["hubs_not_used"]:
        lines.append(f"shared hub, not used: {h['kind']} {h['value']} ({h['reason']})")
    return "\n".join(lines)


@link_app.command("hubs")
def hubs_cmd(db: DbOpt = None, limit: Annotated[int, typer.Option(help="How many hubs to list.")] = 100,
             as_json: JsonOpt = False) -> None:
    """Hub identifiers: shared by many accounts or by otherwise separate traders; shown, never used to link."""
    from wildtrace.link import list_hubs
    with store(db) as st:
        rows = list_hubs(st, limit)
    emit(rows, as_json, "\n".join(f"{r['kind']:<16} {r['value']:<24} {r['n_accounts']:>5} accounts  {r['reason']}"
                                  for r in rows))


@link_app.command("network")
def network_cmd(
    db: DbOpt = None,
    out: Annotated[Path | None, typer.Option(help="Write the graph: .graphml or .json (node-link).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The network of traders, buyers and suppliers with money and parcel flows: communities and roles."""
    from wildtrace.link import load_network
    with store(db) as st:
        graph, table = load_network(st)
    if out is not None:
        _write_graph(graph, table, out)
    communities = table.groupby("community").agg(nodes=("node", "size"), traders=("kind", lambda k: int(
        (k == "trader").sum())), money=("money_received", "sum")).reset_index()
    summary = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
               "traders": int((table["kind"] == "trader").sum()), "parties": int((table["kind"] == "party").sum()),
               "seizures": int((table["kind"] == "seizure").sum()),
               "communities": communities.sort_values("money", ascending=False).to_dict("records"),
               "roles": table[table["kind"] == "trader"]["role"].value_counts().to_dict(), "written": str(out or "")}
    emit(summary, as_json)


def _write_graph(graph: nx.DiGraph, table: Any, out: Path) -> None:
    import networkx as nx
    graph.graph.clear()  # the payments and co-mentions roles and communities were read from, not graph data
    for r in table.to_dict("records"):
        graph.nodes[r["node"]].update({k: (json.dumps(v) if isinstance(v, list) else v) for k, v in r.items()
                                       if k != "node"})
    for _, data in graph.nodes(data=True):
        for k in [k for k, v in data.items() if v is None]:
            data[k] = ""
    if out.suffix == ".graphml":
        nx.write_graphml(graph, out)
    elif out.suffix == ".json":
        out.write_text(json.dumps(nx.node_link_data(graph, edges="edges"), ensure_ascii=False, default=str))
    else:
        fail(f"{out}: use a .graphml or .json file name")


@link_app.command("top")
def top_cmd(db: DbOpt = None, limit: Annotated[int, typer.Option(help="How many traders to rank.")] = 20,
            as_json: JsonOpt = False) -> None:
    """Traders ranked by money received, then money-weighted PageRank: who profits most."""
    from wildtrace.link import top_traders
    with store(db) as st:
        rows = top_traders(st, limit)
    lines = [f"{'trader':<12} {'received':>12} {'net':>12} {'pagerank':>9} {'comm':>4}  role / payment accounts"]
    for r in rows:
        lines.append(f"{r['trader_id']:<12} {r['money_received']:>12,.0f} {r['net']:>12,.0f} {r['pagerank']:>9.4f} "
                     f"{r['community']:>4}  {r['role']}")
        lines += [f"{'':<12} {a['kind']} {a['account']}: {a['via']}" for a in r["payment_accounts"]]
    emit(rows, as_json, "\n".join(lines))


@eval_app.command("link")
def eval_link_cmd(
    truth: Annotated[Path, typer.Option(help="CSV with account_id, person_id (and is_backup, backup_of, is_trader, "
                                             "category, role, network_id).")],
    payment_truth: Annotated[Path | None, typer.Option(help="CSV with payment_account, person_id: who holds which "
                                                            "payment account [default: payment_accounts.csv beside "
                                                            "the truth, if there].")] = None,
    pictures: Annotated[bool, typer.Option(help="Also score same-picture on a generated set of copies and "
                                                "look-alikes.")] = True,
    picture_seed: Annotated[int, typer.Option(help="Seed of the generated picture set.")] = 18,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Score the last linking run: pairwise and B-cubed linkage, backup recall, trader categories, chain roles,
    communities (adjusted Rand index), the top 3 earners' ranks, and the same-picture rule on a picture set."""
    import tempfile

    import pandas as pd

    from wildtrace.link import evaluate_link, read_truth, score_picture_set
    payment_truth = payment_truth or (truth.parent / "payment_accounts.csv")
    holders = pd.read_csv(payment_truth, dtype=str) if payment_truth.is_file() else None
    if holders is not None and not {"payment_account", "person_id"} <= set(holders.columns):
        fail(f"{payment_truth}: needs the columns payment_account and person_id")
    with store(db) as st:
        try:
            result = evaluate_link(st, read_truth(truth), holders)
        except ValueError as exc:
            fail(str(exc))
    if pictures:
        with tempfile.TemporaryDirectory() as folder:
            result["pictures"] = score_picture_set(Path(folder), seed=picture_seed)
    emit(result, as_json, _eval_text(result))


def _eval_text(result: dict[str, Any]) -> str:
    pw, b3 = result["pairwise"], result["bcubed"]
    lines = [f"accounts {result['accounts']}, persons {result['persons']}, clusters {result['clusters']}",
             f"pairwise  precision {pw['precision']:.3f}  recall {pw['recall']:.3f}  F1 {pw['f1']:.3f}",
             f"B-cubed   precision {b3['precision']:.3f}  recall {b3['recall']:.3f}  F1 {b3['f1']:.3f}"]
    if result.get("trader_pairs") and result["trader_pairs"]["true_pairs"]:
        tr = result["trader_pairs"]
        lines.append(f"pairs of one trader's accounts linked: {tr['correct_pairs']}/{tr['true_pairs']}")
    if result.get("backup"):
        bk = result["backup"]
        lines.append(f"backup accounts linked to their original: {bk['linked_to_original']}/{bk['backups']}")
    for key, what in (("category", "category accuracy on trader accounts"),
                      ("role", "role accuracy on network members with a known role")):
        if result.get(key) and result[key]["n"]:
            r = result[key]
            unknown = f"; {r['unknown']} without one, counted wrong" if r.get("unknown") else ""
            lines.append(f"{what}: {r['accuracy']:.3f} ({r['right']}/{r['n']}{unknown})")
    silent = (result.get("category") or {}).get("posting_nothing") or {}
    if silent.get("accounts"):
        lines.append(f"  and {silent['accounts']} trader account(s) whose trader posts nothing (true categories "
                     f"{', '.join(f'{c} {n}' for c, n in silent['true_categories'].items())}): category unknown, "
                     f"not scored above; counted wrong {result['category']['accuracy_all']:.3f}")
    if result.get("communities") and result["communities"]["ari"] is not None:
        c = result["communities"]
        lines.append(f"communities vs true networks: adjusted Rand index {c['ari']:.3f} ({c['accounts']} accounts, "
                     f"{c['networks']} networks, {c['communities']} communities)")
    if result.get("top_earners"):
        lines.append("top earners by the truth, rank in who profits most: " + ", ".join(
            f"{e['person_id']} ({e['received']:,.0f}) #{e['rank'] or '-'}" for e in result["top_earners"]))
    if result.get("pictures"):
        pc = result["pictures"]
        lines.append(f"same picture on {pc['pairs']} generated pairs (seed {pc['seed']}): precision "
                     f"{pc['precision']:.3f}  recall {pc['recall']:.3f}  (uncropped copies "
                     f"{pc['uncropped_copies_found']}, cropped {pc['cropped_copies_found']})")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    app.add_typer(link_app, name="link")
