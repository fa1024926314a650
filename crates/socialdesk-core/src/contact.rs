//! Contacts: the people behind inbox items. A contact is one person across
//! networks: the team links the handles it knows are theirs, tags the person
//! (VIP, influencer, unhappy customer) and keeps notes. Its history is every
//! item written from any of its handles.
//!
//! A person is known on each network by their handle as the network gives it
//! on items (`@alice.bsky.social`, `@ana@mastodon.social`): lowercase, with
//! the leading `@`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{UserId, WorkspaceId};

/// At most this many characters in a contact's name.
pub const MAX_CONTACT_NAME: usize = 120;
/// At most this many handles per contact.
pub const MAX_CONTACT_HANDLES: usize = 20;
/// At most this many tags per contact.
pub const MAX_CONTACT_TAGS: usize = 20;
/// At most this many characters in a note.
pub const MAX_CONTACT_NOTE: usize = 2000;
const MAX_HANDLE: usize = 256;

/// Networks a contact may have a handle on, connected or not: the team
/// records a person's Instagram before the workspace connects Instagram.
pub const CONTACT_NETWORKS: [&str; 10] =
    ["bluesky", "mastodon", "x", "instagram", "facebook", "threads", "linkedin", "tiktok", "youtube", "pinterest"];

/// One of a person's handles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactHandle {
    pub id: Uuid,
    /// The network's stable name: `bluesky`, `mastodon`, `sandbox`.
    pub network: String,
    /// As items carry it: lowercase, with the leading `@`.
    pub handle: String,
    /// The network's id of the person, when it was seen on an item.
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub handles: Vec<ContactHandle>,
    /// Lowercase, each once, in the order added.
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Contact {
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }

    /// Whether `handle` on `network` is one of theirs.
    pub fn owns(&self, network: &str, handle: &str) -> bool {
        self.handles.iter().any(|h| h.network == network && h.handle == handle)
    }
}

/// A note the team keeps on a contact; the person never sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactNote {
    pub id: Uuid,
    pub author_id: Option<UserId>,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A handle as stored: trimmed, lowercase, with one leading `@`, no spaces.
pub fn normalise_handle(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim().trim_start_matches('@');
    if trimmed.is_empty() {
        return Err("write the handle, such as @alice.bsky.social or @ana@mastodon.social".into());
    }
    if let Some(c) = trimmed.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("a handle has no spaces or control characters (found {c:?})"));
    }
    if trimmed.chars().count() > MAX_HANDLE {
        return Err(format!("a handle has at most {MAX_HANDLE} characters"));
    }
    Ok(format!("@{}", trimmed.to_lowercase()))
}

/// A contact's name as stored: single spaces, 1 to [`MAX_CONTACT_NAME`] characters.
pub fn normalise_contact_name(raw: &str) -> Result<String, String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > MAX_CONTACT_NAME {
        return Err(format!("name the contact in 1 to {MAX_CONTACT_NAME} characters"));
    }
    Ok(name)
}

/// A note as stored: trimmed, 1 to [`MAX_CONTACT_NOTE`] characters.
pub fn normalise_contact_note(raw: &str) -> Result<String, String> {
    let body = raw.trim();
    if body.is_empty() || body.chars().count() > MAX_CONTACT_NOTE {
        return Err(format!("write the note (1 to {MAX_CONTACT_NOTE} characters)"));
    }
    Ok(body.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_stored_as_items_carry_them() {
        assert_eq!(normalise_handle("  Alice.BSKY.social ").unwrap(), "@alice.bsky.social");
        assert_eq!(normalise_handle("@@Ana@Mastodon.Social").unwrap(), "@ana@mastodon.social");
        assert_eq!(normalise_handle("@josé").unwrap(), "@josé");
        assert!(normalise_handle(" @ ").unwrap_err().contains("write the handle"));
        assert!(normalise_handle("ana maria").unwrap_err().contains("no spaces"));
        assert!(normalise_handle(&"a".repeat(300)).unwrap_err().contains("at most 256"));
    }

    #[test]
    fn names_and_notes_are_tidied_and_bounded() {
        assert_eq!(normalise_contact_name("  Ana   Souza ").unwrap(), "Ana Souza");
        assert!(normalise_contact_name("   ").is_err());
        assert!(normalise_contact_name(&"x".repeat(121)).is_err());
        assert_eq!(normalise_contact_note("  called, happy now \n").unwrap(), "called, happy now");
        assert!(normalise_contact_note("").is_err());
        assert!(normalise_contact_note(&"x".repeat(2001)).is_err());
    }
}
