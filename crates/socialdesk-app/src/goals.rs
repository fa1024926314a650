//! Goals of a workspace with their progress and forecast, computed from the
//! analytics of each goal's period whenever they are read.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use socialdesk_core::Permission;
use socialdesk_core::analytics::Period;
use socialdesk_core::goals::{GoalMetric, Progress, progress};
use socialdesk_store::StoredGoal;
use uuid::Uuid;

use crate::analytics::Overview;
use crate::{Actor, App, AppError, new_uuid};

/// A goal as a person enters it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewGoal {
    /// `follower_growth`, `posts`, `engagements`, `impressions`, `engagement_rate` or `response_rate`.
    pub metric: String,
    /// "2000", "+2,000", "95%", "0.03".
    pub target: String,
    /// A period: `2026-Q4`, `2026-11`, `this-quarter`, ...
    pub period: String,
}

/// A goal with where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct Goal {
    pub id: Uuid,
    pub metric: GoalMetric,
    /// Counts as counts; rates as fractions.
    pub target: f64,
    pub period: Period,
    pub progress: Progress,
    pub created_at: DateTime<Utc>,
}

impl App {
    /// Sets a goal. Only those who manage the workspace's settings set goals.
    pub async fn create_goal(&self, actor: &Actor, input: NewGoal) -> Result<Goal, AppError> {
        actor.require(Permission::ManageSettings)?;
        let known = || GoalMetric::ALL.map(|m| m.as_str()).join(", ");
        let metric = GoalMetric::parse(&input.metric).ok_or_else(|| {
            AppError::field("metric", format!("unknown metric {:?}; use one of {}", input.metric, known()))
        })?;
        let target = metric.parse_target(&input.target).map_err(|e| AppError::field("target", e))?;
        // A relative period ("this-quarter") is fixed to the period it means today.
        let period = self.period(actor, Some(&input.period))?;
        let stored = StoredGoal {
            id: new_uuid(),
            metric: metric.as_str().to_owned(),
            target,
            period: period.spec(),
            created_by: Some(actor.user.id.as_uuid()),
            created_at: self.now(),
        };
        self.store.create_goal(actor.workspace.id, &stored).await?;
        self.audit(
            actor,
            "goal.created",
            &format!("{} {} in {}", metric.label(), input.target.trim(), period.label()),
            serde_json::json!({"id": stored.id}),
        )
        .await;
        let overview = self.analytics_overview(actor, &period).await?;
        Ok(self.goal_of(&stored, metric, period, &overview))
    }

    /// The workspace's goals with their progress, oldest first.
    pub async fn goals(&self, actor: &Actor) -> Result<Vec<Goal>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let stored = self.store.goals(actor.workspace.id).await?;
        let mut overviews: HashMap<String, Overview> = HashMap::new();
        let mut goals = Vec::with_capacity(stored.len());
        for g in &stored {
            let (Some(metric), Ok(period)) = (GoalMetric::parse(&g.metric), self.period(actor, Some(&g.period))) else {
                tracing::warn!(goal = %g.id, "a stored goal no longer parses; skipped");
                continue;
            };
            if !overviews.contains_key(&g.period) {
                overviews.insert(g.period.clone(), self.analytics_overview(actor, &period).await?);
            }
            let overview = &overviews[&g.period];
            goals.push(self.goal_of(g, metric, period, overview));
        }
        Ok(goals)
    }

    pub async fn delete_goal(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        actor.require(Permission::ManageSettings)?;
        self.store.delete_goal(actor.workspace.id, id).await?;
        self.audit(actor, "goal.deleted", &id.to_string(), serde_json::json!({"id": id})).await;
        Ok(())
    }

    fn goal_of(&self, stored: &StoredGoal, metric: GoalMetric, period: Period, overview: &Overview) -> Goal {
        let now = self.now();
        let days = period.days() as f64;
        let elapsed = ((now - period.start).num_seconds() as f64 / 86_400.0).clamp(0.0, days);
        let f = &overview.current;
        let n = |v: Option<u64>| v.map(|v| v as f64);
        let current = match metric {
            GoalMetric::FollowerGrowth => f.follower_growth.map(|g| g as f64),
            GoalMetric::Posts => Some(f.posts as f64),
            GoalMetric::Engagements => n(f.engagements),
            GoalMetric::Impressions => n(f.impressions),
            GoalMetric::EngagementRate => f.engagement_rate_by_impressions,
            GoalMetric::ResponseRate => f.response_rate,
        };
        // Running totals at the end of each day that has fully passed.
        let passed =
            overview.followers_by_day.iter().filter(|(day, _)| *day + chrono::Duration::days(1) <= now).count();
        let running = |daily: &mut dyn Iterator<Item = f64>| -> Vec<(f64, f64)> {
            let mut total = 0.0;
            daily
                .take(passed)
                .enumerate()
                .map(|(i, v)| {
                    total += v;
                    (i as f64, total)
                })
                .collect()
        };
        let cumulative: Vec<(f64, f64)> = match metric {
            GoalMetric::FollowerGrowth => match f.followers_start {
                Some(start) => overview
                    .followers_by_day
                    .iter()
                    .take(passed)
                    .enumerate()
                    .filter_map(|(i, (_, v))| v.map(|v| (i as f64, v as f64 - start as f64)))
                    .collect(),
                None => Vec::new(),
            },
            GoalMetric::Posts => running(&mut overview.posts_by_day.iter().map(|p| *p as f64)),
            GoalMetric::Engagements => {
                running(&mut overview.engagements_by_day.iter().map(|(_, v)| v.unwrap_or(0) as f64))
            }
            GoalMetric::Impressions => running(&mut overview.impressions_by_day.iter().map(|v| v.unwrap_or(0) as f64)),
            GoalMetric::EngagementRate | GoalMetric::ResponseRate => Vec::new(),
        };
        Goal {
            id: stored.id,
            metric,
            target: stored.target,
            period,
            progress: progress(metric, stored.target, current, &cumulative, days, elapsed),
            created_at: stored.created_at,
        }
    }
}
