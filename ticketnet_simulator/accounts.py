"""Who may call the simulator: Ticketnet's accounts (login, password, institution code), and
the demo's account that a fresh state gets so that `make run` works out of the box."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from .rules import SimulatorError
from .store import Store

DEMO_LOGIN = "SBSSOMETHING"
DEMO_PASSWORD = "demo-ticketnet-password"  # noqa: S105 - the demo's, public on purpose
DEMO_INSTITUTION_CODE = "505"


def _hash(salt: str, password: str) -> str:
    return hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()


class Accounts:
    def __init__(self, store: Store):
        self.store = store

    def account_set(self, *, login: str, password: str, institution_code: str) -> dict:
        """Accept these credentials (replaces the account's password and institution code)."""
        if not login or not password or not institution_code:
            raise SimulatorError("INVALID_REQUEST",
                                 "An account needs a login, a password and an institution code.")
        salt = secrets.token_hex(8)
        with self.store.write() as db:
            db.execute(
                "INSERT INTO account VALUES (?, ?, ?, ?) ON CONFLICT (login) DO UPDATE SET "
                "salt = excluded.salt, password_hash = excluded.password_hash, "
                "institution_code = excluded.institution_code",
                (login, salt, _hash(salt, password), institution_code),
            )
        return {"login": login, "institution_code": institution_code}

    def ensure_demo_account(self) -> bool:
        """The demo's account, on a state that has none. True when created."""
        if self.store.db().execute("SELECT 1 FROM account LIMIT 1").fetchone():
            return False
        self.account_set(login=DEMO_LOGIN, password=DEMO_PASSWORD,
                         institution_code=DEMO_INSTITUTION_CODE)
        return True

    def authenticate(self, *, login: str, password: str, institution_code: str) -> None:
        row = self.store.db().execute(
            "SELECT salt, password_hash, institution_code FROM account WHERE login = ?",
            (login,)).fetchone()
        ok = row is not None and hmac.compare_digest(row[1], _hash(row[0], password))
        if not ok or row[2] != institution_code:
            raise SimulatorError(
                "AUTHENTICATION_FAILED",
                "Login, password or institution code refused: check them in the interface "
                "against what Ticketnet gave you.",
            )

    def overview(self) -> list[dict]:
        return [{"login": login, "institution_code": code} for login, code in self.store.db()
                .execute("SELECT login, institution_code FROM account ORDER BY login")]
