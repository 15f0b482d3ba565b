//! API tokens: a name, a role, optionally the environments the token may touch, and the
//! SHA-256 of its secret. The secret itself is never stored.

use serde::Serialize;
use time::OffsetDateTime;

use crate::Tx;
use crate::error::Result;
use crate::sql::{Row, params};
use crate::time::format;

/// A token to store.
#[derive(Clone, Debug)]
pub struct NewToken<'a> {
    /// The public id, shown in lists and logs.
    pub id: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    /// `None`: every environment.
    pub environments: Option<&'a [String]>,
    pub secret_sha256: &'a str,
    pub created_by: Option<&'a str>,
}

/// A stored token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Token {
    pub id: String,
    pub name: String,
    pub role: String,
    pub environments: Option<Vec<String>>,
    pub created_at: String,
    pub created_by: Option<String>,
    pub revoked_at: Option<String>,
}

const COLUMNS: &str = "id, name, role, environments, created_at, created_by, revoked_at";

pub(crate) fn token(mut r: Row) -> Token {
    Token {
        id: r.text(0),
        name: r.text(1),
        role: r.text(2),
        environments: r
            .opt_text(3)
            .and_then(|j| serde_json::from_str::<Vec<String>>(&j).ok()),
        created_at: r.text(4),
        created_by: r.opt_text(5),
        revoked_at: r.opt_text(6),
    }
}

impl Tx<'_> {
    pub fn insert_token(&mut self, t: &NewToken<'_>, now: OffsetDateTime) -> Result<()> {
        let envs = t
            .environments
            .map(|e| serde_json::to_string(e).unwrap_or_else(|_| "[]".to_owned()));
        self.c().execute(
            "INSERT INTO api_tokens (id, name, role, environments, secret_sha256, created_at, created_by)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            params![
                t.id,
                t.name,
                t.role,
                envs.as_deref(),
                t.secret_sha256,
                format(now).as_str(),
                t.created_by
            ],
        )?;
        self.ledger_event(
            "token.created",
            format!("token/{}", t.id),
            &format(now),
            serde_json::json!({
                "id": t.id,
                "name": t.name,
                "role": t.role,
                "environments": t.environments,
                "created_by": t.created_by,
            }),
        );
        Ok(())
    }

    /// The token whose secret hashes to `secret_sha256`, revoked or not.
    pub fn token_by_secret(&mut self, secret_sha256: &str) -> Result<Option<Token>> {
        let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE secret_sha256 = ?");
        Ok(self.c().query_opt(&sql, params![secret_sha256])?.map(token))
    }

    pub fn token(&mut self, id: &str) -> Result<Option<Token>> {
        let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE id = ?");
        Ok(self.c().query_opt(&sql, params![id])?.map(token))
    }

    /// Every token, oldest first.
    pub fn tokens(&mut self) -> Result<Vec<Token>> {
        let sql = format!("SELECT {COLUMNS} FROM api_tokens ORDER BY created_at, id");
        Ok(self.c().query(&sql, &[])?.into_iter().map(token).collect())
    }

    /// Revokes a token; false when it was already revoked or does not exist.
    pub fn revoke_token(&mut self, id: &str, now: OffsetDateTime) -> Result<bool> {
        let now = format(now);
        let n = self.c().execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            params![now.as_str(), id],
        )?;
        if n > 0 {
            self.ledger_event(
                "token.revoked",
                format!("token/{id}"),
                &now,
                serde_json::json!({ "id": id }),
            );
        }
        Ok(n > 0)
    }

    /// Tokens not revoked with the `admin` role.
    pub fn active_admin_tokens(&mut self) -> Result<i64> {
        self.c().query_int(
            "SELECT COUNT(*) FROM api_tokens WHERE role = 'admin' AND revoked_at IS NULL",
            &[],
        )
    }
}
