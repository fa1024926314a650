//! Throw-away databases for tests: a fresh SQLite file, or a fresh PostgreSQL
//! database cloned from a migrated template, one per test, so tests run in
//! parallel without seeing each other's rows.
//!
//! PostgreSQL is found at `SOCIALDESK_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When it cannot be reached,
//! [`TestDb::postgres`] returns `None` and says on stderr that the test was
//! skipped and why, except under CI (`CI` set), where it fails the test.
#![allow(clippy::print_stderr)]

use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use sqlx::postgres::PgConnection;
use sqlx::{Connection, Executor};

use crate::{Backend, Store};

const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database that lives as long as the value.
#[derive(Debug)]
pub struct TestDb {
    pub store: Store,
    /// The URL, for starting the real binary against the same database.
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Dir(PathBuf),
    PgDatabase { admin_url: String, name: String },
}

impl TestDb {
    /// Both backends, for tests that must hold on each: SQLite always,
    /// PostgreSQL when reachable.
    pub async fn each() -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite().await];
        dbs.extend(TestDb::postgres().await);
        dbs
    }

    /// A migrated database of the given backend, or `None` when that backend
    /// is not available here (see the module docs).
    pub async fn of(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => Some(TestDb::sqlite().await),
            Backend::Postgres => TestDb::postgres().await,
        }
    }

    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("socialdesk-test-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        let url = format!("sqlite://{}", dir.join("test.db").display());
        let store = Store::connect(&url).await.expect("open SQLite");
        store.migrate().await.expect("migrate SQLite");
        TestDb { store, url, cleanup: Cleanup::Dir(dir) }
    }

    pub async fn postgres() -> Option<TestDb> {
        let admin_url = std::env::var("SOCIALDESK_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned());
        let mut admin = match PgConnection::connect(&admin_url).await {
            Ok(conn) => conn,
            Err(e) => {
                let reason = format!("PostgreSQL at {admin_url} is not reachable ({e})");
                assert!(std::env::var_os("CI").is_none(), "CI must run the PostgreSQL tests, but {reason}");
                eprintln!("SKIPPED (PostgreSQL): {reason}; set SOCIALDESK_TEST_POSTGRES to run these tests");
                return None;
            }
        };
        let template = template_name();
        let name = format!("sd_test_{}", uuid::Uuid::now_v7().simple());
        // One process at a time creates the template or copies it: PostgreSQL
        // refuses to copy a database while anything is connected to it.
        admin.execute("SELECT pg_advisory_lock(727274)").await.expect("lock");
        let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
            .bind(&template)
            .fetch_optional(&mut admin)
            .await
            .expect("look for the template");
        if exists.is_none() {
            let building = format!("{template}_building");
            admin
                .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {building}")))
                .await
                .expect("drop a half-built template");
            admin
                .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {building}")))
                .await
                .expect("create the template");
            let store = Store::connect(&with_database(&admin_url, &building)).await.expect("open the template");
            store.migrate().await.expect("migrate the template");
            store.close().await;
            admin
                .execute(sqlx::AssertSqlSafe(format!("ALTER DATABASE {building} RENAME TO {template}")))
                .await
                .expect("publish the template");
        }
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE {template}")))
            .await
            .expect("copy the template");
        admin.execute("SELECT pg_advisory_unlock(727274)").await.expect("unlock");
        let _ = admin.close().await;
        let url = with_database(&admin_url, &name);
        let store = Store::connect(&url).await.expect("open the test database");
        Some(TestDb { store, url, cleanup: Cleanup::PgDatabase { admin_url, name } })
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PgDatabase { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs outside any runtime guarantee, so use a thread of its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                    rt.block_on(async {
                        let mut admin = PgConnection::connect(&admin_url).await.ok()?;
                        admin
                            .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                            .await
                            .ok()
                    })
                })
                .join();
            }
        }
    }
}

/// The template's name changes whenever a migration changes.
fn template_name() -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for migration in sqlx::migrate!("migrations/postgres").iter() {
        migration.version.hash(&mut hasher);
        migration.checksum.hash(&mut hasher);
    }
    format!("sd_template_{:016x}", hasher.finish())
}

fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}
