//! Contacts: the people behind inbox items. The team saves a person (from
//! one of their messages or by hand), links the handles it knows are theirs
//! on each network, tags them (a contact tagged `vip` who writes something
//! negative is announced to the leads) and keeps notes. A contact's history
//! is every message from any of its handles.

use std::collections::HashMap;

use serde::Deserialize;
use socialdesk_core::contact::{
    CONTACT_NETWORKS, MAX_CONTACT_HANDLES, MAX_CONTACT_TAGS, normalise_contact_name, normalise_contact_note,
    normalise_handle,
};
use socialdesk_core::moderation::normalise_tag;
use socialdesk_core::{Contact, ContactNote, InboxItem, Permission, WorkspaceId};
use socialdesk_store::{Activity, ContactFilter, InboxFilter, Linked, NewContact, NewHandle, StoreError};
use uuid::Uuid;

use crate::error::Fields;
use crate::{Actor, App, AppError, new_uuid};

/// How many messages a contact's page shows.
pub const HISTORY_ITEMS: i64 = 100;

/// A handle as typed: which network, which handle.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandleInput {
    #[serde(default)]
    pub network: String,
    #[serde(default)]
    pub handle: String,
}

/// A contact to create: by hand (name and handles), or from an inbox item
/// (`from_item`: its author's handle, network and name).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub handles: Vec<HandleInput>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub from_item: Option<Uuid>,
}

/// A contact in a list, with how much they wrote.
#[derive(Debug, Clone)]
pub struct ContactSummary {
    pub contact: Contact,
    pub activity: Activity,
}

/// Everything the team knows of a person.
#[derive(Debug, Clone)]
pub struct ContactView {
    pub contact: Contact,
    pub activity: Activity,
    pub notes: Vec<ContactNote>,
    /// Their latest messages, newest first.
    pub history: Vec<InboxItem>,
}

/// Someone who wrote from a handle, saved as a contact or not.
#[derive(Debug, Clone)]
pub struct Person {
    pub network: String,
    pub handle: String,
    /// The name on their latest message.
    pub name: Option<String>,
    pub contact: Option<ContactSummary>,
    pub history: Vec<InboxItem>,
}

fn sum(activity: &HashMap<(String, String), Activity>, contact: &Contact) -> Activity {
    contact.handles.iter().filter_map(|h| activity.get(&(h.network.clone(), h.handle.clone()))).fold(
        Activity::default(),
        |total, a| Activity { items: total.items + a.items, last_at: total.last_at.max(a.last_at) },
    )
}

impl App {
    /// The workspace's contacts by name, with how much each wrote.
    pub async fn contacts(
        &self,
        actor: &Actor,
        filter: &ContactFilter,
        limit: i64,
    ) -> Result<Vec<ContactSummary>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let contacts = self.store.contacts(actor.workspace.id, filter, limit).await?;
        let handles: Vec<_> = contacts.iter().flat_map(|c| &c.handles).collect();
        let activity = self.store.contact_activity(actor.workspace.id, &handles).await?;
        Ok(contacts.into_iter().map(|contact| ContactSummary { activity: sum(&activity, &contact), contact }).collect())
    }

    /// A contact alone: name, handles and tags.
    pub async fn contact_record(&self, actor: &Actor, id: Uuid) -> Result<Contact, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.contact(actor.workspace.id, id).await?)
    }

    pub async fn contact(&self, actor: &Actor, id: Uuid) -> Result<ContactView, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let contact = self.store.contact(actor.workspace.id, id).await?;
        let handles: Vec<_> = contact.handles.iter().collect();
        let activity = self.store.contact_activity(actor.workspace.id, &handles).await?;
        let notes = self.store.contact_notes(actor.workspace.id, id).await?;
        let history = self.contact_history(actor.workspace.id, &contact, HISTORY_ITEMS).await?;
        Ok(ContactView { activity: sum(&activity, &contact), contact, notes, history })
    }

    /// Messages from any of a contact's handles, newest first.
    pub async fn contact_history(
        &self,
        workspace: WorkspaceId,
        contact: &Contact,
        limit: i64,
    ) -> Result<Vec<InboxItem>, AppError> {
        let filter = InboxFilter { authors: authors_of(contact), ..InboxFilter::default() };
        Ok(self.store.inbox(workspace, &filter, limit).await?)
    }

    /// Whoever writes from `handle` on `network`: their contact if saved, and their messages.
    pub async fn person(&self, actor: &Actor, network: &str, handle: &str) -> Result<Person, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let handle = normalise_handle(handle).map_err(|e| AppError::field("handle", e))?;
        let contact =
            self.store.contacts_of_authors(actor.workspace.id, &[(network, handle.as_str())]).await?.into_iter().next();
        let filter = InboxFilter { authors: vec![(network.to_owned(), handle.clone())], ..InboxFilter::default() };
        let history = self.store.inbox(actor.workspace.id, &filter, HISTORY_ITEMS).await?;
        let contact = match contact {
            Some(contact) => {
                let handles: Vec<_> = contact.handles.iter().collect();
                let activity = self.store.contact_activity(actor.workspace.id, &handles).await?;
                Some(ContactSummary { activity: sum(&activity, &contact), contact })
            }
            None => None,
        };
        Ok(Person {
            network: network.to_owned(),
            name: history.first().map(|i| i.author_name.clone()),
            handle,
            contact,
            history,
        })
    }

    /// The saved contacts of these items' authors, by `(network, handle)`.
    pub async fn contacts_of_items(
        &self,
        actor: &Actor,
        items: &[InboxItem],
    ) -> Result<HashMap<(String, String), Contact>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        self.authors_contacts(actor.workspace.id, items).await
    }

    pub(crate) async fn authors_contacts(
        &self,
        workspace: WorkspaceId,
        items: &[InboxItem],
    ) -> Result<HashMap<(String, String), Contact>, AppError> {
        if items.is_empty() {
            return Ok(HashMap::new());
        }
        let networks: HashMap<_, _> =
            self.store.accounts(workspace).await?.into_iter().map(|a| (a.id, a.network)).collect();
        let authors: Vec<(&str, &str)> = items
            .iter()
            .filter_map(|i| networks.get(&i.account_id).map(|n| (n.as_str(), i.author_handle.as_str())))
            .collect();
        let contacts = self.store.contacts_of_authors(workspace, &authors).await?;
        let mut by_author = HashMap::new();
        for (network, handle) in authors {
            if let Some(c) = contacts.iter().find(|c| c.owns(network, handle)) {
                by_author.insert((network.to_owned(), handle.to_owned()), c.clone());
            }
        }
        Ok(by_author)
    }

    /// The networks a contact can have handles on: this server's connectors, then the others.
    pub fn contact_networks(&self) -> Vec<String> {
        let mut names: Vec<String> = self.networks.all().map(|n| n.name().to_owned()).collect();
        for n in CONTACT_NETWORKS {
            if !names.iter().any(|known| known == n) {
                names.push(n.to_owned());
            }
        }
        names
    }

    fn known_network(&self, network: &str) -> Result<String, String> {
        let network = network.trim().to_lowercase();
        let known = self.contact_networks();
        if known.contains(&network) {
            Ok(network)
        } else if network.is_empty() {
            Err(format!("choose a network: {}", known.join(", ")))
        } else {
            Err(format!("{network:?} is not a network socialdesk knows: choose one of {}", known.join(", ")))
        }
    }

    fn checked_handle(&self, fields: &mut Fields, at: &str, input: &HandleInput) -> Option<NewHandle> {
        let path = |field: &str| if at.is_empty() { field.to_owned() } else { format!("{at}/{field}") };
        let network = fields.check(&path("network"), self.known_network(&input.network));
        let handle = fields.check(&path("handle"), normalise_handle(&input.handle));
        Some(NewHandle { id: new_uuid(), network: network?, handle: handle?, external_id: None })
    }

    /// Saves a person. Every problem is named by field at once; a handle
    /// another contact holds is a conflict that names that contact.
    pub async fn create_contact(&self, actor: &Actor, input: ContactInput) -> Result<Contact, AppError> {
        actor.require(Permission::Publish)?;
        let workspace = actor.workspace.id;
        let mut fields = Fields::default();
        let mut handles = Vec::new();
        let mut name = input.name.clone();
        if let Some(item) = input.from_item {
            let item = match self.store.inbox_item(workspace, item).await {
                Err(StoreError::NotFound) => {
                    fields.push("from_item", "no such message in this workspace");
                    None
                }
                other => Some(other?),
            };
            if let Some(item) = item {
                let account = self.store.account(workspace, item.account_id).await?;
                let handle = normalise_handle(&item.author_handle).map_err(|e| AppError::field("from_item", e))?;
                handles.push(NewHandle {
                    id: new_uuid(),
                    network: account.network,
                    handle,
                    external_id: Some(item.author_external_id.clone()),
                });
                if name.as_deref().is_none_or(|n| n.trim().is_empty()) {
                    name = Some(if item.author_name.trim().is_empty() { item.author_handle } else { item.author_name });
                }
            }
        }
        let name = fields.check("name", normalise_contact_name(name.as_deref().unwrap_or_default()));
        for (i, h) in input.handles.iter().enumerate() {
            if let Some(h) = self.checked_handle(&mut fields, &format!("handles/{i}"), h) {
                if handles.iter().any(|o: &NewHandle| o.network == h.network && o.handle == h.handle) {
                    fields.push(&format!("handles/{i}/handle"), "this handle is listed twice");
                } else {
                    handles.push(h);
                }
            }
        }
        if input.handles.is_empty() && input.from_item.is_none() {
            fields.push("handles", "give at least one handle, such as @alice.bsky.social on bluesky");
        }
        if handles.len() > MAX_CONTACT_HANDLES {
            fields.push("handles", format!("a contact has at most {MAX_CONTACT_HANDLES} handles"));
        }
        let tags = checked_tags(&mut fields, "tags", &input.tags);
        let note = match input.note.as_deref().filter(|n| !n.trim().is_empty()) {
            Some(n) => fields.check("note", normalise_contact_note(n)),
            None => None,
        };
        fields.finish()?;
        let name = name.unwrap_or_default();
        for h in &handles {
            if let Some(holder) = self.holder(workspace, h).await? {
                return Err(taken(h, &holder));
            }
        }
        let new = NewContact { id: new_uuid(), name, handles, tags, created_by: Some(actor.user.id) };
        self.store.create_contact(workspace, &new, self.now()).await.map_err(|e| match e {
            StoreError::Conflict("handle") => AppError::Conflict {
                field: "handles",
                message: "one of these handles was just saved as someone else's contact".into(),
            },
            other => other.into(),
        })?;
        if let Some(note) = note {
            self.store.add_contact_note(workspace, new.id, new_uuid(), actor.user.id, &note, self.now()).await?;
        }
        Ok(self.store.contact(workspace, new.id).await?)
    }

    async fn holder(&self, workspace: WorkspaceId, h: &NewHandle) -> Result<Option<Contact>, AppError> {
        Ok(self.store.contacts_of_authors(workspace, &[(&h.network, &h.handle)]).await?.into_iter().next())
    }

    /// Renames a contact and adds or removes tags.
    pub async fn update_contact(
        &self,
        actor: &Actor,
        id: Uuid,
        name: Option<&str>,
        add_tags: &[String],
        remove_tags: &[String],
    ) -> Result<Contact, AppError> {
        actor.require(Permission::Publish)?;
        let workspace = actor.workspace.id;
        let contact = self.store.contact(workspace, id).await?;
        let mut fields = Fields::default();
        let name = name.and_then(|n| fields.check("name", normalise_contact_name(n)));
        let add = checked_tags(&mut fields, "add_tags", add_tags);
        let remove: Vec<String> = remove_tags.iter().filter_map(|t| normalise_tag(t).ok()).collect();
        let after =
            contact.tags.iter().filter(|t| !remove.contains(t)).chain(add.iter().filter(|t| !contact.has_tag(t)));
        if after.count() > MAX_CONTACT_TAGS {
            fields.push("add_tags", format!("a contact has at most {MAX_CONTACT_TAGS} tags"));
        }
        fields.finish()?;
        let now = self.now();
        if let Some(name) = name {
            self.store.rename_contact(workspace, id, &name, now).await?;
        }
        if !add.is_empty() || !remove.is_empty() {
            self.store.tag_contact(workspace, id, &add, &remove, now).await?;
        }
        Ok(self.store.contact(workspace, id).await?)
    }

    /// Links a handle to a contact. If another contact holds it, `merge`
    /// makes the two one (this one keeps its name); otherwise that is a conflict.
    pub async fn link_contact_handle(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &HandleInput,
        merge: bool,
    ) -> Result<(Contact, Linked), AppError> {
        actor.require(Permission::Publish)?;
        let workspace = actor.workspace.id;
        let contact = self.store.contact(workspace, id).await?;
        let mut fields = Fields::default();
        let handle = self.checked_handle(&mut fields, "", input);
        fields.finish()?;
        let handle = handle.ok_or_else(|| AppError::internal("a checked handle is missing"))?;
        let holder = self.holder(workspace, &handle).await?;
        if let Some(other) = holder.as_ref().filter(|o| o.id != id) {
            if !merge {
                return Err(taken(&handle, other));
            }
            let handles = contact.handles.len() + other.handles.len();
            if handles > MAX_CONTACT_HANDLES {
                return Err(AppError::field(
                    "handle",
                    format!("together they would have {handles} handles; a contact has at most {MAX_CONTACT_HANDLES}"),
                ));
            }
        } else if holder.is_none() && contact.handles.len() >= MAX_CONTACT_HANDLES {
            return Err(AppError::field("handle", format!("a contact has at most {MAX_CONTACT_HANDLES} handles")));
        }
        let linked =
            self.store.link_contact_handle(workspace, id, &handle, merge, self.now()).await.map_err(|e| match e {
                StoreError::Conflict(_) => AppError::Conflict {
                    field: "handle",
                    message: format!("{} was just saved as someone else's contact", handle.handle),
                },
                other => other.into(),
            })?;
        if let Linked::Merged { from, name } = &linked {
            self.audit(
                actor,
                "contact.merged",
                &contact.name,
                serde_json::json!({"contact": id, "merged": from, "merged_name": name, "through": handle.handle}),
            )
            .await;
        }
        Ok((self.store.contact(workspace, id).await?, linked))
    }

    /// Unlinks a handle; a contact keeps at least one.
    pub async fn unlink_contact_handle(&self, actor: &Actor, id: Uuid, handle: Uuid) -> Result<Contact, AppError> {
        actor.require(Permission::Publish)?;
        let workspace = actor.workspace.id;
        let contact = self.store.contact(workspace, id).await?;
        if !contact.handles.iter().any(|h| h.id == handle) {
            return Err(AppError::NotFound);
        }
        if contact.handles.len() == 1 {
            return Err(AppError::Conflict {
                field: "handle",
                message: "a contact keeps at least one handle: link another first, or delete the contact".into(),
            });
        }
        self.store.unlink_contact_handle(workspace, id, handle, self.now()).await?;
        Ok(self.store.contact(workspace, id).await?)
    }

    /// Deletes a contact with its tags and notes; their messages stay in the inbox.
    pub async fn delete_contact(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        actor.require(Permission::Publish)?;
        let contact = self.store.contact(actor.workspace.id, id).await?;
        self.store.delete_contact(actor.workspace.id, id).await?;
        let handles: Vec<&str> = contact.handles.iter().map(|h| h.handle.as_str()).collect();
        self.audit(actor, "contact.deleted", &contact.name, serde_json::json!({"contact": id, "handles": handles}))
            .await;
        Ok(())
    }

    pub async fn add_contact_note(&self, actor: &Actor, id: Uuid, body: &str) -> Result<ContactNote, AppError> {
        actor.require(Permission::Publish)?;
        let body = normalise_contact_note(body).map_err(|e| AppError::field("body", e))?;
        let note = new_uuid();
        self.store.add_contact_note(actor.workspace.id, id, note, actor.user.id, &body, self.now()).await?;
        self.store
            .contact_notes(actor.workspace.id, id)
            .await?
            .into_iter()
            .find(|n| n.id == note)
            .ok_or(AppError::NotFound)
    }

    /// Contacts as CSV (name, handles, tags, messages, last message in UTC,
    /// saved at), by name; a field a spreadsheet would run as a formula is
    /// quoted with a leading `'`.
    pub async fn contacts_csv(&self, actor: &Actor, filter: &ContactFilter) -> Result<String, AppError> {
        let list = self.contacts(actor, filter, 100_000).await?;
        let mut out = csv::Writer::from_writer(Vec::new());
        let mut write = |record: &[&str]| {
            let safe: Vec<String> =
                record.iter().map(|f| socialdesk_core::values::spreadsheet_safe(f).into_owned()).collect();
            out.write_record(&safe).map_err(|e| AppError::internal(e.to_string()))
        };
        write(&["name", "handles", "tags", "messages", "last_message_at", "saved_at"])?;
        for s in &list {
            let handles: Vec<String> =
                s.contact.handles.iter().map(|h| format!("{} {}", h.network, h.handle)).collect();
            write(&[
                &s.contact.name,
                &handles.join("; "),
                &s.contact.tags.join("; "),
                &s.activity.items.to_string(),
                &s.activity.last_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default(),
                &s.contact.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ])?;
        }
        let bytes = out.into_inner().map_err(|e| AppError::internal(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| AppError::internal(e.to_string()))
    }

    /// Tags on contacts, with how many carry each.
    pub async fn contact_tags(&self, actor: &Actor) -> Result<Vec<(String, i64)>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.contact_tags(actor.workspace.id).await?)
    }
}

fn authors_of(contact: &Contact) -> Vec<(String, String)> {
    contact.handles.iter().map(|h| (h.network.clone(), h.handle.clone())).collect()
}

fn taken(handle: &NewHandle, holder: &Contact) -> AppError {
    AppError::Conflict {
        field: "handle",
        message: format!(
            "{} on {} is already {}'s handle: link it there, or merge the two",
            handle.handle, handle.network, holder.name
        ),
    }
}

fn checked_tags(fields: &mut Fields, at: &str, raw: &[String]) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        if let Some(tag) = fields.check(&format!("{at}/{i}"), normalise_tag(t))
            && !tags.contains(&tag)
        {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_CONTACT_TAGS {
        fields.push(at, format!("a contact has at most {MAX_CONTACT_TAGS} tags"));
    }
    tags
}
