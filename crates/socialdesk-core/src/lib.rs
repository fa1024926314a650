//! The domain of socialdesk: identifiers, roles and what each may do, validated
//! values, money, and the text rules of each network.
//!
//! This crate does no IO. It knows nothing about HTTP, SQL, files, the clock or
//! randomness: time and seeds are parameters. CI checks that it never depends on
//! tokio, sqlx, axum or reqwest.

pub mod account;
pub mod analytics;
pub mod approval;
pub mod cadence;
pub mod contact;
pub mod goals;
pub mod guide;
pub mod hours;
pub mod ids;
pub mod inbox;
pub mod insights;
pub mod links;
pub mod media;
pub mod metrics;
pub mod moderation;
pub mod money;
pub mod post;
pub mod queue;
pub mod role;
pub mod tags;
pub mod team;
pub mod text;
pub mod values;

pub use account::{Account, AccountLimits, AccountStatus};
pub use analytics::{Counts, Period, PeriodError};
pub use contact::{Contact, ContactHandle, ContactNote};
pub use ids::{AccountId, ApiTokenId, InviteId, JobId, MediaId, PostId, SessionId, UserId, VariantId, WorkspaceId};
pub use inbox::{InboxItem, InboxStatus};
pub use money::{Currency, Money};
pub use post::{DeliveryState, PostEvent, PostState};
pub use role::{Permission, Role};
pub use team::{ApiToken, Crisis, Invite, InviteState, Member, Membership, User, Workspace, WorkspacePolicy};
pub use text::{LengthUnit, Limits, NetworkKind, Problem, ProblemKind, TextReport};
pub use values::{Email, Password, PersonName, Slug, TimeZone, WorkspaceName};
