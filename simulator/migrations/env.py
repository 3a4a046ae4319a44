"""Alembic environment: runs on the connection (and inside the transaction) that Store opened."""

from alembic import context

connection = context.config.attributes["connection"]
# Batch mode lets later revisions alter tables on SQLite, which lacks most ALTER TABLE forms.
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
