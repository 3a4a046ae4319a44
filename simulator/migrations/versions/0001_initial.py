"""Initial schema: users, sessions, turns, rescores, overrides, audit log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        _timestamp("created_at"),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("trainee", sa.String(64), nullable=False),
        sa.Column("persona_id", sa.String(64), nullable=False),
        sa.Column("persona_version", sa.String(64), nullable=False),
        sa.Column("persona_hash", sa.String(128), nullable=False),
        sa.Column("rubric_id", sa.String(64), nullable=False),
        sa.Column("rubric_hash", sa.String(128), nullable=False),
        sa.Column("chat_model", sa.String(128), nullable=False),
        sa.Column("embedder", sa.String(128), nullable=False),
        sa.Column("app_version", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        _timestamp("started_at"),
        _timestamp("ended_at", nullable=True),
        sa.Column("conclusion", sa.JSON, nullable=True),
        sa.Column("summary", sa.JSON, nullable=True),
        sa.Column("recommended_share", sa.Float, nullable=True),
        sa.Column("overall_comment", sa.Text, nullable=False),
        sa.Column("state_snapshot", sa.JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
    )
    op.create_index("ix_sessions_trainee", "sessions", ["trainee"])
    op.create_index("ix_sessions_persona_id", "sessions", ["persona_id"])
    op.create_index("ix_sessions_started_at", "sessions", ["started_at"])
    op.create_table(
        "turns",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("session_id", sa.String(32), nullable=False),
        sa.Column("index", sa.Integer, nullable=False),
        sa.Column("officer", sa.Text, nullable=False),
        sa.Column("reply", sa.Text, nullable=False),
        sa.Column("assessment", sa.JSON, nullable=False),
        sa.Column("trust", sa.Float, nullable=False),
        sa.Column("fear", sa.Float, nullable=False),
        sa.Column("mode", sa.String(32), nullable=False),
        sa.Column("disclosed", sa.JSON, nullable=False),
        sa.Column("contaminated", sa.Boolean, nullable=False),
        sa.Column("flags", sa.JSON, nullable=False),
        sa.Column("guard", sa.JSON, nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_turns"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], name="fk_turns_session_id_sessions",
                                ondelete="CASCADE"),
        sa.UniqueConstraint("session_id", "index", name="uq_turns_session_id_index"),
    )
    op.create_index("ix_turns_session_id", "turns", ["session_id"])
    op.create_table(
        "rescores",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("turn_id", sa.Integer, nullable=False),
        sa.Column("rubric_id", sa.String(64), nullable=False),
        sa.Column("rubric_hash", sa.String(128), nullable=False),
        sa.Column("assessment", sa.JSON, nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_rescores"),
        sa.ForeignKeyConstraint(["turn_id"], ["turns.id"], name="fk_rescores_turn_id_turns",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_rescores_turn_id", "rescores", ["turn_id"])
    op.create_table(
        "overrides",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("turn_id", sa.Integer, nullable=True),
        sa.Column("session_id", sa.String(32), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("original_value", sa.JSON, nullable=True),
        sa.Column("new_value", sa.JSON, nullable=True),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_overrides"),
        sa.ForeignKeyConstraint(["turn_id"], ["turns.id"], name="fk_overrides_turn_id_turns",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], name="fk_overrides_session_id_sessions",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_overrides_turn_id", "overrides", ["turn_id"])
    op.create_index("ix_overrides_session_id", "overrides", ["session_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_actor", "audit_log", ["actor"])
    op.create_index("ix_audit_log_action", "audit_log", ["action"])
    op.create_index("ix_audit_log_created_at", "audit_log", ["created_at"])


def downgrade() -> None:
    for table in ("audit_log", "overrides", "rescores", "turns", "sessions", "users"):
        op.drop_table(table)
