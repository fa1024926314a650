use chrono::{DateTime, TimeZone as _, Utc};
use socialdesk_core::{Email, PersonName, Slug, TimeZone, User, UserId, Workspace, WorkspaceId, WorkspaceName};
use socialdesk_store::Store;

pub fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap() + chrono::Duration::minutes(minute.into())
}

pub fn user(email: &str) -> User {
    User {
        id: UserId::from_uuid(uuid::Uuid::now_v7()),
        email: Email::parse(email).unwrap(),
        name: PersonName::parse(email.split('@').next().unwrap()).unwrap(),
        created_at: at(0),
    }
}

pub fn workspace(name: &str) -> Workspace {
    let name = WorkspaceName::parse(name).unwrap();
    Workspace {
        id: WorkspaceId::from_uuid(uuid::Uuid::now_v7()),
        slug: Slug::from_name(&name),
        name,
        time_zone: TimeZone::parse("Europe/Rome").unwrap(),
        created_at: at(0),
    }
}

/// A person who signed up, with the workspace that made.
pub async fn signed_up(store: &Store, email: &str, workspace_name: &str) -> (User, Workspace) {
    let u = user(email);
    let w = store.create_user_with_workspace(&u, "$argon2id$fake", &workspace(workspace_name)).await.unwrap();
    (u, w)
}
