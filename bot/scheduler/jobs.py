"""The built-in jobs: the introduction lifecycle that used to need cron.

Each calls the same public functions as ``gunmane intros expire|remind|followup``.
A reminder or follow-up that no chat platform can deliver (an e-mail
contact) stays for the secretariat: the run's summary names the
introduction and the side, and ``gunmane intros list`` shows it — the
address itself is never written into the summary or the log.
"""

from __future__ import annotations

from bot.scheduler.registry import JobContext, JobRegistry, JobSpec
from bot.secretariat.notify import DeliveryReport, Sender, send_followups, send_reminders
from knowledge import introductions as intros
from knowledge.settings import Settings

MAX_IDS_SHOWN = 20


def _ids(values: list[str]) -> str:
    shown = ", ".join(values[:MAX_IDS_SHOWN])
    return shown + (f" and {len(values) - MAX_IDS_SHOWN} more" if len(values) > MAX_IDS_SHOWN else "")


def expire_introductions(ctx: JobContext) -> str:
    with ctx.db.session() as session:
        expired = intros.expire_overdue(session, days=ctx.settings.intro_expire_days, now=ctx.now)
    if not expired:
        return "no introduction was overdue"
    return f"expired {len(expired)} introduction(s): {_ids([f'#{i}' for i in expired])}"


def _summary(report: DeliveryReport) -> str:
    if not report.intro_ids:
        return f"no {report.purpose} was due"
    text = (f"{report.purpose}s for {len(report.intro_ids)} introduction(s): {len(report.sent)} delivered in chat, "
            f"{len(report.outbox)} for the secretariat to send by mail")
    if report.outbox:
        text += f" ({_ids([f'#{m.intro_id} {m.side}' for m in report.outbox])})"
    return text


def remind_introductions(ctx: JobContext) -> str:
    return _summary(send_reminders(ctx.db, ctx.settings, dict(ctx.senders), now=ctx.now))


def follow_up_introductions(ctx: JobContext) -> str:
    return _summary(send_followups(ctx.db, ctx.settings, dict(ctx.senders), now=ctx.now))


INTRODUCTION_JOBS = (
    JobSpec("intro-expire", "job_intro_expire", expire_introductions,
            "expire requests unanswered for GUNMANE_INTRO_EXPIRE_DAYS"),
    JobSpec("intro-remind", "job_intro_remind", remind_introductions,
            "remind the person asked after GUNMANE_INTRO_REMINDER_DAYS (once per request)"),
    JobSpec("intro-followup", "job_intro_followup", follow_up_introductions,
            "ask both sides whether it helped, GUNMANE_INTRO_FOLLOWUP_DAYS after acceptance (once)"),
)


def default_registry() -> JobRegistry:
    """Every job a gunmane process runs."""
    return JobRegistry(INTRODUCTION_JOBS)


def chat_senders(settings: Settings) -> dict[str, Sender]:
    """The chat senders the settings allow (Slack direct messages when a bot token is set)."""
    from bot.secretariat.slack_sender import SlackSender, slack_client

    senders: dict[str, Sender] = {}
    client = slack_client(settings)
    if client is not None:
        senders["slack"] = SlackSender(client)
    return senders
