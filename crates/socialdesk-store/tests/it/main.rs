//! One story of store tests, run on SQLite and on PostgreSQL.
//!
//! Every test is written once as `async fn name(db: TestDb)` and registered
//! with `both!`, which makes `name::sqlite` and `name::postgres`.

mod accounts;
mod analytics;
mod approvals;
mod bulk;
mod competitors;
mod contacts;
mod fixtures;
mod inbox;
mod inbox_rules;
mod jobs;
mod media;
mod mentions;
mod notifications;
mod publishing;
mod queues;
mod team;

/// Runs an `async fn(TestDb)` on each backend, as two tests.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(socialdesk_store::testing::TestDb::sqlite().await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(db) = socialdesk_store::testing::TestDb::postgres().await {
                        super::$name(db).await;
                    }
                }
            }
        )*
    };
}
