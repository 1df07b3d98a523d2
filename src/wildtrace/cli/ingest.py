"""``wildtrace ingest``: load JSON Lines, CSV, saved HTML pages or a Telegram export into the store."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from wildtrace.cli._common import ConfigOpt, DbOpt, JsonOpt, console, emit, exit_partial, settings


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest(
        path: Annotated[Path, typer.Argument(help="A file, or a folder of files, to ingest.")],
        model: Annotated[str, typer.Option("--model", "-m", help="Entity the records are: post, account, "
                                           "platform, transaction, shipment, ...")] = "post",
        fmt: Annotated[str | None, typer.Option("--format", "-f", help="jsonl, csv, html or "
                                                "telegram (default: from the file suffix and, for .json, its "
                                                "content; a folder holding result.json is a Telegram export).")] = None,
        mapping_file: Annotated[Path | None, typer.Option("--mapping", help="JSON column mapping file.")] = None,
        maps: Annotated[list[str] | None, typer.Option("--map", help="field=column; repeatable.")] = None,
        defaults: Annotated[list[str] | None, typer.Option("--default", help="field=value for fields the export "
                                                           "lacks, e.g. platform=weibo; repeatable.")] = None,
        assume_tz: Annotated[str | None, typer.Option("--assume-tz", help="Zone of timestamps without one "
                                                      "(+08:00, Asia/Shanghai); else they are refused.")] = None,
        preserve: Annotated[bool, typer.Option("--preserve", help="Also keep each input file as received in the "
                                               "evidence store (WARC + capture log).")] = False,
        chunk_size: Annotated[int | None, typer.Option("--chunk-size", help="Records per committed chunk (default "
                                                       "1,000,000 read by DuckDB, 5,000 per record).")] = None,
        per_record: Annotated[bool, typer.Option("--per-record", help="Validate every record in Python instead of "
                                                 "in DuckDB batches (same results, slower).")] = False,
        media_roots: Annotated[list[Path] | None, typer.Option("--media-root", help="Folder that image paths in "
                                                               "records are read under; repeatable (default: "
                                                               "the input file's folder).")] = None,
        on_conflict: Annotated[str, typer.Option("--on-conflict", help="A record whose id is stored with other "
                                                 "content: 'version' (kept as a version) or 'quarantine'.")
                               ] = "version",
        db: DbOpt = None,
        config: ConfigOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Ingest records, validating each: bad ones go to the quarantine with file, line and field named.

        Re-running the same input adds nothing; a run that was killed resumes where it stopped. At the end the
        store's search index takes in the posts and accounts it lacks (about 8 s per 120k posts on DuckDB).
        """
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from wildtrace.ingest import Mapping, ingest_records, load_mapping, parse_pairs
        from wildtrace.store import open_store

        conf = settings(db, config)
        mapping = load_mapping(mapping_file) if mapping_file else Mapping()
        mapping = mapping.merged(Mapping(fields=parse_pairs(maps or []),
                                         defaults=parse_pairs(defaults or [], "--default")))
        with open_store(conf.db) as store, Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed:,} records"),
            TimeElapsedColumn(), console=console, transient=True, disable=as_json,
        ) as bar:
            task = bar.add_task(f"ingesting {path.name}")
            result = ingest_records(store, path, model, mapping=mapping, fmt=fmt, assume_tz=assume_tz,
                                    data_dir=conf.data_dir, chunk_size=chunk_size, collector=conf.collector,
                                    preserve=preserve, media_roots=list(media_roots or []) or None,
                                    on_conflict=on_conflict, columnar=not per_record,
                                    progress=lambda n: bar.update(task, completed=n))
            bar.update(task, description="indexing for search")
            started = time.perf_counter()
            indexed = store.refresh_search_index()  # now, so that the workbench's first search does not pay it
            index_seconds = round(time.perf_counter() - started, 2)
        data = {**result.as_dict(), "indexed_for_search": indexed, "index_seconds": index_seconds}
        human = (f"{path}: {result.model}: {result.read:,} read, {result.added:,} added, "
                 f"{result.duplicates:,} already present, {result.quarantined:,} quarantined"
                 + (f", {result.versions:,} kept as new versions of stored records" if result.versions else "")
                 + (f", {result.media_added:,} media stored" if result.media_added else "")
                 + (f", {result.accounts_added:,} accounts added" if result.accounts_added else "")
                 + (f", {sum(result.skipped.values()):,} skipped ("
                    + ", ".join(f"{n:,} {kind}" for kind, n in sorted(result.skipped.items())) + ")"
                    if result.skipped else "")
                 + (" (batch already ingested)" if result.already_done else "")
                 + (f" (resumed after record {result.resumed_at:,})" if result.resumed_at else "")
                 + (f"; {indexed:,} rows indexed for search in {index_seconds:.1f} s" if indexed else ""))
        if result.errors:
            human += "\n" + "\n".join(f"  {e[:300]}" for e in result.errors)
        if result.quarantine_path:
            human += f"\nquarantine: {result.quarantine_path}"
        if result.ignored_columns:
            human += f"\ncolumns not mapped to a field (ignored): {', '.join(sorted(result.ignored_columns))}"
        emit(data, as_json, human)
        exit_partial(result.quarantined)
