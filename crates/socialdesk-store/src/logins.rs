use chrono::{DateTime, Utc};
use socialdesk_core::Email;
use uuid::Uuid;

use crate::pool::{RowsAffected, on_pool};
use crate::{Result, Store};

impl Store {
    /// Remembers a sign-in attempt, so that guessing can be slowed down
    /// across every process that shares this database.
    pub async fn record_login_attempt(
        &self,
        id: Uuid,
        email: &str,
        client_ip: &str,
        at: DateTime<Utc>,
        succeeded: bool,
    ) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("INSERT INTO login_attempts (id, email, client_ip, at, succeeded) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(email)
                .bind(client_ip)
                .bind(at)
                .bind(succeeded)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        Ok(())
    }

    /// Failed attempts for this email since `since`, and since its last success.
    pub async fn failed_logins_for_email(&self, email: &Email, since: DateTime<Utc>) -> Result<i64> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND at > $2 AND NOT succeeded \
                 AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE email = $1 AND succeeded), $2)",
            )
            .bind(email.as_str())
            .bind(since)
            .fetch_one(pool)
            .await
        })?)
    }

    /// Failed attempts from this address since `since`, whatever the email.
    pub async fn failed_logins_from_ip(&self, client_ip: &str, since: DateTime<Utc>) -> Result<i64> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM login_attempts WHERE client_ip = $1 AND at > $2 AND NOT succeeded")
                .bind(client_ip)
                .bind(since)
                .fetch_one(pool)
                .await
        })?)
    }

    pub async fn purge_login_attempts(&self, before: DateTime<Utc>) -> Result<u64> {
        Ok(on_pool!(self, |pool| {
            sqlx::query("DELETE FROM login_attempts WHERE at < $1").bind(before).execute(pool).await.map(|r| r.rows())
        })?)
    }
}
