"""Fictional activity for looking at the report before real consultations exist.

``seed_demo_activity(db)`` adds consultations (with sub-issues and best match
scores) spread over prefectures, and introductions to the advisors already in
the database in every state, with ratings. Everything is marked 架空 and made
by the actor ``demo``; use it on a demo database only.

With ``texts`` and a ``matcher`` the consultations go through the real
pipeline: each text is analysed (bot.dialogue.understand.analyze) into
sub-issues, and each sub-issue's best score is the best Matcher score over the
four kinds, as the dialogue stores it. Without them (tests) fields, processes
and scores are drawn at random.

    python -m bot.report.demo_activity --out report-demo   # temporary SQLite with the sample data
"""

from __future__ import annotations

import argparse
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.secretariat import feedback
from bot.secretariat import introductions as intros
from knowledge.db import Database, make_engine, upgrade
from knowledge.models import Advisor, Consultation, SubIssue
from knowledge.municipalities import MunicipalityDirectory

# Where demand is heavier (fictional weights), and which field × process pairs are common.
PREFECTURE_WEIGHTS = {"奈良県": 9, "群馬県": 8, "岩手県": 7, "新潟県": 6, "長野県": 5, "北海道": 5, "静岡県": 4,
                      "和歌山県": 4, "島根県": 4, "高知県": 3, "熊本県": 3, "秋田県": 3, "福島県": 2, "大分県": 2,
                      "鹿児島県": 2, "三重県": 2, "山形県": 2, "徳島県": 1, "佐賀県": 1, "宮崎県": 1}
COMMON = [("bridge", "inspection", 10), ("bridge", "planning", 6), ("road", "weeding", 7),
          ("road", "snow_removal", 6), ("road", "patrol", 5), ("pavement", "construction", 4),
          ("sewerage", "planning", 5), ("park", "inspection", 3), ("river", "weeding", 3),
          ("tunnel", "inspection", 2), ("road_facility", "inspection", 2), ("bridge", "procurement", 4),
          ("road", "procurement", 3), ("agri_forest_road", "patrol", 2), ("water_supply", "data", 2),
          ("road", "new_tech", 2), ("sabo", "planning", 1), ("port", "inspection", 1)]
RARE = {("water_supply", "data"), ("road", "new_tech"), ("sabo", "planning"), ("port", "inspection"),
        ("agri_forest_road", "patrol")}


def _real_sub_issues(text: str, prefecture: str, directory: Any, matcher: Any) -> list[SubIssue]:
    from bot.dialogue.understand import analyze
    from matching.types import KINDS, MatchQuery

    card = analyze(text, directory=directory, prefecture=None)
    subs = []
    for position, sub in enumerate(card.sub_issues):
        scores = [r.score for kind in KINDS
                  for r in matcher.match(MatchQuery(text=sub.text, kind=kind, prefecture=prefecture, top=3,
                                                    fields=tuple(sub.fields), processes=tuple(sub.processes)))]
        subs.append(SubIssue(position=position, text=sub.text, fields=list(sub.fields),
                             processes=list(sub.processes), pains=list(sub.pains), wanted=list(sub.wanted),
                             best_score=max(scores) if scores else None))
    return subs


def seed_demo_activity(db: Database, *, consultations: int = 80, seed: int = 7, now: datetime | None = None,
                       texts: list[str] | None = None, matcher: Any | None = None) -> dict[str, int]:
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    prefectures, pweights = zip(*PREFECTURE_WEIGHTS.items(), strict=True)
    pairs, weights = [(f, p) for f, p, _ in COMMON], [w for *_, w in COMMON]
    made = {"consultations": 0, "sub_issues": 0, "introductions": 0}
    with db.session() as session:
        advisors = list(session.scalars(select(Advisor).where(Advisor.status == "active",
                                                              Advisor.forgotten.is_(False))))
        directory = MunicipalityDirectory(session) if texts and matcher else None
        for n in range(consultations):
            when = now - timedelta(days=rng.uniform(0, 90))
            prefecture = rng.choices(prefectures, pweights)[0]
            text = texts[n % len(texts)] if texts and matcher else "(架空の相談)"
            consultation = Consultation(platform="demo", user_id=f"demo-user-{n % 30}", prefecture=prefecture,
                                        text=text, created_at=when, updated_at=when)
            if directory is not None:
                for sub in _real_sub_issues(text, prefecture, directory, matcher):
                    consultation.sub_issues.append(sub)
                    made["sub_issues"] += 1
                session.add(consultation)
                made["consultations"] += 1
                continue
            for position in range(rng.choice([1, 1, 1, 2, 2, 3])):
                field, process = rng.choices(pairs, weights)[0]
                low = (field, process) in RARE or rng.random() < 0.12
                score = rng.uniform(0.9, 1.14) if low else rng.uniform(1.16, 1.35)   # the Matcher's scale
                consultation.sub_issues.append(SubIssue(position=position, text=f"(架空) {field} {process}",
                                                        fields=[field], processes=[process], best_score=score))
                made["sub_issues"] += 1
            session.add(consultation)
            made["consultations"] += 1
        session.flush()
        made["introductions"] = _introductions(session, rng, advisors, now)
    return made


def _introductions(session, rng: random.Random, advisors: list[Advisor], now: datetime) -> int:  # type: ignore[no-untyped-def]
    if not advisors:
        return 0
    made = 0
    consultations = list(session.scalars(select(Consultation).where(Consultation.platform == "demo")))
    for consultation in rng.sample(consultations, k=min(len(consultations), 45)):
        advisor = rng.choice(advisors)
        intro = intros.request(session, requester_platform="demo", requester_id=consultation.user_id,
                               target_kind="advisor", target_id=advisor.id, consultation_id=consultation.id)
        if intro.state != "requested" or intro.consultation_id != consultation.id:
            continue
        intro.requested_at = consultation.created_at
        made += 1
        if fate_open := rng.random() < 0.12:
            intro.requested_at = now - timedelta(days=rng.uniform(0, 5))   # still waiting for an answer
        if fate_open:
            continue
        fate = rng.random()
        try:
            if fate < 0.6:
                intros.accept(session, intro.id, actor="demo")
                intro.accepted_at = consultation.created_at + timedelta(days=rng.uniform(0.2, 3))
                if rng.random() < 0.55:
                    intros.complete(session, intro.id, actor="demo")
                    feedback.record_feedback(session, intro.id, side="requester", actor="demo",
                                           rating=rng.choices([5, 4, 3, 2], [5, 4, 2, 1])[0], comment=None)
            elif fate < 0.75:
                intros.decline(session, intro.id, actor="demo")
            else:
                intro.requested_at = min(intro.requested_at, now - timedelta(days=20))  # nobody answered
        except Exception:  # a full advisor refuses: leave the request open, as in real life
            continue
    session.flush()
    intros.expire_overdue(session, days=14, now=now, actor="demo")
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for the report")
    parser.add_argument("--since", default=None, help="YYYY-MM-DD")
    parser.add_argument("--texts", type=Path, default=Path("eval/intake-own.jsonl"),
                        help="JSONL with a 'text' per line, analysed and matched as consultations "
                             "(default eval/intake-own.jsonl; missing: random fields and scores)")
    args = parser.parse_args()
    from datetime import date

    from bot.report import build_report
    from knowledge.reference import seed_reference
    from knowledge.sample import seed_sample

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(make_engine(f"sqlite:///{tmp}/demo.db"))
        upgrade(db.engine)
        with db.session() as session:
            seed_reference(session)
            seed_sample(session)
        texts, matcher = None, None
        if args.texts.is_file():
            import json

            from knowledge.settings import load_settings
            from matching.embedders import make_embedder
            from matching.engine import Matcher

            settings = load_settings(data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/demo.db")
            texts = [json.loads(line)["text"] for line in args.texts.read_text(encoding="utf-8").split("\n")
                     if line.strip()]
            matcher = Matcher(db, make_embedder(settings), settings)
        print(seed_demo_activity(db, texts=texts, matcher=matcher))
        result = build_report(db, args.out, since=date.fromisoformat(args.since) if args.since else None)
        db.dispose()
    print(f"wrote {', '.join(result.charts)} and {result.html}")


if __name__ == "__main__":
    main()
