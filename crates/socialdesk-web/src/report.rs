//! Reports outside the browser, for the CLI (`socialdesk report`): the same
//! figures as the analytics page and the API, as a JSON document or CSV.

use socialdesk_app::analytics::{Overview, PostPerformance};

use crate::api::analytics::OverviewBody;

/// The overview exactly as `GET /api/v1/analytics/overview` returns it.
pub fn overview_json(overview: &Overview) -> String {
    serde_json::to_string_pretty(&OverviewBody::from(overview)).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Every published post of the period with every count; unknown counts are empty cells.
pub fn posts_csv(posts: &[PostPerformance]) -> String {
    crate::ui::analytics::posts_csv(posts)
}
