//! Web console sessions: the SHA-256 of a cookie secret, the token it was made with, the
//! session's CSRF token and its expiry. A session of a revoked token is no session.

use time::OffsetDateTime;

use crate::Tx;
use crate::error::Result;
use crate::sql::params;
use crate::time::format;
use crate::tokens::Token;

/// A live session and the token it was made with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub token: Token,
    pub csrf: String,
    pub created_at: String,
    pub expires_at: String,
}

impl Tx<'_> {
    /// Records a session, and drops the sessions that have expired.
    pub fn insert_session(
        &mut self,
        id_sha256: &str,
        token_id: &str,
        csrf: &str,
        now: OffsetDateTime,
        expires: OffsetDateTime,
    ) -> Result<()> {
        let now = format(now);
        self.c().execute(
            "DELETE FROM console_sessions WHERE expires_at <= ?",
            params![now.as_str()],
        )?;
        self.c().execute(
            "INSERT INTO console_sessions (id_sha256, token_id, csrf, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?)",
            params![
                id_sha256,
                token_id,
                csrf,
                now.as_str(),
                format(expires).as_str()
            ],
        )?;
        Ok(())
    }

    /// The session whose secret hashes to `id_sha256`, if it has not expired and its
    /// token is not revoked.
    pub fn session(&mut self, id_sha256: &str, now: OffsetDateTime) -> Result<Option<Session>> {
        let row = self.c().query_opt(
            "SELECT t.id, t.name, t.role, t.environments, t.created_at, t.created_by, t.revoked_at,
                    s.csrf, s.created_at, s.expires_at
             FROM console_sessions s JOIN api_tokens t ON t.id = s.token_id
             WHERE s.id_sha256 = ? AND s.expires_at > ? AND t.revoked_at IS NULL",
            params![id_sha256, format(now).as_str()],
        )?;
        Ok(row.map(|mut r| {
            let (csrf, created_at, expires_at) = (r.text(7), r.text(8), r.text(9));
            Session {
                token: crate::tokens::token(r),
                csrf,
                created_at,
                expires_at,
            }
        }))
    }

    /// Ends a session; false when there was none.
    pub fn delete_session(&mut self, id_sha256: &str) -> Result<bool> {
        let n = self.c().execute(
            "DELETE FROM console_sessions WHERE id_sha256 = ?",
            params![id_sha256],
        )?;
        Ok(n > 0)
    }
}
