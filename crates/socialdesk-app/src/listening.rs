//! Listening queries: saved, checked as they are typed, and previewed against
//! what the workspace's accounts have received.

use serde::Serialize;
use socialdesk_core::{InboxItem, Permission};
use socialdesk_listen::query::{Matcher, Post, Query};
use socialdesk_store::{InboxFilter, SavedQuery, StoreError};
use uuid::Uuid;

use crate::{Actor, App, AppError, FieldError, new_uuid};

/// What checking a query says: where it is wrong, or what it matches.
#[derive(Debug, Clone, Serialize)]
pub struct QueryCheck {
    /// The canonical form, when it parses.
    pub canonical: Option<String>,
    /// The error, with the offset (in characters, from 0) of the offending character.
    pub error: Option<(usize, String)>,
    /// Of the last items received, how many match, and a few of them.
    pub previewed: usize,
    pub matched: usize,
    pub samples: Vec<InboxItem>,
}

/// How many recent items a preview looks at.
const PREVIEW_ITEMS: i64 = 1000;

fn as_post<'a>(item: &'a InboxItem, no_urls: &'a [&'a str]) -> Post<'a> {
    Post {
        text: &item.text,
        lang: item.language.as_deref(),
        author: Some(&item.author_handle),
        network: None,
        urls: no_urls,
    }
}

impl App {
    /// Parses `text` and previews it against the workspace's recent inbox items.
    pub async fn check_query(&self, actor: &Actor, text: &str) -> Result<QueryCheck, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let query = match Query::parse(text) {
            Ok(q) => q,
            Err(e) => {
                return Ok(QueryCheck {
                    canonical: None,
                    error: Some((e.position, e.message)),
                    previewed: 0,
                    matched: 0,
                    samples: Vec::new(),
                });
            }
        };
        let recent = self.store.inbox(actor.workspace.id, &InboxFilter::default(), PREVIEW_ITEMS).await?;
        let matcher = Matcher::new(&[((), query.clone())]);
        let no_urls: [&str; 0] = [];
        let hits: Vec<&InboxItem> =
            recent.iter().filter(|i| !matcher.matches(&as_post(i, &no_urls)).is_empty()).collect();
        Ok(QueryCheck {
            canonical: Some(query.to_string()),
            error: None,
            previewed: recent.len(),
            matched: hits.len(),
            samples: hits.into_iter().take(5).cloned().collect(),
        })
    }

    /// Saves a query; one that does not parse is never saved.
    pub async fn create_query(&self, actor: &Actor, name: &str, text: &str) -> Result<SavedQuery, AppError> {
        actor.require(Permission::Publish)?;
        let mut errors = Vec::new();
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().count() > 80 {
            errors.push(FieldError::new("name", "name it (1 to 80 characters), such as \"Brand\" or \"Competitor X\""));
        }
        if let Err(e) = Query::parse(text) {
            errors.push(FieldError::new("query", e.to_string()));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let id = new_uuid();
        self.store
            .create_listening_query(actor.workspace.id, id, &name, text.trim(), actor.user.id, self.now())
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => {
                    AppError::Conflict { field: "name", message: "a query with this name exists".into() }
                }
                other => other.into(),
            })?;
        self.audit(actor, "listening.query_created", &name, serde_json::json!({"query": text.trim()})).await;
        self.store
            .listening_queries(actor.workspace.id)
            .await?
            .into_iter()
            .find(|q| q.id == id)
            .ok_or(AppError::NotFound)
    }

    pub async fn queries(&self, actor: &Actor) -> Result<Vec<SavedQuery>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.listening_queries(actor.workspace.id).await?)
    }

    pub async fn delete_query(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        actor.require(Permission::Publish)?;
        self.store.delete_listening_query(actor.workspace.id, id).await?;
        Ok(())
    }
}
