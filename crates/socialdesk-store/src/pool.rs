use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Postgres, Sqlite, Transaction};

use crate::{Result, StoreError};

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Counts one write when dropped: see [`Store::posts_change`] and [`Store::access_change`].
pub(crate) struct Change<'a>(&'a std::sync::atomic::AtomicU64);

impl Drop for Change<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }
}

/// The repositories. Cheap to clone: it holds a connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    /// Grows whenever this process writes posts or their variants, so readers
    /// that keep posts in memory (the calendar) know when to read them again.
    posts_generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Grows whenever this process writes what decides who may do what and
    /// what every page's frame shows (sessions, users, memberships,
    /// workspaces and their policies, API tokens, notifications), so the
    /// app may keep those in memory.
    access_generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// Runs the same code on whichever pool the store holds. Inside, `$pool` is a
/// `&SqlitePool` or a `&PgPool`; the code is type-checked once per backend.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pool {
            $crate::pool::Pool::Sqlite($pool) => $body,
            $crate::pool::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Starts a transaction that will write. On SQLite it takes the write lock at
/// once (`BEGIN IMMEDIATE`), so two writers queue behind the busy timeout
/// instead of failing when a read lock cannot be upgraded.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    async fn begin_write(&self) -> Result<Transaction<'static, Self::Db>>;
}

impl BeginWrite for SqlitePool {
    type Db = Sqlite;
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.begin_with("BEGIN IMMEDIATE").await?)
    }
}

impl BeginWrite for PgPool {
    type Db = Postgres;
    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.begin().await?)
    }
}

/// A count as a BIGINT column holds it (the largest that fits when it does not).
pub(crate) fn db(v: Option<u64>) -> Option<i64> {
    v.map(|v| i64::try_from(v).unwrap_or(i64::MAX))
}

/// The number of rows a statement changed, on either backend.
pub(crate) trait RowsAffected {
    fn rows(&self) -> u64;
}

impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

impl Store {
    /// Opens `sqlite://PATH` (created if missing, WAL, foreign keys on) or
    /// `postgres://...`. Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store> {
        let pool = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            // One writer at a time whatever the pool, and readers no faster
            // than the cores: twice the cores (4 to 8) is enough, and each
            // connection holds its own copy of the schema, its statements and
            // a thread. Connections a burst opened close after a minute idle
            // (in a process without a worker: the pool hands connections out
            // in turn, and a worker's polls keep each of them in use).
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            let pool = SqlitePoolOptions::new()
                .max_connections(u32::try_from(2 * cores).unwrap_or(8).clamp(4, 8))
                .min_connections(1)
                .idle_timeout(Duration::from_secs(60))
                .connect_with(options)
                .await?;
            Pool::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool =
                PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(10)).connect(url).await?;
            Pool::Postgres(pool)
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        Ok(Store { pool, posts_generation: Default::default(), access_generation: Default::default() })
    }

    /// Applies every migration not yet applied. Safe to run from several
    /// processes at once (sqlx takes a lock).
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::migrate!("migrations/sqlite").run(pool).await?,
            Pool::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// How many times this process has written posts or what the API shows
    /// of them (creations, state changes, edits, moves, their variants'
    /// attempts and outcomes, their media): a cache of posts read at one
    /// generation is current while the generation stays the same. Writes by
    /// other processes are not counted.
    pub fn posts_generation(&self) -> u64 {
        self.posts_generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Counts a write of the `posts` table when the returned guard is dropped:
    /// at the end of the writing function, after its transaction committed
    /// (readers take the generation before they read, so they never keep
    /// older rows under a newer generation).
    pub(crate) fn posts_change(&self) -> Change<'_> {
        Change(&self.posts_generation)
    }

    /// How many times this process has written sessions, users,
    /// memberships, workspaces (their names, zones and policies), API tokens
    /// or notifications: who is signed in, in which workspace, with which
    /// role, and what the frame of every page shows. Like
    /// [`Store::posts_generation`], writes by other processes are not counted.
    pub fn access_generation(&self) -> u64 {
        self.access_generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Counts a write of what [`Store::access_generation`] covers when the
    /// returned guard is dropped, after the writing function committed.
    pub(crate) fn access_change(&self) -> Change<'_> {
        Change(&self.access_generation)
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, |pool| sqlx::query("SELECT 1").execute(pool).await.map(|r| r.rows()))?;
        Ok(())
    }

    /// Refreshes the planner's statistics and the visibility map after a bulk
    /// load, as PostgreSQL's autovacuum would in time (a benchmark that seeds a million rows and
    /// reads at once must not measure plans made without any). SQLite keeps
    /// no statistics unless asked, and none are used in production: nothing.
    pub async fn analyze(&self) -> Result<()> {
        if let Pool::Postgres(pool) = &self.pool {
            sqlx::query("VACUUM ANALYZE").execute(pool).await?;
        }
        Ok(())
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await)
    }
}
