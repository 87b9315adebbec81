"""Accounts, their role, and server-side login sessions that can be revoked."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import enum_type, utcnow
from .enums import Role

if TYPE_CHECKING:
    from .organisation import Organisation
    from .participant import ParticipantProfile


class User(db.Model):
    """Someone who logs in: a participant, coach, HR manager or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    # the address as it looks (look-alike letters of other scripts folded, accents dropped): two accounts
    # whose addresses look the same are refused; kept by an attribute event whenever ``email`` is set
    email_skeleton: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role), index=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    active: Mapped[bool] = mapped_column(default=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # when the person proved the address is theirs (a link from a verification, reset or invitation mail);
    # None: self-registered and not yet confirmed, so nothing of theirs is shared with employers
    email_verified_at: Mapped[datetime | None]
    # the second factor (TOTP, RFC 6238): the shared secret once enrolment is confirmed, the last time step
    # a code was accepted for (a code works once), and the hashes of the unused recovery codes
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    recovery_codes: Mapped[list | None] = mapped_column(sa.JSON)
    # which kinds of notification come by e-mail, and whether as one daily digest (None: every kind, at once)
    mail_settings: Mapped[dict | None] = mapped_column(sa.JSON)

    organisation: Mapped[Organisation | None] = relationship(back_populates="hr_users")
    profile: Mapped[ParticipantProfile | None] = relationship(
        back_populates="user", foreign_keys="ParticipantProfile.user_id", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # Set by the user loader to the token of the login session serving this request.
    login_token = None

    # --- Flask-Login protocol -------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        """The session token, not the user id: the session ends when its row is revoked."""
        return self.login_token

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {Role(r) for r in roles}

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(db.Model):
    """One login on one device; the browser cookie only carries a random token for this row."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="sessions")


@sa.event.listens_for(User.email, "set")
def _keep_skeleton(target: User, value, _old, _initiator) -> None:
    from .email_look import skeleton

    target.email_skeleton = skeleton(value) if isinstance(value, str) else None
