"""The secretariat actions the portal added: submissions, supporters, site visits, profiles, erasure."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from sqlalchemy import select

from bot.dialogue.deliveries import compose
from bot.dialogue.replies import ChatUser, Notice, Outbox
from bot.secretariat import erasure, outbox, profiles, submissions, supporters, visits
from bot.secretariat import introductions as intros
from knowledge.audit import history
from knowledge.db import Database
from knowledge.errors import ConfigError, ConflictError, NotFound, ValidationFailed
from knowledge.models import Advisor, AuditEntry, Engineer, Training
from knowledge.municipalities import MunicipalityDirectory
from knowledge.settings import Settings
from knowledge.web_models import ProfileOwner
from matching.filters import Asker, recommendable

SOON = (date.today() + timedelta(days=30)).isoformat()
TRAINING = {"title": "橋梁点検の基礎研修", "kind": "training", "prefecture": "奈良県", "start_date": SOON,
            "description": "近接目視の基本を学びます。", "fields": ["橋梁"], "processes": ["inspection"]}
APPLICANT = {"name": "山田 太郎", "affiliation": "県OB", "kind": "retired_official",
             "expertise": "橋梁の点検と補修設計", "fields": ["bridge"], "processes": ["inspection", "design"],
             "prefecture": "奈良県", "contact": "yamada@example.jp"}


def _directory(session: object) -> MunicipalityDirectory:
    return MunicipalityDirectory(session)  # type: ignore[arg-type]


def test_a_submission_waits_until_approved(db: Database) -> None:
    with db.session() as session:
        submission = submissions.submit(session, TRAINING, submitter_name="主催 花子", submitter_contact="h@example.jp",
                                        directory=_directory(session), actor="web:public")
        assert session.scalar(select(Training).where(Training.title == TRAINING["title"])) is None
        row = submissions.approve(session, submission.id, actor="web:kanri", directory=_directory(session))
        assert row.fields == ["bridge"] and row.ext_id == submission.data["id"]
        assert submissions.get(session, submission.id).state == "approved"
        with pytest.raises(ConflictError):
            submissions.approve(session, submission.id, actor="web:kanri", directory=_directory(session))
        told = compose(session, Notice("submission_approved", submission.id))   # what the console delivers
        assert [d.recipients for d in told] == [(Outbox("h@example.jp"),)]
        assert TRAINING["title"] in told[0].text and row.ext_id in told[0].text
        assert not outbox.pending(session)          # the service decides; the relay carries the notice
        actions = {(e.kind, e.action) for e in session.scalars(select(AuditEntry))}
    assert {("submission", "submit"), ("training", "add"), ("submission", "approve")} <= actions


def test_a_submission_is_validated_like_an_imported_row(db: Database) -> None:
    bad = {**TRAINING, "prefecture": "奈良", "start_date": "2027/05/01", "fields": ["宇宙"], "description": ""}
    with db.session() as session, pytest.raises(ValidationFailed) as failed:
        submissions.submit(session, bad, submitter_name="", submitter_contact="x" * 300, directory=_directory(session),
                           actor="web:public")
    fields = sorted({p.split(":")[0] for p in failed.value.problems})
    assert fields == ["description", "fields", "prefecture", "start_date", "submitter_contact", "submitter_name"]


def test_a_rejected_submission_tells_the_organiser_why(db: Database) -> None:
    with db.session() as session:
        submission = submissions.submit(session, TRAINING, submitter_name="主催", submitter_contact="h@example.jp",
                                        directory=_directory(session), actor="web:public")
        with pytest.raises(ValidationFailed):
            submissions.reject(session, submission.id, reason="  ", actor="web:kanri")
        submissions.reject(session, submission.id, reason="日程が未定のため", actor="web:kanri")
        told = compose(session, Notice("submission_rejected", submission.id))
        assert [d.recipients for d in told] == [(Outbox("h@example.jp"),)] and "日程が未定のため" in told[0].text
        assert session.scalar(select(Training).where(Training.title == TRAINING["title"])) is None


def test_an_applicant_is_never_recommended_before_certification(db: Database) -> None:
    with db.session() as session:
        application = supporters.apply(session, APPLICANT, consent_recommend=True, consent_contact=True,
                                       directory=_directory(session), actor="web:public")
        assert session.scalars(select(Advisor)).all() == []
        advisor = supporters.certify(session, application.id, actor="web:kanri", directory=_directory(session))
        assert advisor.status == "active" and recommendable("advisor", advisor, Asker())
        assert advisor.ext_id.startswith("sup-") and advisor.contact == "yamada@example.jp"
        told = compose(session, Notice("supporter_certified", application.id))
    assert len(told) == 1 and told[0].recipients == (Outbox("yamada@example.jp"),)
    assert "認定しました" in told[0].text and advisor.ext_id in told[0].text and "山田 太郎" in told[0].text


def test_a_rejected_applicant_hears_why_in_chat_when_their_contact_is_a_chat_user(db: Database) -> None:
    with db.session() as session:
        application = supporters.apply(session, {**APPLICANT, "contact": "slack:U0APPLICANT"}, consent_recommend=True,
                                       consent_contact=True, directory=_directory(session), actor="web:public")
        supporters.reject(session, application.id, reason="対応地域が重複しています", actor="web:kanri")
        told = compose(session, Notice("supporter_rejected", application.id))
    assert told[0].recipients == (ChatUser("slack", "U0APPLICANT"),)
    assert "対応地域が重複しています" in told[0].text and "見送りました" in told[0].text


def test_an_application_needs_both_consents_and_valid_fields(db: Database) -> None:
    with db.session() as session, pytest.raises(ValidationFailed) as failed:
        supporters.apply(session, {**APPLICANT, "capacity": "many", "contact": ""}, consent_recommend=False,
                         consent_contact=False, directory=_directory(session), actor="web:public")
    fields = {p.split(":")[0] for p in failed.value.problems}
    assert fields == {"capacity", "contact", "consent_recommend", "consent_contact"}


def test_certification_with_a_chosen_id_and_rejection(db: Database) -> None:
    with db.session() as session:
        first = supporters.apply(session, APPLICANT, consent_recommend=True, consent_contact=True,
                                 directory=_directory(session), actor="t")
        second = supporters.apply(session, {**APPLICANT, "name": "別の人"}, consent_recommend=True,
                                  consent_contact=True, directory=_directory(session), actor="t")
        with pytest.raises(ValidationFailed):
            supporters.certify(session, first.id, actor="t", directory=_directory(session), advisor_id="bad id!")
        assert supporters.certify(session, first.id, actor="t", directory=_directory(session),
                                  advisor_id="adv-yamada").ext_id == "adv-yamada"
        supporters.reject(session, second.id, reason="専門が重複しています", actor="t")
        assert [a.state for a in supporters.list_applications(session, state=None)] == ["certified", "rejected"]


def _offer(session: object, capacity: int = 5) -> tuple[object, str]:
    data = {"prefecture": "奈良県", "municipality": "宇陀市", "title": "橋梁修繕代行の現場",
            "description": "現場を案内します。",
            "topics": ["代行の協定", "点検データ"], "contact_name": "受入 一郎", "contact": "ukeire@example.jp"}
    return visits.offer(session, data, [{"day": SOON, "place": "宇陀市役所", "capacity": capacity}],  # type: ignore[arg-type]
                        directory=_directory(session), actor="web:public")


def _visitor(municipality: str, people: int = 2) -> dict[str, object]:
    return {"prefecture": "奈良県", "municipality": municipality, "name": f"{municipality}の代表", "contact":
            f"{municipality}@example.jp", "participants": people}


def test_visits_to_one_date_form_one_bundle(db: Database) -> None:
    with db.session() as session:
        host, token = _offer(session)
        date_id = host.dates[0].id  # type: ignore[attr-defined]
        with pytest.raises(NotFound):   # not published yet
            visits.join(session, date_id, _visitor("曽爾村"), directory=_directory(session), actor="t")
        visits.set_status(session, host.ext_id, "published", actor="web:kanri")  # type: ignore[attr-defined]
        first = visits.join(session, date_id, _visitor("曽爾村"), directory=_directory(session), actor="t")
        visits.join(session, date_id, _visitor("御杖村"), directory=_directory(session), actor="t")
        with pytest.raises(ConflictError, match="Only 1 place"):
            visits.join(session, date_id, _visitor("東吉野村"), directory=_directory(session), actor="t")
        managed = visits.host_by_token(session, token)
        bundle = visits.bundles(session, managed)[0]
        assert (bundle.bodies, bundle.taken, bundle.free) == (2, 4, 1)
        visits.decide(session, managed, first.id, confirm=True, actor="host")
        confirmed = compose(session, Notice("visit_confirmed", first.id))
        assert [d.recipients for d in confirmed] == [(Outbox("曽爾村@example.jp"),)]
        assert "ukeire@example.jp" in confirmed[0].text
        with pytest.raises(NotFound):
            visits.host_by_token(session, token + "x")


def test_offers_and_joins_are_validated(db: Database) -> None:
    with db.session() as session:
        with pytest.raises(ValidationFailed) as failed:
            visits.offer(session, {"prefecture": "奈良県", "municipality": "架空町", "title": "", "description": "x",
                                   "contact_name": "a", "contact": "b"},
                         [{"day": "2001-01-01", "place": "x", "capacity": 0}], directory=_directory(session), actor="t")
        problems = failed.value.problems
        assert any(p.startswith("municipality:") for p in problems)
        assert any(p.startswith("title:") for p in problems)
        assert any(p.startswith("contact:") for p in problems)
        assert any(p.startswith("date 1: day:") and "past" in p for p in problems)
        assert any(p.startswith("date 1: capacity:") for p in problems)
        host, _ = _offer(session)
        visits.set_status(session, host.ext_id, "published", actor="t")  # type: ignore[attr-defined]
        with pytest.raises(ValidationFailed):
            visits.join(session, host.dates[0].id, {**_visitor("曽爾村"), "participants": 0},  # type: ignore[attr-defined]
                        directory=_directory(session), actor="t")


def test_forgetting_a_host_erases_its_contact(db: Database) -> None:
    with db.session() as session:
        host, token = _offer(session)
        assert visits.forget_host(session, host.ext_id, actor="t") == ["contact_name", "contact"]  # type: ignore[attr-defined]
        assert host.contact is None and host.status == "closed"  # type: ignore[attr-defined]
        with pytest.raises(NotFound):
            visits.host_by_token(session, token)
        with pytest.raises(ConflictError):
            visits.set_status(session, host.ext_id, "published", actor="t")  # type: ignore[attr-defined]


def _settings(settings: Settings) -> Settings:
    from pydantic import SecretStr

    return settings.model_copy(update={"web_secret_key": SecretStr("s" * 40), "web_base_url": "https://portal.example/"})


def test_profile_links_are_signed_and_expire(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="GUNMANE_WEB_BASE_URL"):
        profiles.make_profile_link("slack", "U123", settings=settings)
    cfg = _settings(settings)
    for platform, user in (("Slack Workspace", "U1"), ("x" * 17, "U1"), ("slack", ""), ("slack", "U" * 129)):
        with pytest.raises(ValueError):
            profiles.make_profile_link(platform, user, settings=cfg)
    link = profiles.make_profile_link("slack", "U123", settings=cfg)
    assert link.startswith("https://portal.example/profile/")
    token = link.rsplit("/", 1)[1]
    assert profiles.read_profile_token(token, settings=cfg) == ("slack", "U123")
    assert profiles.read_profile_token(token, settings=cfg.model_copy(update={"web_base_url": "https://x"})) == (
        "slack", "U123")
    later = date.today() + timedelta(days=cfg.web_profile_link_days + 1)
    from datetime import datetime

    with pytest.raises(NotFound):
        profiles.read_profile_token(token, settings=cfg, now=datetime(later.year, later.month, later.day,
                                                                      tzinfo=UTC))


def test_an_engineer_registers_withdraws_and_erases_their_profile(db: Database) -> None:
    data = {"name": "技術 次郎", "prefecture": "奈良県", "municipality": "曽爾村", "expertise": "村道橋の点検",
            "fields": ["bridge"], "discoverable": True, "contact": "U999"}
    with db.session() as session:
        row, created = profiles.save_profile(session, "slack", "U999", data, directory=_directory(session))
        assert created and row.discoverable and row.ext_id == profiles.owned_ext_id("slack", "U999")
        again, created = profiles.save_profile(session, "slack", "U999", {**data, "years": "12"},
                                               directory=_directory(session))
        assert not created and again.years == 12
        assert profiles.withdraw_consent(session, "slack", "U999", directory=_directory(session)).discoverable is False
        report = erasure.forget(session, "engineer", row.ext_id, actor="slack:U999")
        assert set(report.erased_fields) == {"name", "expertise", "contact"}
        assert session.scalars(select(ProfileOwner)).all() == []
        erased = session.scalar(select(Engineer).where(Engineer.ext_id == row.ext_id))
        assert erased is not None and erased.forgotten and erased.name == "(削除済み)"
        assert all("技術 次郎" not in str(e.after) for e in history(session, kind="engineer", record_id=row.ext_id))


def test_forgetting_an_advisor_scrubs_the_outbox_too(db: Database) -> None:
    with db.session() as session:
        application = supporters.apply(session, APPLICANT, consent_recommend=True, consent_contact=True,
                                       directory=_directory(session), actor="t")
        advisor = supporters.certify(session, application.id, actor="t", directory=_directory(session))
        outbox.queue(session, address=advisor.contact or "", subject="認定", body=f"{advisor.name} 様 認定しました",
                     purpose="supporter_certified")
        preview = erasure.preview(session, "advisor", advisor.ext_id)
        assert preview.fields == ("name", "contact", "expertise")
        report = erasure.forget(session, "advisor", advisor.ext_id, actor="t")
        assert report.scrubbed.get("outbox_messages") == 1
        mail = outbox.pending(session)[0]
        assert "山田 太郎" not in mail.body and "yamada@example.jp" not in mail.address
        assert "山田 太郎" not in str(supporters.get(session, application.id).data)


def test_expiring_one_introduction_now(db: Database) -> None:
    with db.session() as session:
        advisor = Advisor(ext_id="adv-x", name="A", expertise="x", fields=[], processes=[], regions=[], capacity=3,
                          status="active", forgotten=False)
        session.add(advisor)
        session.flush()
        intro = intros.request(session, requester_platform="slack", requester_id="U1", target_kind="advisor",
                               target_id=advisor.id)
        assert intros.expire(session, intro.id, actor="web:kanri").state == "expired"
        with pytest.raises(ConflictError):
            intros.expire(session, intro.id, actor="web:kanri")


def test_registering_again_after_an_erasure_gets_a_new_id(db: Database) -> None:
    data = {"name": "技術 四郎", "prefecture": "奈良県", "municipality": "曽爾村", "expertise": "除雪",
            "discoverable": True}
    with db.session() as session:
        first, _ = profiles.save_profile(session, "teams", "abc", data, directory=_directory(session))
        erasure.forget(session, "engineer", first.ext_id, actor="teams:abc")
        second, created = profiles.save_profile(session, "teams", "abc", data, directory=_directory(session))
        assert created and second.ext_id == f"{first.ext_id}-2" and second.name == "技術 四郎"


def test_forgetting_a_host_scrubs_its_contact_from_the_outbox(db: Database, settings: Settings) -> None:
    from bot.relay.senders import SenderRegistry
    from bot.web import deliver
    from bot.web.state import WebState

    web = WebState(settings=settings, db=db, templates=None, secret="")  # type: ignore[arg-type]
    web.caches["senders"] = SenderRegistry()      # no chat platform: everything goes to the outbox
    with db.session() as session:
        host, _ = _offer(session)
        visits.set_status(session, host.ext_id, "published", actor="t")  # type: ignore[attr-defined]
        request = visits.join(session, host.dates[0].id, _visitor("曽爾村"),  # type: ignore[attr-defined]
                              directory=_directory(session), actor="t")
        visits.decide(session, host, request.id, confirm=True, actor="t")  # type: ignore[arg-type]
        request_id, ext_id = request.id, host.ext_id  # type: ignore[attr-defined]
    deliver.notify(web, [Notice("visit_confirmed", request_id)])
    with db.session() as session:
        assert any("ukeire@example.jp" in m.body for m in outbox.pending(session))
        visits.forget_host(session, ext_id, actor="t")
        assert not any("ukeire@example.jp" in m.body or "受入 一郎" in m.body for m in outbox.pending(session))
