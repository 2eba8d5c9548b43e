"""The built-in jobs: the introduction lifecycle that used to need cron, and the groups' and events' sends.

Each calls the same public functions as ``gunmane intros expire|remind|followup`` (and, for
groups, ``gunmane groups expire``; bot/relay/group_jobs.py).
A reminder or follow-up that no chat platform can deliver (an e-mail
contact) stays for the secretariat: the run's summary names the
introduction and the side, and ``gunmane intros list`` shows it — the
address itself is never written into the summary or the log.
"""

from __future__ import annotations

from bot.relay import group_jobs
from bot.relay import jobs as relay_jobs
from bot.relay.senders import SenderRegistry, configured_senders
from bot.scheduler.registry import JobContext, JobRegistry, JobSpec
from knowledge.db import Database
from knowledge.settings import Settings

MAX_IDS_SHOWN = 20


def _ids(values: list[str]) -> str:
    shown = ", ".join(values[:MAX_IDS_SHOWN])
    return shown + (f" and {len(values) - MAX_IDS_SHOWN} more" if len(values) > MAX_IDS_SHOWN else "")


def _summary(report: relay_jobs.JobReport) -> str:
    if not report.intro_ids:
        return f"no {report.purpose} was due"
    delivered = report.delivered
    text = (f"{report.purpose}s for {len(report.intro_ids)} introduction(s): {len(delivered.sent)} delivered in "
            f"chat, {len(delivered.outbox)} for the secretariat to send by mail")
    if delivered.outbox:
        text += f" ({_ids([f'#{e.delivery.notice.subject_id} {e.delivery.role}' for e in delivered.outbox])})"
    return text


def expire_introductions(ctx: JobContext) -> str:
    report = relay_jobs.expire(ctx.db, ctx.settings, ctx.senders, actor="system", now=ctx.now)
    if not report.intro_ids:
        return "no introduction was overdue"
    return f"expired {len(report.intro_ids)} introduction(s): {_ids([f'#{i}' for i in report.intro_ids])}"


def remind_introductions(ctx: JobContext) -> str:
    return _summary(relay_jobs.send_reminders(ctx.db, ctx.settings, ctx.senders, now=ctx.now))


def follow_up_introductions(ctx: JobContext) -> str:
    return _summary(relay_jobs.send_followups(ctx.db, ctx.settings, ctx.senders, now=ctx.now))


INTRODUCTION_JOBS = (
    JobSpec("intro-expire", "job_intro_expire", expire_introductions,
            "expire requests unanswered for GUNMANE_INTRO_EXPIRE_DAYS and tell the requesters"),
    JobSpec("intro-remind", "job_intro_remind", remind_introductions,
            "remind the person asked after GUNMANE_INTRO_REMINDER_DAYS (once per request)"),
    JobSpec("intro-followup", "job_intro_followup", follow_up_introductions,
            "ask both sides whether it helped, GUNMANE_INTRO_FOLLOWUP_DAYS after acceptance (once)"),
)


def _group_summary(report: group_jobs.GroupSendReport, what: str) -> str:
    if not report.subject_ids:
        return f"no {report.purpose} was due"
    delivered = report.delivered
    return (f"{report.purpose}s for {len(report.subject_ids)} {what}: {len(delivered.sent)} delivered (chat and "
            f"notes), {len(delivered.outbox)} for the secretariat to send by mail")


def expire_group_invitations(ctx: JobContext) -> str:
    report = group_jobs.expire_group_invitations(ctx.db, ctx.settings, ctx.senders, now=ctx.now)
    if not report.subject_ids:
        return "no group invitation was overdue"
    return (f"{len(report.subject_ids)} group invitation(s) became no_answer: member(s) "
            f"{_ids([f'#{i}' for i in report.subject_ids])}")


def remind_event_participants(ctx: JobContext) -> str:
    return _group_summary(group_jobs.send_event_reminders(ctx.db, ctx.settings, ctx.senders, now=ctx.now),
                          "participant(s)")


def ask_about_adoption(ctx: JobContext) -> str:
    return _group_summary(group_jobs.send_adoption_questions(ctx.db, ctx.settings, ctx.senders, now=ctx.now),
                          "participant(s)")


GROUP_JOBS = (
    JobSpec("group-expire", "job_group_expire", expire_group_invitations,
            "group invitations unanswered for GUNMANE_GROUP_INVITATION_DAYS become no_answer (silence is respected)"),
    JobSpec("event-remind", "job_event_remind", remind_event_participants,
            "remind the participants who said 参加, the day before a new-technology event (once)"),
    JobSpec("event-adoption", "job_event_adoption", ask_about_adoption,
            "after an event, ask each participant per technology: 共同導入を検討したい / 見送る (once)"),
)


def default_registry() -> JobRegistry:
    """Every job a gunmane process runs."""
    return JobRegistry(INTRODUCTION_JOBS + GROUP_JOBS)


def chat_senders(settings: Settings, db: Database) -> SenderRegistry:
    """The chat senders the settings allow (the relay's one registry: Slack, Teams, LINE WORKS when configured)."""
    return configured_senders(settings, db)
