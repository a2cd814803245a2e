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
