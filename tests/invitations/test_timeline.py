"""The dashboard's submissions over time: counted per Finnish day (a submission at
23.30 Finnish time is that day's, though it is the day before in UTC), the reminder
days and the deadline marked, the admin's region only, and the same numbers in words
for screen readers; the invited and the not-yet-sent counts agree."""

import re
from datetime import UTC, date, datetime

from sqlalchemy import update

from survey_app.invitations.mailing import queue_message
from survey_app.invitations.timeline import submission_timeline
from survey_app.models import Admin, Invitation, OutboxMessage
from survey_app.timeutil import HELSINKI
from tests.factories import make_invitation, make_round, make_unit
from tests.helpers import PASSWORD, create, login


def submitted_at(invitation, moment):
    from tests.factories import make_response

    make_response(invitation, {"k1_1": "yes", "kehy_name": "Nimi"})
    invitation.submitted_at = moment


def test_submissions_are_counted_per_finnish_day_with_the_reminder_days(db):
    round_ = make_round(slug="kevat")
    east = [make_invitation(round_=round_, unit=make_unit(region="Itä-Suomi"))[0] for _ in range(3)]
    north, _ = make_invitation(round_=round_, unit=make_unit(region="Lappi"))
    # 2 March 23.30 in Helsinki is 21.30 UTC on 2 March (UTC+2 in winter).
    submitted_at(east[0], datetime(2026, 3, 2, 21, 30, tzinfo=UTC))
    # 3 March 00.30 in Helsinki is 22.30 UTC on 2 March: a day later in Finland.
    submitted_at(east[1], datetime(2026, 3, 2, 22, 30, tzinfo=UTC))
    submitted_at(north, datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    reminder = queue_message(east[2], "reminder")
    round_.opened_at = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    round_.deadline = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)  # 16.00 in Helsinki
    db.session.flush()
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == reminder.id)
        .values(created_at=datetime(2026, 3, 5, 7, 0, tzinfo=UTC))
    )
    db.session.commit()
    national = Admin(email="n@example.fi", role="national", password_hash="x")
    now = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
    timeline = submission_timeline(round_, national, now)
    assert timeline.days[0].date == date(2026, 3, 1) and timeline.days[-1].date == date(2026, 3, 10)
    per_day = {day.date.day: (day.submitted, day.total) for day in timeline.days}
    assert per_day[2] == (1, 1) and per_day[3] == (2, 3) and per_day[10] == (0, 3)
    assert timeline.total == 3 and timeline.busiest.date == date(2026, 3, 3)
    assert timeline.deadline == date(2026, 3, 10)
    assert timeline.reminder_days == [date(2026, 3, 5)]
    regional = Admin(email="r@example.fi", role="regional", region="Lappi", password_hash="x")
    lapland = submission_timeline(round_, regional, now)
    assert lapland.total == 1 and lapland.reminder_days == []


def test_the_chart_and_its_words(client, runner, db):
    round_ = make_round(slug="kevat")
    invitations = [make_invitation(round_=round_)[0] for _ in range(4)]
    for invitation in invitations[:3]:
        submitted_at(invitation, invitation.created_at)
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi", PASSWORD)
    html = re.sub(r"\s+", " ", client.get("/admin/rounds/kevat?lang=en").get_data(as_text=True))
    chart = html.split('id="timeline"')[1].split("</figure>")[0]
    assert 'role="img" aria-labelledby="timeline-caption"' in chart
    assert 'class="chart-deadline"' in chart and 'class="chart-line"' in chart
    caption = chart.split('id="timeline-caption">')[1].split("</figcaption>")[0]
    assert "3 of 4 invited units have submitted." in caption
    assert re.search(r"Most submissions on \d+ \w+: 3\.", caption)
    deadline = round_.deadline.astimezone(HELSINKI)
    assert f"Deadline {deadline.day} {deadline:%b} (the dashed line)." in caption
    # The line runs to today; the days to the deadline are still empty.
    points = chart.split('class="chart-line" points="')[1].split('"')[0].split()
    assert len(points) == 1 and f"{deadline.day} {deadline:%b}" not in points
    assert "<summary>Submissions by day</summary>" in chart


def test_the_invited_and_the_not_yet_sent_counts_agree(client, runner, db):
    round_ = make_round(slug="kevat")
    invited = [make_invitation(round_=round_)[0] for _ in range(3)]
    db.session.execute(
        update(Invitation).where(Invitation.id == invited[0].id).values(mailed_at=round_.created_at)
    )
    make_unit()  # in the roster, no link yet
    db.session.commit()
    create(runner, "paa@example.fi", "--role", "national")
    login(client, "paa@example.fi", PASSWORD)
    html = re.sub(r"\s+", " ", client.get("/admin/rounds/kevat?lang=en").get_data(as_text=True))

    def row(label):
        return int(re.search(rf'<th scope="row">{label}</th><td>(\d+)</td>', html).group(1))

    assert row("Invited") == 3
    assert row("Invitation not sent yet") == 2
    assert row("In the roster, not invited yet") == 1
    assert (
        "3 units have not been sent their invitation yet: 2 invited and 1 not yet invited" in html
    )
    assert "Send invitations (3)" in html


def test_planned_automatic_reminders_are_marked_until_they_are_done(db):
    round_ = make_round(slug="kevat")
    round_.opened_at = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    round_.deadline = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    round_.reminder_days = [3, 7]
    db.session.commit()
    national = Admin(email="n@example.fi", role="national", password_hash="x")
    before = submission_timeline(round_, national, datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    assert before.reminder_days == [date(2026, 3, 3), date(2026, 3, 7)]
    # On 5 March the reminder of 3 March has passed unsent (the worker did not run):
    # no mail went that day, so only the one still to come is marked.
    later = submission_timeline(round_, national, datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
    assert later.reminder_days == [date(2026, 3, 7)]
