"""Courses, cohorts, assignments and trainees' realism ratings.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _timestamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "courses",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("refresher_days", sa.Integer, nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_courses"),
        sa.UniqueConstraint("name", name="uq_courses_name"),
    )
    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_cohorts"),
        sa.UniqueConstraint("name", name="uq_cohorts_name"),
    )
    op.create_table(
        "cohort_members",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("cohort_id", sa.Integer, nullable=False),
        sa.Column("trainee", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cohort_members"),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], name="fk_cohort_members_cohort_id_cohorts",
                                ondelete="CASCADE"),
        sa.UniqueConstraint("cohort_id", "trainee", name="uq_cohort_members_cohort_id_trainee"),
    )
    op.create_index("ix_cohort_members_cohort_id", "cohort_members", ["cohort_id"])
    op.create_index("ix_cohort_members_trainee", "cohort_members", ["trainee"])
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("course_id", sa.Integer, nullable=False),
        sa.Column("trainee", sa.String(64), nullable=True),
        sa.Column("cohort_id", sa.Integer, nullable=True),
        sa.Column("assigned_by", sa.String(64), nullable=False),
        _timestamp("assigned_at"),
        sa.PrimaryKeyConstraint("id", name="pk_assignments"),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], name="fk_assignments_course_id_courses",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], name="fk_assignments_cohort_id_cohorts",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_assignments_course_id", "assignments", ["course_id"])
    op.create_index("ix_assignments_trainee", "assignments", ["trainee"])
    op.create_index("ix_assignments_cohort_id", "assignments", ["cohort_id"])
    op.create_table(
        "realism_ratings",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("session_id", sa.String(32), nullable=False),
        sa.Column("trainee", sa.String(64), nullable=False),
        sa.Column("persona_id", sa.String(64), nullable=False),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_realism_ratings"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"],
                                name="fk_realism_ratings_session_id_sessions", ondelete="CASCADE"),
        sa.UniqueConstraint("session_id", name="uq_realism_ratings_session_id"),
    )
    op.create_index("ix_realism_ratings_trainee", "realism_ratings", ["trainee"])
    op.create_index("ix_realism_ratings_persona_id", "realism_ratings", ["persona_id"])


def downgrade() -> None:
    for table in ("realism_ratings", "assignments", "cohort_members", "cohorts", "courses"):
        op.drop_table(table)
