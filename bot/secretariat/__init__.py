"""The secretariat service: everything the 群マネ secretariat does, in one place.

The CLI, the Slack admin, the Teams side and the web console are thin callers
of these functions. Each takes an open ``Session`` (the caller commits); each
mutating function takes ``actor=`` (who acts: ``cli:<login>``, ``slack:<id>``,
a web account name) and writes its own audit entry. Nothing here renders a
message or knows a chat platform; what people are told after a change is the
engine's (``bot.dialogue.deliveries.notice_of`` → ``bot.relay.dispatch``).

curation        add(session, kind, data, actor, directory) · edit(session, kind, ext_id, changes, actor, directory)
                · set_advisor_status(session, ext_id, status, actor) · delete(session, kind, ext_id, actor)
                · find(session, kind, ext_id) · details(session, kind, ext_id) · list_records(session, kind, field=,
                process=, prefecture=, status=) · to_data(kind, row) · validate(kind, data, directory)
introductions   request(session, requester_platform=, requester_id=, target_kind=, target_id=, …, actor=)
                · accept / decline / complete / expire(session, intro_id, actor) · expire_overdue(session, days, actor)
                · reassign(session, intro_id, target_kind, target_id, actor) · get(session, intro_id)
                · list_introductions(session, state=, target_kind=, target_id=) · open_between(session, requester,
                kind, id) · target_of(session, intro) · person(session, kind, db_id) · requester_of(intro)
                · requester_place(session, intro) · is_available(target) · days_since(at)
capacity        open_load(session, advisor_id) · ensure_room(session, advisor_id) · advisor_loads(session)
reminders       due_reminders(session, days) · mark_reminded(session, intro_id, actor) · due_followups(session, days)
                · mark_followup_sent(session, intro_id, actor)
feedback        record_feedback(session, intro_id, side, rating, comment, actor) · feedback_of(intro)
                · may_answer(session, intro, side, user) · side_of(text)
erasure         forget(session, kind, ext_id, actor) → ForgetReport   (advisor or engineer; the one erasure, web
                tables included) · preview(session, kind, ext_id) → ErasurePreview (for a confirmation)
audit           entries(session, kind=, record_id=, limit=) → rows for display
queues          pending(session) · reassign_candidates(session, intro_id) · introduction_rows(session, state=)
summaries       weekly(session) → ReportData of the last 7 days (as text: bot.report.summary.summary_text)
report_data     collect(session, since=, unmet_below=) → ReportData (the 見える化 figures; charts in bot/report)
contacts        parse_contact(contact) → ChatUser | Outbox · contact_forms(user) · ChatUser, Outbox, Secretariat
"""
