"""Each measure: the service's way and a hand-written baseline doing the same work, timed
in the same run. Times are the best of a few repetitions where a measure can repeat."""

import csv
import io
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import astuple, dataclass
from datetime import timedelta

from sqlalchemy import TextClause, func, insert, select, text

from survey_app import tokens
from survey_app.extensions import db
from survey_app.models import Answer, Invitation, OutboxMessage, Response, Round, Unit
from survey_app.models.types import utcnow

PER_100K = 100_000


@dataclass
class Row:
    name: str
    ours: str
    baseline: str
    ratio: str
    target: str
    passed: bool
    note: str = ""


def timed(work: Callable[[], object], repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def ratio_row(name, ours, baseline, *, max_slowdown, under=None, note="") -> Row:
    """ours must take at most `max_slowdown` times the baseline (and under `under` s)."""
    passed = ours <= baseline * max_slowdown and (under is None or ours < under)
    target = f"<= {max_slowdown}x baseline" + (f", < {under:g} s" if under else "")
    return Row(
        name, f"{ours:.3f} s", f"{baseline:.3f} s", f"{baseline / ours:.2f}", target, passed, note
    )


def scaled_row(name, ours, baseline, units, *, seconds_per_100k, note="") -> Row:
    """ours must take at most `seconds_per_100k` for 100,000 units, scaled to this run."""
    limit = seconds_per_100k * units / PER_100K
    target = f"< {seconds_per_100k:g} s per 100k"
    ratio = f"{baseline / ours:.2f}"
    return Row(name, f"{ours:.2f} s", f"{baseline:.2f} s", ratio, target, ours < limit, note)


def _fresh_round(slug: str) -> Round:
    from survey_app.rounds.services import create_round, open_round

    round_ = create_round(slug, slug, utcnow() + timedelta(days=30))
    open_round(round_)
    db.session.commit()
    return round_


def _invited_round(slug: str = "kutsut") -> Round:
    """The round the invitations measure made, made here when run on its own."""
    from survey_app.invitations.services import create_missing_invitations

    round_ = db.session.scalar(select(Round).filter_by(slug=slug)) or _fresh_round(slug)
    create_missing_invitations(round_)
    db.session.commit()
    return round_


def invitations(app, data) -> Row:
    """Making every unit's invitation (hashed token, unit copied) beside a plain
    executemany of the same rows."""
    from survey_app.invitations.services import create_missing_invitations

    ours_round, base_round = _fresh_round("kutsut"), _fresh_round("kutsut-pohja")
    ours = timed(lambda: (create_missing_invitations(ours_round), db.session.commit()))
    units = db.session.execute(select(Unit.id, Unit.name, Unit.field, Unit.status, Unit.region))

    def baseline():
        rows = []
        now = utcnow()
        for unit_id, name, field, status, region in units:
            salt = tokens.new_salt()
            rows.append(
                {
                    "round_id": base_round.id,
                    "unit_id": unit_id,
                    "token_salt": salt,
                    "token_hash": tokens.issue(salt)[1],
                    "token_issued_at": now,
                    "created_at": now,
                    "unit_name": name,
                    "unit_field": field,
                    "unit_status": status,
                    "unit_region": region,
                    "unit_municipality": "",
                }
            )
        db.session.execute(insert(Invitation), rows)
        db.session.commit()

    return scaled_row("invitations made", ours, timed(baseline), data.units, seconds_per_100k=30)


def links(app, data) -> Row:
    """Printing every link again (`invitations links`) beside a raw loop that reads the
    salts and derives the same tokens."""
    from survey_app.invitations.services import links_of_round

    round_ = _invited_round()
    ours = timed(lambda: links_of_round(round_), repeat=2)

    def baseline():
        rows = db.session.execute(
            select(Unit.code, Invitation.token_salt)
            .join(Unit)
            .where(Invitation.round_id == round_.id)
        )
        return [(code, tokens.derive_token(salt, app.config["SECRET_KEY"])) for code, salt in rows]

    return scaled_row(
        "links printed again", ours, timed(baseline, 2), data.units, seconds_per_100k=10
    )


def send(app, data) -> Row:
    """Queueing every invitation email (`invitations send`) beside an executemany of the
    same outbox rows."""
    from survey_app.invitations.mailing import queue_invitations
    from survey_app.outbox.queue import new_message_id

    round_ = _invited_round()
    ours = timed(lambda: (queue_invitations(round_), db.session.commit()))
    base_round = _invited_round("kutsut-pohja")

    def baseline():
        now = utcnow()
        rows = [
            {
                "kind": "invitation",
                "invitation_id": i,
                "to_address": email,
                "language": "fi",
                "message_id": new_message_id(),
                "status": "queued",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for i, email in db.session.execute(
                select(Invitation.id, Unit.contact_email)
                .join(Unit)
                .where(Invitation.round_id == base_round.id)
            )
        ]
        db.session.execute(insert(OutboxMessage), rows)
        db.session.commit()

    row = scaled_row(
        "invitation mails queued", ours, timed(baseline), data.units, seconds_per_100k=30
    )
    db.session.execute(text("DELETE FROM outbox_messages"))  # the outbox measure starts empty
    if db.engine.dialect.name == "postgresql":  # and the planner knows it (a bench's reset)
        db.session.execute(text("ANALYZE outbox_messages"))
    db.session.commit()
    return row


def results(app, data) -> Row:
    """The results JSON's numbers beside one raw GROUP BY over the submitted answers."""
    from survey_app.results.aggregate import round_results

    round_ = data.results_round
    ours = timed(lambda: round_results(round_), repeat=3)
    query = (
        select(Answer.item_code, Answer.value, func.count())
        .join(Response, Answer.response_id == Response.id)
        .join(Invitation, Response.invitation_id == Invitation.id)
        .where(Invitation.round_id == round_.id, Invitation.submitted_at.is_not(None))
        .group_by(Answer.item_code, Answer.value)
    )
    baseline = timed(lambda: db.session.execute(query).all(), repeat=3)
    return ratio_row("results (JSON numbers)", ours, baseline, max_slowdown=1.5, under=1.0)


# The dashboard's numbers for an open round, written by hand: per region and field, the
# units, the invited, the mailed, queued, failed and bounced (the latest finished mail
# decides; one waiting counts unless an earlier one reached the unit), the opened, the
# drafting and the submitted.
DASHBOARD_SQL = text(
    """
    WITH mails AS (
        SELECT o.id, o.invitation_id, o.status, o.bounced_at, o.created_at
        FROM outbox_messages o JOIN invitations i ON i.id = o.invitation_id
        WHERE i.round_id = :round AND o.kind IN ('invitation', 'reminder')
    ), done AS (
        SELECT invitation_id, status, bounced_at, ROW_NUMBER() OVER (
            PARTITION BY invitation_id ORDER BY created_at DESC, id DESC) AS rank
        FROM mails WHERE status <> 'queued'
    ), each_one AS (
        SELECT invitation_id,
               MAX(CASE WHEN status = 'sent' THEN 1 ELSE 0 END) AS ever_sent,
               MAX(CASE WHEN status = 'queued' THEN 1 ELSE 0 END) AS waiting
        FROM mails GROUP BY invitation_id
    )
    SELECT u.region, u.field, COUNT(*), COUNT(i.id), SUM(COALESCE(e.ever_sent, 0)),
           SUM(CASE WHEN e.waiting = 1
                     AND NOT (d.status = 'sent' AND d.bounced_at IS NULL) THEN 1 ELSE 0 END),
           SUM(CASE WHEN d.status = 'failed' AND NOT e.waiting = 1 THEN 1 ELSE 0 END),
           SUM(CASE WHEN d.bounced_at IS NOT NULL AND NOT e.waiting = 1 THEN 1 ELSE 0 END),
           COUNT(i.first_opened_at),
           SUM(CASE WHEN (r.id IS NOT NULL AND i.submitted_at IS NULL) OR r.draft IS NOT NULL
                    THEN 1 ELSE 0 END),
           COUNT(i.submitted_at)
    FROM units u
    LEFT JOIN invitations i ON i.unit_id = u.id AND i.round_id = :round
    LEFT JOIN responses r ON r.invitation_id = i.id
    LEFT JOIN each_one e ON e.invitation_id = i.id
    LEFT JOIN done d ON d.invitation_id = i.id AND d.rank = 1
    WHERE u.deactivated_at IS NULL
    GROUP BY u.region, u.field
    """
)


TIMELINE_SQL = {
    "postgresql": "SELECT to_char(submitted_at, 'YYYY-MM-DD HH24'), COUNT(*) FROM invitations "
    "WHERE round_id = :round AND submitted_at IS NOT NULL GROUP BY 1",
    "sqlite": "SELECT strftime('%Y-%m-%d %H', submitted_at), COUNT(*) FROM invitations "
    "WHERE round_id = :round AND submitted_at IS NOT NULL GROUP BY 1",
}


def timeline_sql() -> TextClause:
    """The submissions per hour that the dashboard's chart sums into days."""
    return text(TIMELINE_SQL[db.session.get_bind().dialect.name])


def dashboard(app, data) -> Row:
    """The round dashboard (its numbers, overall, by region and field and by stage, its
    chart of submissions over time, and one page of the units that have not answered)
    beside one hand-written GROUP BY that gives its numbers and one for the chart."""
    from survey_app.invitations.dashboard import round_dashboard

    round_ = data.results_round
    per_hour = timeline_sql()

    def by_hand():
        db.session.execute(DASHBOARD_SQL, {"round": round_.id}).all()
        db.session.execute(per_hour, {"round": round_.id}).all()

    ours = timed(lambda: round_dashboard(round_, data.admin), repeat=3)
    baseline = timed(by_hand, 3)
    rows = db.session.execute(DASHBOARD_SQL, {"round": round_.id}).all()
    same = [sum(int(row[n] or 0) for row in rows) for n in range(2, 11)]
    shown = round_dashboard(round_, data.admin).totals
    if same != list(astuple(shown)):
        raise RuntimeError(f"the baseline's numbers differ: {same} against {shown}")
    return ratio_row("dashboard", ours, baseline, max_slowdown=1.5, under=1.0)


def csv_export(app, data) -> Row:
    """The CSV export beside csv.writer over a raw cursor of the same rows."""
    from survey_app.results.exports import csv_chunks

    round_ = data.results_round
    ours = timed(lambda: sum(len(chunk) for chunk in csv_chunks(round_)))

    def baseline():
        out = io.StringIO()
        writer = csv.writer(out)
        query = (
            select(Unit.code, Answer.item_code, Answer.value)
            .join(Invitation, Invitation.unit_id == Unit.id)
            .join(Response, Response.invitation_id == Invitation.id)
            .join(Answer, Answer.response_id == Response.id)
            .where(Invitation.round_id == round_.id)
            .order_by(Unit.code)
        )
        for row in db.session.execute(query):
            writer.writerow(row)

    return ratio_row("CSV export", ours, timed(baseline), max_slowdown=2.0)


def outbox(app, data) -> Row:
    """Sending invitation emails to a local SMTP server that files each message in a
    maildir (as a real server spools to disk), beside a raw smtplib loop handing it
    the same message over one connection."""
    import mailbox
    import smtplib
    import socket
    import tempfile

    from survey_app.invitations.services import invitations_of_round
    from survey_app.outbox.delivery import prepare_many
    from survey_app.outbox.queue import queue_messages
    from survey_app.outbox.worker import Worker
    from tests.pg_server import free_port

    count = min(data.units, 2_000)
    folder = tempfile.mkdtemp(prefix="survey-bench-mail-") + "/maildir"
    mailbox.Maildir(folder, create=True)  # makes cur/, new/ and tmp/ (the path is new)
    port = free_port()
    handler = ["-c", "aiosmtpd.handlers.Mailbox", folder]
    sink = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", *handler]
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        mail = app.extensions["mail"]  # Flask-Mail read its settings when the app was built
        mail.server, mail.port = "127.0.0.1", port
        round_ = _invited_round()
        chosen = db.session.execute(
            invitations_of_round(round_)
            .with_only_columns(Invitation.id, Unit.contact_email, Unit.language)
            .limit(count)
        ).all()
        queue_messages("invitation", [tuple(row) for row in chosen])
        db.session.commit()
        first = db.session.scalar(select(OutboxMessage.id).limit(1))
        sample = prepare_many([first])[first].as_bytes()
        ours = timed(lambda: Worker(batch_size=50).run_once())

        def baseline():
            with smtplib.SMTP("127.0.0.1", port) as server:
                for number in range(count):
                    server.sendmail("kartoitus@localhost", [f"u{number}@example.fi"], sample)

        base = timed(baseline)
    finally:
        sink.terminate()
        app.config.update(MAIL_SERVER=None)
    per_second = f"{count / ours:.0f} msg/s"
    return Row(
        f"outbox, {count} mails",
        f"{ours:.2f} s ({per_second})",
        f"{base:.2f} s",
        f"{base / ours:.2f}",
        ">= 0.5x baseline",
        base / ours >= 0.5,
    )


def respondent_page(app, data) -> Row:
    """GET /r/<token> under load (wrk, 32 connections, gunicorn 2 gthread workers x 4
    threads) beside the bare baseline app serving the same links."""
    return _respondent_load(app, "respondent GET under load", post=False)


def respondent_submit(app, data) -> Row:
    """A submit of all 23 answers under load, as respondent_page, beside the bare app
    storing the same answers."""
    return _respondent_load(app, "respondent submit under load", post=True)


def _respondent_load(app, name: str, post: bool) -> Row:
    from bench.load import respondent_load
    from survey_app.invitations.services import links_of_round

    round_ = _invited_round()
    paths = [link.removeprefix("http://localhost") for _c, _e, link in links_of_round(round_)]
    db.session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    seconds = 3 if len(paths) < 1_000 else 12
    measured = respondent_load(url, paths[: 500 if post else 2_000], seconds, post=post)
    ours, ours_p99, ours_failed = measured["ours"]
    bare, bare_p99, bare_failed = measured["bare"]
    failures = f"failed requests: ours {ours_failed}, bare {bare_failed}"
    return Row(
        name,
        f"{ours:.0f} req/s, p99 {ours_p99 * 1000:.0f} ms",
        f"{bare:.0f} req/s, p99 {bare_p99 * 1000:.0f} ms",
        f"{ours / bare:.2f}",
        ">= 0.4x baseline, p99 < 250 ms",
        ours >= 0.4 * bare and ours_p99 < 0.25 and ours_failed == 0,
        note=failures if ours_failed or bare_failed else "",
    )


def cli_start(app, data) -> Row:
    """`flask --help`, beside starting Python with Flask imported."""
    flask = [sys.executable, "-m", "flask", "--app", "survey_app", "--help"]
    bare = [sys.executable, "-c", "import flask, sqlalchemy"]

    def run(command):
        return lambda: subprocess.run(command, capture_output=True, check=True)  # noqa: S603

    ours, baseline = timed(run(flask), 3), timed(run(bare), 3)
    return Row(
        "flask --help",
        f"{ours:.2f} s",
        f"{baseline:.2f} s",
        f"{baseline / ours:.2f}",
        "< 1 s",
        ours < 1.0,
    )


def report_pdf(app, data) -> Row:
    """The report's PDF: its first drawing and a second download (the kept file), beside
    drawing the report's page as HTML (what every download still computes)."""
    from flask_login import login_user

    from survey_app.models import Document

    path = f"/admin/rounds/{data.results_round.slug}/report"

    def get(url: str):
        with app.test_request_context(url):
            login_user(data.admin)
            response = app.full_dispatch_request()
            response.get_data()
            db.session.rollback()
            return response

    page = timed(lambda: get(path), repeat=3)
    db.session.execute(Document.__table__.delete())
    db.session.commit()
    first = timed(lambda: get(path + ".pdf"))
    again = timed(lambda: get(path + ".pdf"), repeat=3)
    if get(path + ".pdf").mimetype != "application/pdf":
        raise RuntimeError("the report's PDF was not served")
    return Row(
        "report PDF: first drawing / again",
        f"{first:.2f} s / {again:.3f} s",
        f"page {page:.3f} s",
        f"{page / again:.2f}",
        "first < 3 s, again < 0.2 s",
        first < 3.0 and again < 0.2,
    )


MEASURES = {
    "invitations": invitations,
    "links": links,
    "send": send,
    "results": results,
    "dashboard": dashboard,
    "csv": csv_export,
    "outbox": outbox,
    "respondent": respondent_page,
    "submit": respondent_submit,
    "pdf": report_pdf,
    "cli": cli_start,
}
