//! Storage for socialdesk: repositories over SQLite and PostgreSQL.
//!
//! One [`Store`] type serves both backends. Each repository function is
//! written once with SQL that both dialects accept (`$1` parameters,
//! `RETURNING`, `ON CONFLICT`) and runs on whichever pool the store holds,
//! through the [`on_pool!`] macro, so the two backends cannot drift apart.
//! Where the dialects differ (row locking in the job queue), the function
//! matches on the backend and says why. Each backend has its own migrations
//! under `migrations/{sqlite,postgres}`.
//!
//! Rows are private `*Row` types, converted into `socialdesk_core` types in
//! one place per table. Every query of workspace data filters by workspace id:
//! no function here takes a record id without the workspace it must belong to.
//!
//! This crate never reads the clock: callers pass `now`.

mod accounts;
mod analytics;
mod audit;
pub mod bulk;
mod competitors;
mod contacts;
mod error;
mod goals;
mod guides;
mod inbox;
mod inbox_rules;
mod inbox_work;
mod invites;
mod jobs;
mod links;
mod listening;
mod logins;
mod media;
mod mentions;
mod notifications;
mod policies;
mod pool;
mod posts;
mod publishing;
mod queues;
mod reports;
mod sessions;
mod tokens;
mod users;
mod workspaces;

#[cfg(feature = "testing")]
pub mod testing;

pub use accounts::{AccountHealth, NewAccount};
pub use analytics::{AccountSnapshot, CountsGroup, MetricsDue, PublishedCounts, PublishedVariant, TagGroup};
pub use audit::{AuditEntry, NewAuditEntry};
pub use competitors::{Competitor, CompetitorCheck, CompetitorPost, CompetitorSnapshot};
pub use contacts::{Activity, ContactFilter, Linked, NewContact, NewHandle};
pub use error::StoreError;
pub use goals::StoredGoal;
pub use inbox::InboxFilter;
pub use inbox_rules::{Arrival, NewEffect, RuleEffect, Undo};
pub use inbox_work::{InboxNote, SavedReply};
pub use jobs::{ClaimedJob, Job, NewJob, WorkerHealth};
pub use links::ShortLink;
pub use listening::SavedQuery;
pub use media::{Added, Media, PartMedia, PostMedia};
pub use mentions::{
    AlertSettings, ListeningSource, MentionFilter, MinuteRow, NewAlert, NewMention, QueryToCheck, QueryTotals,
    SourceCounts, StoredAlert, StoredMention,
};
pub use notifications::{NewNotification, Notification, WaitingItem};
pub use policies::PostComment;
pub use pool::{Backend, Store};
pub use posts::{FIRST_METRICS_POLL_SECS, Post, PostEdit, Variant};
pub use publishing::{Delivered, Finished, FinishedJob, PublishStart, PublishTarget, StartedPublish};
pub use queues::{CalendarEntry, EvergreenCopy, Move};
pub use reports::{ArchivedReport, ReportSchedule};
pub use sessions::{NewSession, Session};
pub use tokens::{AuthenticatedToken, NewApiToken};
pub use users::Credentials;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
