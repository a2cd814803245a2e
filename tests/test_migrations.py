"""The migrations build exactly the schema the models describe, on every database."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from survey_app.extensions import db as _db


def test_models_and_migrations_agree(app, db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, _db.metadata)
    assert differences == [], f"models differ from migrations: {differences}"


def test_a_model_change_without_migration_is_detected(app, db):
    """The check above can fail: a column added only to the models is reported."""
    from sqlalchemy import Column, MetaData, String

    metadata = MetaData()
    for table in _db.metadata.sorted_tables:
        table.to_metadata(metadata)
    metadata.tables["units"].append_column(Column("nickname", String(20)))
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert any(diff[0] == "add_column" and diff[3].name == "nickname" for diff in differences)


def test_a_submission_kept_only_on_the_response_survives_migration_0008(app, db):
    """Before 0008 a submission was recorded twice; one recorded only on the response
    (as an older version could leave it) lands on the invitation, and back again."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from survey_app.models import Invitation
    from tests.factories import make_invitation

    invitation, _link = make_invitation()
    invitation_id = invitation.id
    db.session.commit()
    downgrade(revision="0007")
    db.session.execute(
        text(
            "INSERT INTO responses (invitation_id, status, version, language, submitted_at,"
            " created_at, updated_at) VALUES (:id, 'submitted', 1, 'fi',"
            " '2026-03-01 10:00:00', '2026-03-01 10:00:00', '2026-03-01 10:00:00')"
        ),
        {"id": invitation_id},
    )
    db.session.commit()
    upgrade()
    submitted = db.session.get(Invitation, invitation_id).submitted_at
    assert submitted is not None and (submitted.month, submitted.day) == (3, 1)
    db.session.commit()
    downgrade(revision="0007")
    status = db.session.execute(text("SELECT status FROM responses")).scalar_one()
    db.session.commit()
    upgrade()
    assert status == "submitted"


def test_migration_0010_lists_unsafe_unit_codes_and_stops(app, db, caplog):
    """Existing rows that break the code rule stop the upgrade, each named; once they
    are renamed the upgrade goes on."""
    import pytest
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from tests.factories import make_unit

    downgrade(revision="0009")
    make_unit(code="x/../KEHY002")
    make_unit(code="..")
    make_unit(code="KEHY001")
    db.session.commit()
    with pytest.raises(SystemExit):  # `flask db upgrade` exits 1, saying why
        upgrade()
    said = caplog.text
    assert "'x/../KEHY002'" in said and "'..'" in said and "KEHY001" not in said
    db.session.rollback()
    db.session.execute(text("UPDATE units SET code = 'KEHY003' WHERE code = 'x/../KEHY002'"))
    db.session.execute(text("UPDATE units SET code = 'KEHY004' WHERE code = '..'"))
    db.session.commit()
    upgrade(revision="0010")
    version = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == "0010"
    db.session.commit()
    upgrade()


def test_migrations_keep_every_row_down_and_up_again(app, db, runner):
    """SQLite alters a table by copying it and dropping the old one: with foreign keys
    on, the drop deleted every row that refers to it (answers, history, mail). Every
    row survives a downgrade to 0007 and the upgrade back, on both databases."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from survey_app.models import AuditEntry
    from survey_app.outbox.queue import queue_message
    from tests.factories import make_invitation, make_response
    from tests.helpers import create

    invitation, _link = make_invitation()
    make_response(invitation, {"k1_1": "yes", "kehy_name": "Nimi"})
    queue_message(invitation, "reminder")
    create(runner, "paa@example.fi", "--role", "national")
    assert runner.invoke(args=["admins", "token", "paa@example.fi"]).exit_code == 0
    admin = db.session.scalar(text("SELECT id FROM admins"))
    db.session.add(AuditEntry(admin_id=admin, admin_email="paa@example.fi", action="x", target="y"))
    db.session.commit()

    def counts():
        tables = [t.name for t in db.metadata.sorted_tables if t.name != "alembic_version"]
        found = {name: db.session.scalar(text(f"SELECT count(*) FROM {name}")) for name in tables}
        db.session.commit()
        return found

    before = counts()
    assert all(before[name] for name in ("answers", "submitted_versions", "outbox_messages"))
    assert before["api_tokens"] and before["audit_entries"]
    downgrade(revision="0007")
    upgrade()
    assert counts() == before
