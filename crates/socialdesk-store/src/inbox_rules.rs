//! Moderation rules, item tags and priorities, and the log of what rules did.

use chrono::{DateTime, Utc};
use socialdesk_core::moderation::{Action, EffectState, Priority, Rule, RuleSpec};
use socialdesk_core::{InboxItem, UserId, WorkspaceId};
use uuid::Uuid;

use crate::pool::{BeginWrite, RowsAffected, on_pool};
use crate::{NewJob, Result, Store, StoreError};

/// An item as it arrives, with what the rules did to it: effects to log and
/// jobs that carry the network's part out. Stored only if the item is new.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// With the rules' assignee, priority, tags, kind and status already set.
    pub item: InboxItem,
    pub effects: Vec<NewEffect>,
    pub jobs: Vec<NewJob>,
    /// Who should hear of it (an assignment by a rule, a negative VIP).
    pub notifications: Vec<crate::NewNotification>,
}

impl From<InboxItem> for Arrival {
    fn from(item: InboxItem) -> Arrival {
        Arrival { item, effects: Vec::new(), jobs: Vec::new(), notifications: Vec::new() }
    }
}

/// One action a rule took on an arriving item.
#[derive(Debug, Clone)]
pub struct NewEffect {
    pub id: Uuid,
    pub rule_id: Option<Uuid>,
    pub rule_name: String,
    /// As applied: a role assignment names the member it chose.
    pub action: Action,
    /// What it replaced, to undo it: `{"assignee": ...}`, `{"priority": ...}`,
    /// `{"category": ..., "status": ...}`.
    pub previous: Option<serde_json::Value>,
    pub state: EffectState,
    pub detail: Option<String>,
}

/// An action a rule took, as logged.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleEffect {
    pub id: Uuid,
    pub item_id: Uuid,
    pub rule_id: Option<Uuid>,
    pub rule_name: String,
    pub action: Action,
    pub previous: Option<serde_json::Value>,
    pub state: EffectState,
    pub detail: Option<String>,
    /// The network's id of what it made (an automatic reply).
    pub remote_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
    pub undone_by: Option<UserId>,
    /// The item's author and the start of its text, for the log.
    pub item_author: String,
    pub item_text: String,
}

/// How an undo went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undo {
    Done,
    /// It was undone already, failed or skipped: nothing to take back.
    NothingToUndo,
    /// Someone changed the value since; theirs is kept.
    ChangedSince,
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: Uuid,
    position: i64,
    name: String,
    enabled: bool,
    stop: bool,
    conditions: String,
    actions: String,
}

impl RuleRow {
    fn into_rule(self) -> Result<Rule> {
        let bad = |e: serde_json::Error| StoreError::corrupt("inbox_rules", e);
        Ok(Rule {
            id: self.id,
            position: self.position,
            spec: RuleSpec {
                name: self.name,
                enabled: self.enabled,
                stop: self.stop,
                conditions: serde_json::from_str(&self.conditions).map_err(bad)?,
                actions: serde_json::from_str(&self.actions).map_err(bad)?,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
struct EffectRow {
    id: Uuid,
    item_id: Uuid,
    rule_id: Option<Uuid>,
    rule_name: String,
    action: String,
    previous: Option<String>,
    state: String,
    detail: Option<String>,
    remote_id: Option<String>,
    created_at: DateTime<Utc>,
    undone_at: Option<DateTime<Utc>>,
    undone_by: Option<Uuid>,
    item_author: String,
    item_text: String,
}

impl EffectRow {
    fn into_effect(self) -> Result<RuleEffect> {
        let bad = |e: String| StoreError::corrupt("inbox_rule_effects", e);
        Ok(RuleEffect {
            id: self.id,
            item_id: self.item_id,
            rule_id: self.rule_id,
            rule_name: self.rule_name,
            action: serde_json::from_str(&self.action).map_err(|e| bad(e.to_string()))?,
            previous: self.previous.as_deref().map(serde_json::from_str).transpose().map_err(|e| bad(e.to_string()))?,
            state: self.state.parse().map_err(bad)?,
            detail: self.detail,
            remote_id: self.remote_id,
            created_at: self.created_at,
            undone_at: self.undone_at,
            undone_by: self.undone_by.map(UserId::from_uuid),
            item_author: self.item_author,
            item_text: self.item_text.chars().take(140).collect(),
        })
    }
}

const RULE_COLUMNS: &str = "id, position, name, enabled, stop, conditions, actions";
const EFFECT_SELECT: &str = "SELECT e.id, e.item_id, e.rule_id, e.rule_name, e.action, e.previous, e.state, e.detail, \
     e.remote_id, e.created_at, e.undone_at, e.undone_by, i.author_handle AS item_author, i.text AS item_text \
     FROM inbox_rule_effects e JOIN inbox_items i ON i.id = e.item_id";

/// Serialises rules and actions, which cannot fail (no maps with non-string keys).
macro_rules! json {
    ($value:expr) => {
        serde_json::to_string($value).expect("rules serialise")
    };
}

/// Inserts the tags, effects and jobs of an item just stored, in its transaction.
macro_rules! insert_arrival_parts {
    ($tx:expr, $workspace:expr, $arrival:expr, $now:expr) => {{
        let arrival: &Arrival = $arrival;
        for tag in &arrival.item.tags {
            sqlx::query("INSERT INTO inbox_item_tags (workspace_id, item_id, tag) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind($workspace.as_uuid())
                .bind(arrival.item.id)
                .bind(tag)
                .execute(&mut *$tx)
                .await?;
        }
        for e in &arrival.effects {
            sqlx::query(
                "INSERT INTO inbox_rule_effects (id, workspace_id, item_id, rule_id, rule_name, action, previous, state, \
                     detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(e.id)
            .bind($workspace.as_uuid())
            .bind(arrival.item.id)
            .bind(e.rule_id)
            .bind(&e.rule_name)
            .bind(serde_json::to_string(&e.action).expect("actions serialise"))
            .bind(e.previous.as_ref().map(|p| p.to_string()))
            .bind(e.state.as_str())
            .bind(&e.detail)
            .bind($now)
            .execute(&mut *$tx)
            .await?;
        }
        for job in &arrival.jobs {
            $crate::jobs::insert_job!(&mut *$tx, job);
        }
        $crate::notifications::insert_notifications!($tx, $workspace, &arrival.notifications, $now);
    }};
}
pub(crate) use insert_arrival_parts;

impl Store {
    /// Writes what rules did to items already in the inbox (run on them
    /// later, by request): the item's assignee, priority, kind and status,
    /// its tags, the log, the jobs and the notifications, one transaction
    /// for all. An item some rule already acted on is left alone, so a
    /// second run (or a run racing the sync) acts on nothing twice. Returns
    /// how many items changed.
    pub async fn apply_rule_arrivals(
        &self,
        workspace: WorkspaceId,
        arrivals: &[Arrival],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let _changed = arrivals.iter().any(|a| !a.notifications.is_empty()).then(|| self.access_change());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let mut changed = 0;
            for arrival in arrivals.iter().filter(|a| !a.effects.is_empty()) {
                let i = &arrival.item;
                let done = sqlx::query(
                    "UPDATE inbox_items SET assignee_id = $3, priority = $4, category = $5, status = $6 \
                     WHERE workspace_id = $1 AND id = $2 \
                       AND NOT EXISTS (SELECT 1 FROM inbox_rule_effects e WHERE e.item_id = $2)",
                )
                .bind(workspace.as_uuid())
                .bind(i.id)
                .bind(i.assignee_id.map(|u| u.as_uuid()))
                .bind(i.priority.rank())
                .bind(&i.category)
                .bind(i.status.as_str())
                .execute(&mut *tx)
                .await?
                .rows();
                if done > 0 {
                    insert_arrival_parts!(tx, workspace, arrival, now);
                    changed += 1;
                }
            }
            tx.commit().await?;
            Ok(changed)
        })
    }

    /// The workspace's rules in the order they run.
    pub async fn inbox_rules(&self, workspace: WorkspaceId) -> Result<Vec<Rule>> {
        let rows: Vec<RuleRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {RULE_COLUMNS} FROM inbox_rules WHERE workspace_id = $1 ORDER BY position, id"
            )))
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter().map(RuleRow::into_rule).collect()
    }

    pub async fn inbox_rule(&self, workspace: WorkspaceId, id: Uuid) -> Result<Rule> {
        let row: Option<RuleRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {RULE_COLUMNS} FROM inbox_rules WHERE workspace_id = $1 AND id = $2"
            )))
            .bind(workspace.as_uuid())
            .bind(id)
            .fetch_optional(pool)
            .await
        })?;
        row.ok_or(StoreError::NotFound)?.into_rule()
    }

    /// Adds a rule below the others. `Conflict("name")` when the name is taken.
    pub async fn create_inbox_rule(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        spec: &RuleSpec,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<Rule> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO inbox_rules (id, workspace_id, position, name, enabled, stop, conditions, actions, created_by, \
                     created_at, updated_at) \
                 VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM inbox_rules WHERE workspace_id = $2), \
                     $3, $4, $5, $6, $7, $8, $9, $9)",
            )
            .bind(id)
            .bind(workspace.as_uuid())
            .bind(&spec.name)
            .bind(spec.enabled)
            .bind(spec.stop)
            .bind(json!(&spec.conditions))
            .bind(json!(&spec.actions))
            .bind(by.as_uuid())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::unique("name"))?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })?;
        self.inbox_rule(workspace, id).await
    }

    /// Replaces a rule's name, switches, conditions and actions; it keeps its place.
    pub async fn update_inbox_rule(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        spec: &RuleSpec,
        now: DateTime<Utc>,
    ) -> Result<Rule> {
        let changed = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE inbox_rules SET name = $3, enabled = $4, stop = $5, conditions = $6, actions = $7, updated_at = $8 \
                 WHERE workspace_id = $1 AND id = $2",
            )
            .bind(workspace.as_uuid())
            .bind(id)
            .bind(&spec.name)
            .bind(spec.enabled)
            .bind(spec.stop)
            .bind(json!(&spec.conditions))
            .bind(json!(&spec.actions))
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows())
            .map_err(StoreError::unique("name"))
        })?;
        StoreError::found(changed)?;
        self.inbox_rule(workspace, id).await
    }

    /// Deletes a rule; its log stays, under the rule's name.
    pub async fn delete_inbox_rule(&self, workspace: WorkspaceId, id: Uuid) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM inbox_rules WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// Moves a rule one place up (earlier) or down, swapping it with its
    /// neighbour. Returns whether it moved (the first cannot go up).
    pub async fn move_inbox_rule(&self, workspace: WorkspaceId, id: Uuid, up: bool) -> Result<bool> {
        let (cmp, order) = if up { ("<", "DESC") } else { (">", "ASC") };
        let neighbour_sql = format!(
            "SELECT id, position FROM inbox_rules WHERE workspace_id = $1 AND position {cmp} $2 \
             ORDER BY position {order} LIMIT 1"
        );
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let mine: Option<i64> =
                sqlx::query_scalar("SELECT position FROM inbox_rules WHERE workspace_id = $1 AND id = $2")
                    .bind(workspace.as_uuid())
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let mine = mine.ok_or(StoreError::NotFound)?;
            let neighbour: Option<(Uuid, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(neighbour_sql.as_str()))
                .bind(workspace.as_uuid())
                .bind(mine)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((other, theirs)) = neighbour else { return Ok(false) };
            for (rule, position) in [(id, theirs), (other, mine)] {
                sqlx::query("UPDATE inbox_rules SET position = $3 WHERE workspace_id = $1 AND id = $2")
                    .bind(workspace.as_uuid())
                    .bind(rule)
                    .bind(position)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Whether rules may answer items on their own.
    pub async fn auto_replies(&self, workspace: WorkspaceId) -> Result<bool> {
        let on: Option<bool> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT auto_replies FROM workspaces WHERE id = $1")
                .bind(workspace.as_uuid())
                .fetch_optional(pool)
                .await
        })?;
        on.ok_or(StoreError::NotFound)
    }

    pub async fn set_auto_replies(&self, workspace: WorkspaceId, on: bool) -> Result<()> {
        let _changed = self.access_change();
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE workspaces SET auto_replies = $2 WHERE id = $1")
                .bind(workspace.as_uuid())
                .bind(on)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// What rules did, newest first: to one item, or in the whole workspace.
    pub async fn rule_effects(
        &self,
        workspace: WorkspaceId,
        item: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<RuleEffect>> {
        let rows: Vec<EffectRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{EFFECT_SELECT} WHERE e.workspace_id = $1 AND ($2 IS NULL OR e.item_id = $2) \
                 ORDER BY e.created_at DESC, e.id DESC LIMIT $3"
            )))
            .bind(workspace.as_uuid())
            .bind(item)
            .bind(limit)
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter().map(EffectRow::into_effect).collect()
    }

    /// What rules did to these items, oldest first (for a page of the inbox).
    pub async fn rule_effects_of(&self, workspace: WorkspaceId, items: &[Uuid]) -> Result<Vec<RuleEffect>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..items.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "{EFFECT_SELECT} WHERE e.workspace_id = $1 AND e.item_id IN ({}) ORDER BY e.created_at, e.id",
            placeholders.join(", ")
        );
        let rows: Vec<EffectRow> = on_pool!(self, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(workspace.as_uuid());
            for item in items {
                query = query.bind(*item);
            }
            query.fetch_all(pool).await
        })?;
        rows.into_iter().map(EffectRow::into_effect).collect()
    }

    pub async fn rule_effect(&self, workspace: WorkspaceId, id: Uuid) -> Result<RuleEffect> {
        let row: Option<EffectRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{EFFECT_SELECT} WHERE e.workspace_id = $1 AND e.id = $2")))
                .bind(workspace.as_uuid())
                .bind(id)
                .fetch_optional(pool)
                .await
        })?;
        row.ok_or(StoreError::NotFound)?.into_effect()
    }

    /// Records how a network action went, if it is still pending (not undone
    /// meanwhile). A hide that was applied marks the item hidden, in the same
    /// transaction. Returns whether the effect was still pending.
    pub async fn settle_rule_effect(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        state: EffectState,
        detail: Option<&str>,
        remote_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let settled = sqlx::query(
                "UPDATE inbox_rule_effects SET state = $3, detail = COALESCE($4, detail), remote_id = $5 \
                 WHERE workspace_id = $1 AND id = $2 AND state = 'pending'",
            )
            .bind(workspace.as_uuid())
            .bind(id)
            .bind(state.as_str())
            .bind(detail)
            .bind(remote_id)
            .execute(&mut *tx)
            .await?
            .rows();
            if settled > 0 && state == EffectState::Applied {
                sqlx::query(
                    "UPDATE inbox_items SET hidden_at = $3 WHERE workspace_id = $1 AND hidden_at IS NULL AND id = \
                     (SELECT item_id FROM inbox_rule_effects WHERE id = $2 AND action LIKE '{\"type\":\"hide\"%')",
                )
                .bind(workspace.as_uuid())
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok::<_, StoreError>(settled > 0)
        })
    }

    /// Takes back what a rule did to an item, in one transaction: an
    /// assignee, priority or spam verdict goes back to what it was unless
    /// someone changed it since; a tag is removed; a network action (done by
    /// the caller first) is marked undone, and a hide clears `hidden_at`.
    pub async fn undo_rule_effect(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<Undo> {
        let effect = self.rule_effect(workspace, id).await?;
        if !effect.state.can_undo() {
            return Ok(Undo::NothingToUndo);
        }
        let previous = effect.previous.clone().unwrap_or_default();
        let ws = workspace.as_uuid();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let marked = sqlx::query(
                "UPDATE inbox_rule_effects SET state = 'undone', undone_at = $3, undone_by = $4 \
                 WHERE workspace_id = $1 AND id = $2 AND state IN ('applied', 'pending')",
            )
            .bind(ws)
            .bind(id)
            .bind(now)
            .bind(by.as_uuid())
            .execute(&mut *tx)
            .await?
            .rows();
            if marked == 0 {
                return Ok(Undo::NothingToUndo);
            }
            let item = effect.item_id;
            let reverted = match &effect.action {
                Action::Assign { to } => {
                    let set = match to {
                        socialdesk_core::moderation::Assignee::User(u) => u.as_uuid(),
                        socialdesk_core::moderation::Assignee::Role(_) => Uuid::nil(),
                    };
                    let before: Option<Uuid> =
                        previous.get("assignee").and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
                    sqlx::query(
                        "UPDATE inbox_items SET assignee_id = $4 WHERE workspace_id = $1 AND id = $2 AND assignee_id = $3",
                    )
                    .bind(ws)
                    .bind(item)
                    .bind(set)
                    .bind(before)
                    .execute(&mut *tx)
                    .await?
                    .rows()
                }
                Action::SetPriority { priority } => {
                    let before = previous
                        .get("priority")
                        .and_then(|v| v.as_str())
                        .and_then(|s| s.parse::<Priority>().ok())
                        .unwrap_or_default();
                    sqlx::query(
                        "UPDATE inbox_items SET priority = $4 WHERE workspace_id = $1 AND id = $2 AND priority = $3",
                    )
                    .bind(ws)
                    .bind(item)
                    .bind(priority.rank())
                    .bind(before.rank())
                    .execute(&mut *tx)
                    .await?
                    .rows()
                }
                Action::MarkSpam => {
                    let category = previous.get("category").and_then(|v| v.as_str()).map(str::to_owned);
                    let status = previous.get("status").and_then(|v| v.as_str()).unwrap_or("open").to_owned();
                    sqlx::query(
                        "UPDATE inbox_items SET category = $3, status = $4 \
                         WHERE workspace_id = $1 AND id = $2 AND category = 'spam'",
                    )
                    .bind(ws)
                    .bind(item)
                    .bind(category)
                    .bind(status)
                    .execute(&mut *tx)
                    .await?
                    .rows()
                }
                Action::Tag { tag } => {
                    sqlx::query("DELETE FROM inbox_item_tags WHERE workspace_id = $1 AND item_id = $2 AND tag = $3")
                        .bind(ws)
                        .bind(item)
                        .bind(tag)
                        .execute(&mut *tx)
                        .await?;
                    1
                }
                Action::Hide => {
                    sqlx::query("UPDATE inbox_items SET hidden_at = NULL WHERE workspace_id = $1 AND id = $2")
                        .bind(ws)
                        .bind(item)
                        .execute(&mut *tx)
                        .await?;
                    1
                }
                Action::AutoReply { .. } => 1,
            };
            if reverted == 0 {
                // Someone changed it since: keep theirs, and the effect as it was.
                tx.rollback().await?;
                return Ok(Undo::ChangedSince);
            }
            tx.commit().await?;
            Ok::<_, StoreError>(Undo::Done)
        })
    }

    /// Adds a tag to an item (no-op when it has it). `NotFound` for another workspace's item.
    pub async fn tag_inbox_item(&self, workspace: WorkspaceId, item: Uuid, tag: &str) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO inbox_item_tags (workspace_id, item_id, tag) \
                 SELECT workspace_id, id, $3 FROM inbox_items WHERE workspace_id = $1 AND id = $2 \
                 ON CONFLICT DO NOTHING",
            )
            .bind(workspace.as_uuid())
            .bind(item)
            .bind(tag)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        // Tell "already tagged" from "no such item".
        self.inbox_item(workspace, item).await.map(|_| ())
    }

    pub async fn untag_inbox_item(&self, workspace: WorkspaceId, item: Uuid, tag: &str) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM inbox_item_tags WHERE workspace_id = $1 AND item_id = $2 AND tag = $3")
                .bind(workspace.as_uuid())
                .bind(item)
                .bind(tag)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        Ok(())
    }

    pub async fn set_inbox_priority(&self, workspace: WorkspaceId, item: Uuid, priority: Priority) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE inbox_items SET priority = $3 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(item)
                .bind(priority.rank())
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// The tags used in the workspace, with how many items carry each, most used first.
    pub async fn inbox_tags(&self, workspace: WorkspaceId) -> Result<Vec<(String, i64)>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT tag, COUNT(*) AS n FROM inbox_item_tags WHERE workspace_id = $1 GROUP BY tag ORDER BY n DESC, tag",
            )
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?)
    }

    /// Each member's open items, for assigning to the least busy member of a role.
    pub async fn open_items_by_assignee(&self, workspace: WorkspaceId) -> Result<Vec<(Uuid, i64)>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT assignee_id, COUNT(*) FROM inbox_items \
                 WHERE workspace_id = $1 AND status = 'open' AND assignee_id IS NOT NULL GROUP BY assignee_id",
            )
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?)
    }

    /// The tags of these items, `(item, tag)`, alphabetically.
    pub(crate) async fn tags_of(&self, items: &[Uuid]) -> Result<Vec<(Uuid, String)>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..items.len()).map(|i| format!("${}", i + 1)).collect();
        let sql = format!(
            "SELECT item_id, tag FROM inbox_item_tags WHERE item_id IN ({}) ORDER BY tag",
            placeholders.join(", ")
        );
        Ok(on_pool!(self, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for item in items {
                query = query.bind(*item);
            }
            query.fetch_all(pool).await
        })?)
    }
}
