//! Contacts: the people behind inbox items, their handles, tags and notes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use socialdesk_core::{Contact, ContactHandle, ContactNote, UserId, WorkspaceId};
use uuid::Uuid;

use crate::pool::{BeginWrite, RowsAffected, on_pool};
use crate::{Result, Store, StoreError};

/// A handle to link to a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHandle {
    pub id: Uuid,
    pub network: String,
    /// Normalised by `core::contact::normalise_handle`.
    pub handle: String,
    pub external_id: Option<String>,
}

/// A contact to create, with its first handles and tags.
#[derive(Debug, Clone)]
pub struct NewContact {
    pub id: Uuid,
    pub name: String,
    pub handles: Vec<NewHandle>,
    pub tags: Vec<String>,
    pub created_by: Option<UserId>,
}

/// Which contacts to list.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// Part of a name or a handle, any case.
    pub search: Option<String>,
    pub tag: Option<String>,
}

/// How much a handle wrote to the workspace's accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Activity {
    pub items: i64,
    pub last_at: Option<DateTime<Utc>>,
}

/// What linking a handle did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Linked {
    /// The handle is now the contact's.
    Added,
    /// It already was.
    AlreadyTheirs,
    /// It was another contact's, and that contact became part of this one.
    Merged { from: Uuid, name: String },
}

#[derive(sqlx::FromRow)]
struct ContactRow {
    id: Uuid,
    workspace_id: Uuid,
    name: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct HandleRow {
    id: Uuid,
    contact_id: Uuid,
    network: String,
    handle: String,
    external_id: Option<String>,
}

#[derive(sqlx::FromRow)]
struct NoteRow {
    id: Uuid,
    author_id: Option<Uuid>,
    author_name: Option<String>,
    body: String,
    created_at: DateTime<Utc>,
}

const CONTACT_COLUMNS: &str = "id, workspace_id, name, created_at, updated_at";

/// `$first, $first+1, ...`: one placeholder per value.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// `%text%` for LIKE with `\` escaping, lowercase.
fn like(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Inserts handles on a transaction; a handle another contact holds is a `Conflict("handle")`.
macro_rules! insert_handles {
    ($conn:expr, $workspace:expr, $contact:expr, $handles:expr, $now:expr) => {{
        for h in $handles {
            let h: &NewHandle = h;
            sqlx::query(
                "INSERT INTO contact_handles (id, workspace_id, contact_id, network, handle, external_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(h.id)
            .bind($workspace.as_uuid())
            .bind($contact)
            .bind(&h.network)
            .bind(&h.handle)
            .bind(&h.external_id)
            .bind($now)
            .execute(&mut *$conn)
            .await
            .map_err(StoreError::unique("handle"))?;
        }
    }};
}

/// Adds tags after the contact's last one, skipping those it has.
macro_rules! insert_tags {
    ($conn:expr, $workspace:expr, $contact:expr, $tags:expr) => {{
        for tag in $tags {
            let tag: &String = tag;
            sqlx::query(
                "INSERT INTO contact_tags (workspace_id, contact_id, tag, position) \
                 SELECT $1, $2, $3, COALESCE((SELECT MAX(position) FROM contact_tags WHERE contact_id = $2), 0) + 1 \
                 WHERE NOT EXISTS (SELECT 1 FROM contact_tags WHERE contact_id = $2 AND tag = $3)",
            )
            .bind($workspace.as_uuid())
            .bind($contact)
            .bind(tag)
            .execute(&mut *$conn)
            .await?;
        }
    }};
}

impl Store {
    /// Creates a contact with its handles and tags, all or nothing: a handle
    /// that is already someone's is a `Conflict("handle")` and nothing is written.
    pub async fn create_contact(&self, workspace: WorkspaceId, new: &NewContact, now: DateTime<Utc>) -> Result<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO contacts (id, workspace_id, name, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(new.id)
            .bind(workspace.as_uuid())
            .bind(&new.name)
            .bind(new.created_by.map(|u| u.as_uuid()))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            insert_handles!(tx, workspace, new.id, &new.handles, now);
            insert_tags!(tx, workspace, new.id, &new.tags);
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })
    }

    pub async fn contact(&self, workspace: WorkspaceId, id: Uuid) -> Result<Contact> {
        let row: Option<ContactRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CONTACT_COLUMNS} FROM contacts WHERE workspace_id = $1 AND id = $2"
            )))
            .bind(workspace.as_uuid())
            .bind(id)
            .fetch_optional(pool)
            .await
        })?;
        let mut found = self.filled(vec![row.ok_or(StoreError::NotFound)?]).await?;
        Ok(found.remove(0))
    }

    /// The contacts that hold any of these `(network, handle)` pairs.
    pub async fn contacts_of_authors(&self, workspace: WorkspaceId, authors: &[(&str, &str)]) -> Result<Vec<Contact>> {
        if authors.is_empty() {
            return Ok(Vec::new());
        }
        let mut handles: Vec<&str> = authors.iter().map(|(_, h)| *h).collect();
        handles.sort_unstable();
        handles.dedup();
        let sql = format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE workspace_id = $1 AND id IN \
             (SELECT contact_id FROM contact_handles WHERE workspace_id = $1 AND handle IN ({}))",
            placeholders(2, handles.len())
        );
        let rows: Vec<ContactRow> = on_pool!(self, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(workspace.as_uuid());
            for h in &handles {
                query = query.bind(*h);
            }
            query.fetch_all(pool).await
        })?;
        let contacts = self.filled(rows).await?;
        Ok(contacts.into_iter().filter(|c| authors.iter().any(|(n, h)| c.owns(n, h))).collect())
    }

    /// The workspace's contacts by name.
    pub async fn contacts(&self, workspace: WorkspaceId, filter: &ContactFilter, limit: i64) -> Result<Vec<Contact>> {
        let mut conditions = String::new();
        let mut values: Vec<String> = Vec::new();
        if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            values.push(like(search));
            let n = values.len() + 1;
            conditions.push_str(&format!(
                " AND (lower(name) LIKE ${n} ESCAPE '\\' OR id IN (SELECT contact_id FROM contact_handles \
                 WHERE workspace_id = $1 AND handle LIKE ${n} ESCAPE '\\'))"
            ));
        }
        if let Some(tag) = &filter.tag {
            values.push(tag.clone());
            let n = values.len() + 1;
            conditions.push_str(&format!(
                " AND id IN (SELECT contact_id FROM contact_tags WHERE workspace_id = $1 AND tag = ${n})"
            ));
        }
        let sql = format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE workspace_id = $1{conditions} \
             ORDER BY lower(name), id LIMIT ${}",
            values.len() + 2
        );
        let rows: Vec<ContactRow> = on_pool!(self, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(workspace.as_uuid());
            for v in &values {
                query = query.bind(v.as_str());
            }
            query.bind(limit).fetch_all(pool).await
        })?;
        self.filled(rows).await
    }

    /// Handles and tags for contact rows, in their order.
    async fn filled(&self, rows: Vec<ContactRow>) -> Result<Vec<Contact>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let list = placeholders(1, ids.len());
        let handle_sql = format!(
            "SELECT id, contact_id, network, handle, external_id FROM contact_handles \
             WHERE contact_id IN ({list}) ORDER BY created_at, id"
        );
        let tag_sql =
            format!("SELECT contact_id, tag FROM contact_tags WHERE contact_id IN ({list}) ORDER BY position, tag");
        let (handles, tags): (Vec<HandleRow>, Vec<(Uuid, String)>) = on_pool!(self, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(handle_sql.as_str()));
            for id in &ids {
                query = query.bind(*id);
            }
            let handles = query.fetch_all(pool).await?;
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(tag_sql.as_str()));
            for id in &ids {
                query = query.bind(*id);
            }
            Ok::<_, sqlx::Error>((handles, query.fetch_all(pool).await?))
        })?;
        let mut contacts: Vec<Contact> = rows
            .into_iter()
            .map(|r| Contact {
                id: r.id,
                workspace_id: WorkspaceId::from_uuid(r.workspace_id),
                name: r.name,
                handles: Vec::new(),
                tags: Vec::new(),
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
            .collect();
        let index: HashMap<Uuid, usize> = contacts.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        for h in handles {
            if let Some(&i) = index.get(&h.contact_id) {
                contacts[i].handles.push(ContactHandle {
                    id: h.id,
                    network: h.network,
                    handle: h.handle,
                    external_id: h.external_id,
                });
            }
        }
        for (contact, tag) in tags {
            if let Some(&i) = index.get(&contact) {
                contacts[i].tags.push(tag);
            }
        }
        Ok(contacts)
    }

    /// How many items each of these handles wrote, and when last.
    pub async fn contact_activity(
        &self,
        workspace: WorkspaceId,
        handles: &[&ContactHandle],
    ) -> Result<HashMap<(String, String), Activity>> {
        if handles.is_empty() {
            return Ok(HashMap::new());
        }
        let mut names: Vec<&str> = handles.iter().map(|h| h.handle.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let sql = format!(
            "SELECT a.network, i.author_handle, COUNT(*), MAX(i.created_at) FROM inbox_items i \
             JOIN accounts a ON a.id = i.account_id \
             WHERE i.workspace_id = $1 AND i.author_handle IN ({}) GROUP BY a.network, i.author_handle",
            placeholders(2, names.len())
        );
        let rows: Vec<(String, String, i64, Option<DateTime<Utc>>)> = on_pool!(self, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(workspace.as_uuid());
            for h in &names {
                query = query.bind(*h);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|(network, handle, items, last_at)| ((network, handle), Activity { items, last_at }))
            .collect())
    }

    pub async fn rename_contact(&self, workspace: WorkspaceId, id: Uuid, name: &str, now: DateTime<Utc>) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE contacts SET name = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id)
                .bind(name)
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// Adds and removes tags of a contact in one transaction.
    pub async fn tag_contact(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        add: &[String],
        remove: &[String],
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query("UPDATE contacts SET updated_at = $3 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows();
            StoreError::found(done)?;
            for tag in remove {
                sqlx::query("DELETE FROM contact_tags WHERE contact_id = $1 AND tag = $2")
                    .bind(id)
                    .bind(tag)
                    .execute(&mut *tx)
                    .await?;
            }
            insert_tags!(tx, workspace, id, add);
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })
    }

    /// Links a handle to a contact. When another contact holds it, `merge`
    /// makes that contact part of this one (its handles, tags and notes move
    /// over, in one transaction); without `merge` it is a `Conflict("handle")`.
    pub async fn link_contact_handle(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        handle: &NewHandle,
        merge: bool,
        now: DateTime<Utc>,
    ) -> Result<Linked> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query("UPDATE contacts SET updated_at = $3 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows();
            StoreError::found(done)?;
            let holder: Option<(Uuid, String)> = sqlx::query_as(
                "SELECT c.id, c.name FROM contact_handles h JOIN contacts c ON c.id = h.contact_id \
                 WHERE h.workspace_id = $1 AND h.network = $2 AND h.handle = $3",
            )
            .bind(workspace.as_uuid())
            .bind(&handle.network)
            .bind(&handle.handle)
            .fetch_optional(&mut *tx)
            .await?;
            let linked = match holder {
                None => {
                    insert_handles!(tx, workspace, id, std::slice::from_ref(handle), now);
                    Linked::Added
                }
                Some((holder, _)) if holder == id => Linked::AlreadyTheirs,
                Some(_) if !merge => return Err(StoreError::Conflict("handle")),
                Some((from, name)) => {
                    for statement in [
                        "UPDATE contact_handles SET contact_id = $2 WHERE contact_id = $1",
                        "UPDATE contact_notes SET contact_id = $2 WHERE contact_id = $1",
                        "INSERT INTO contact_tags (workspace_id, contact_id, tag, position) \
                         SELECT workspace_id, $2, tag, position + \
                         COALESCE((SELECT MAX(position) FROM contact_tags WHERE contact_id = $2), 0) \
                         FROM contact_tags t WHERE contact_id = $1 \
                         AND NOT EXISTS (SELECT 1 FROM contact_tags WHERE contact_id = $2 AND tag = t.tag)",
                    ] {
                        sqlx::query(statement).bind(from).bind(id).execute(&mut *tx).await?;
                    }
                    sqlx::query("DELETE FROM contacts WHERE id = $1").bind(from).execute(&mut *tx).await?;
                    Linked::Merged { from, name }
                }
            };
            tx.commit().await?;
            Ok(linked)
        })
    }

    /// Unlinks one of a contact's handles.
    pub async fn unlink_contact_handle(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        handle: Uuid,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let done =
                sqlx::query("DELETE FROM contact_handles WHERE workspace_id = $1 AND contact_id = $2 AND id = $3")
                    .bind(workspace.as_uuid())
                    .bind(id)
                    .bind(handle)
                    .execute(&mut *tx)
                    .await?
                    .rows();
            StoreError::found(done)?;
            sqlx::query("UPDATE contacts SET updated_at = $2 WHERE id = $1")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })
    }

    /// Deletes a contact with its handles, tags and notes; its items stay in the inbox.
    pub async fn delete_contact(&self, workspace: WorkspaceId, id: Uuid) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM contacts WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// Adds a note to a contact of this workspace; `NotFound` for anyone else's.
    pub async fn add_contact_note(
        &self,
        workspace: WorkspaceId,
        contact: Uuid,
        id: Uuid,
        author: UserId,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO contact_notes (id, workspace_id, contact_id, author_id, body, created_at) \
                 SELECT $1, $2, $3, $4, $5, $6 FROM contacts WHERE id = $3 AND workspace_id = $2",
            )
            .bind(id)
            .bind(workspace.as_uuid())
            .bind(contact)
            .bind(author.as_uuid())
            .bind(body)
            .bind(at)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// A contact's notes, newest first.
    pub async fn contact_notes(&self, workspace: WorkspaceId, contact: Uuid) -> Result<Vec<ContactNote>> {
        let rows: Vec<NoteRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT n.id, n.author_id, u.name AS author_name, n.body, n.created_at \
                 FROM contact_notes n LEFT JOIN users u ON u.id = n.author_id \
                 WHERE n.workspace_id = $1 AND n.contact_id = $2 ORDER BY n.created_at DESC, n.id DESC",
            )
            .bind(workspace.as_uuid())
            .bind(contact)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| ContactNote {
                id: r.id,
                author_id: r.author_id.map(UserId::from_uuid),
                author_name: r.author_name,
                body: r.body,
                created_at: r.created_at,
            })
            .collect())
    }

    /// Tags on the workspace's contacts, with how many contacts carry each, most used first.
    pub async fn contact_tags(&self, workspace: WorkspaceId) -> Result<Vec<(String, i64)>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT tag, COUNT(*) AS n FROM contact_tags WHERE workspace_id = $1 \
                 GROUP BY tag ORDER BY n DESC, tag",
            )
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?)
    }
}
