use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use socialdesk_app::{AppError, NewPost, When};
use socialdesk_core::tags::PostTags;
use socialdesk_core::{AccountId, MediaId, PostId};
use uuid::Uuid;

use super::{
    ApiPath, CreatePostRequest, EditPostRequest, EvergreenBody, FilingBody, PostBody, VariantTextBody, WhenBody,
};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LinkPreviewQuery {
    /// The link (`http` or `https`).
    url: String,
}

/// What a linked page says of itself: the card Bluesky shows under a post
/// (socialdesk sends it), and that Mastodon makes itself.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct LinkPreviewBody {
    /// The link asked about.
    pub url: String,
    /// Where the page was found after redirects.
    pub page_url: String,
    /// `og:title`, else `twitter:title`, else `<title>` (at most 300 characters).
    pub title: String,
    /// `og:description`, else `twitter:description`, else `<meta name=description>` (at most 1000 characters).
    pub description: String,
    /// The picture the page names (absolute).
    pub image_url: Option<String>,
    /// `og:site_name`.
    pub site_name: Option<String>,
    /// The page's host name without `www.`.
    pub host: String,
}

/// The card of a link, read now from its page: through up to 5 redirects, in
/// the page's own charset, never from a private network address. A link that
/// is no web page, does not answer, or answers an error is a 422 on `url`.
#[utoipa::path(get, path = "/link-preview", tag = "posts", params(LinkPreviewQuery),
    responses((status = 200, body = LinkPreviewBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn link_preview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<LinkPreviewQuery>,
) -> ApiResult<Json<LinkPreviewBody>> {
    let p = state.app.link_preview(&actor, &query.url).await?;
    Ok(Json(LinkPreviewBody {
        url: p.url,
        page_url: p.page_url,
        title: p.title,
        description: p.description,
        image_url: p.image_url,
        site_name: p.site_name,
        host: p.host,
    }))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// How many posts (1 to 500, default 100; with `from` and `to`, up to 5000 a page).
    limit: Option<i64>,
    /// With `to`: only posts planned at or after this instant (RFC 3339), in time order.
    from: Option<chrono::DateTime<chrono::Utc>>,
    /// With `from`: only posts planned before this instant.
    to: Option<chrono::DateTime<chrono::Utc>>,
    /// With `after_id`, in a range: the next page, after the post planned at this
    /// instant with this id (the last of the page before). The `Link` header's
    /// `next` gives both.
    after_time: Option<chrono::DateTime<chrono::Utc>>,
    after_id: Option<Uuid>,
}

/// Range pages kept at most, each of at most [`KEPT_PAGE_BYTES`]: 32 MB in all.
pub(crate) const KEPT_PAGES: usize = 64;
/// A page larger than this (about 700 posts) is sent without being kept.
const KEPT_PAGE_BYTES: usize = 512 * 1024;

/// A page of a range, as sent: the JSON body and the query of the next page, if there may be one.
pub(crate) type RangePage = (axum::body::Bytes, Option<String>);

/// A range page's key: the workspace, from, to, after and limit.
pub(crate) type RangeKey = (
    socialdesk_core::WorkspaceId,
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::Utc>,
    Option<(chrono::DateTime<chrono::Utc>, PostId)>,
    i64,
);

/// The workspace's posts: latest plan first, or those planned between `from`
/// and `to` in time order (what a calendar shows), a page at a time: while
/// there may be more, the `Link` header names the next page (`rel="next"`).
/// A range's pages of up to about 700 posts are kept in memory until a post
/// changes (or for two seconds, for changes made by another process).
#[utoipa::path(get, path = "/posts", tag = "posts", params(ListQuery),
    responses((status = 200, body = Vec<PostBody>,
               headers(("Link" = String, description = "`<…>; rel=\"next\"`: the next page of a range"))),
              (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_posts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<ListQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let limit = query.limit.unwrap_or(100);
    let after = match (query.after_time, query.after_id) {
        (Some(at), Some(id)) => Some((at, PostId::from_uuid(id))),
        (None, None) => None,
        (Some(_), None) => return Err(AppError::field("after_id", "give after_id with after_time").into()),
        (None, Some(_)) => return Err(AppError::field("after_time", "give after_time with after_id").into()),
    };
    let (from, to) = match (query.from, query.to) {
        (None, None) if after.is_some() => {
            return Err(AppError::field("after_time", "pages are for ranges: give from and to").into());
        }
        (None, None) if !(1..=500).contains(&limit) => return Err(AppError::field("limit", "between 1 and 500").into()),
        (None, None) => {
            let posts = state.app.posts(&actor, limit).await?;
            return Ok(Json(post_bodies(&state, &actor, &posts).await?).into_response());
        }
        (Some(from), Some(to)) if from < to && (1..=5000).contains(&limit) => (from, to),
        (Some(_), Some(_)) if !(1..=5000).contains(&limit) => {
            return Err(AppError::field("limit", "between 1 and 5000").into());
        }
        (Some(_), Some(_)) => return Err(AppError::field("to", "must be after from").into()),
        (None, Some(_)) => return Err(AppError::field("from", "give from with to").into()),
        (Some(_), None) => return Err(AppError::field("to", "give to with from").into()),
    };
    actor.require(socialdesk_core::Permission::ViewAllContent)?;
    let key = (actor.workspace.id, from, to, after, limit);
    // Taken before reading: a post written meanwhile makes the next request read again.
    let generation = state.app.store.posts_generation();
    let (body, next) = match state.ranges.get(&key, generation) {
        Some(page) => page,
        None => {
            // One more than asked says whether there is a next page.
            let mut posts = state.app.posts_between(&actor, from, to, after, limit + 1).await?;
            let more = posts.len() as i64 > limit;
            posts.truncate(limit as usize);
            let next = posts.last().filter(|_| more).map(|(last, _)| {
                let instant = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
                format!(
                    "from={}&to={}&limit={limit}&after_time={}&after_id={}",
                    instant(from),
                    instant(to),
                    instant(last.scheduled_at.unwrap_or(from)),
                    last.id
                )
            });
            let body = serde_json::to_vec(&post_bodies(&state, &actor, &posts).await?)
                .map_err(|e| AppError::internal(e.to_string()))?;
            let page = (axum::body::Bytes::from(body), next);
            if page.0.len() <= KEPT_PAGE_BYTES {
                state.ranges.put(key, generation, page.clone());
            }
            page
        }
    };
    let mut response = ([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Some(next) = next
        && let Ok(link) = axum::http::HeaderValue::from_str(&format!("</api/v1/posts?{next}>; rel=\"next\""))
    {
        response.headers_mut().insert(axum::http::header::LINK, link);
    }
    Ok(response)
}

/// The posts as the API shows them: with their tags and media.
async fn post_bodies(
    state: &AppState,
    actor: &socialdesk_app::Actor,
    posts: &[(socialdesk_store::Post, Vec<socialdesk_store::Variant>)],
) -> Result<Vec<PostBody>, AppError> {
    let ids: Vec<_> = posts.iter().map(|(p, _)| p.id).collect();
    let tags = state.app.post_tags(actor, &ids).await?;
    let media = state.app.posts_media(actor, &ids).await?;
    let own = state.app.variants_media(actor, &ids).await?;
    Ok(posts
        .iter()
        .map(|(p, v)| PostBody::new(p, v).tagged(tags.get(&p.id)).with_media(media.get(&p.id), &own))
        .collect())
}

/// Writes a post to one or more accounts: as a draft, to publish now, at
/// a time, or in the next free slot of its accounts' queues. Its text is checked against each account's network first.
#[utoipa::path(post, path = "/posts", tag = "posts", request_body = CreatePostRequest,
    responses((status = 201, body = PostBody),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_post(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<CreatePostRequest>,
) -> ApiResult<(StatusCode, Json<PostBody>)> {
    let when = match body.when {
        WhenBody::Draft => When::Draft,
        WhenBody::Now => When::Now,
        WhenBody::Scheduled => When::At { date: body.date.unwrap_or_default(), time: body.time.unwrap_or_default() },
        WhenBody::Queue => When::Queue,
    };
    let evergreen = body.evergreen.as_ref().map(EvergreenBody::rule).transpose()?;
    let tags = PostTags::parse(
        body.campaign.as_deref().unwrap_or_default(),
        body.pillar.as_deref().unwrap_or_default(),
        &body.labels.iter().map(|l| l.replace(',', " ")).collect::<Vec<_>>().join(","),
    )
    .map_err(|e| AppError::field(e.field, e.message))?;
    let input = NewPost {
        text: body.text,
        accounts: body.account_ids.into_iter().map(AccountId::from_uuid).collect(),
        when,
        tags,
        evergreen,
        sponsored: body.sponsored,
        without_link_card: body.link_card == Some(false),
        thread: body.thread,
        first_comment: body.first_comment,
        variants: body.variants.into_iter().map(VariantTextBody::into_app).collect(),
        media: media_ids(body.media),
    };
    let (post, variants) = state.app.create_post(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(post_body(&state, &actor, &post, &variants).await?)))
}

/// One post with its deliveries.
#[utoipa::path(get, path = "/posts/{post_id}", tag = "posts", params(("post_id" = Uuid, Path)),
    responses((status = 200, body = PostBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_post(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PostBody>> {
    let (post, variants) = state.app.post(&actor, PostId::from_uuid(id)).await?;
    Ok(Json(post_body(&state, &actor, &post, &variants).await?))
}

/// Cancels a post that has not gone out.
#[utoipa::path(post, path = "/posts/{post_id}/cancel", tag = "posts", params(("post_id" = Uuid, Path)),
    responses((status = 200, body = PostBody),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn cancel_post(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PostBody>> {
    state.app.cancel_post(&actor, PostId::from_uuid(id)).await?;
    let (post, variants) = state.app.post(&actor, PostId::from_uuid(id)).await?;
    Ok(Json(post_body(&state, &actor, &post, &variants).await?))
}

/// Changes what a post says, as a new revision, until it starts publishing.
/// An edit after approval sends it back to review where a review is needed.
#[utoipa::path(patch, path = "/posts/{post_id}", tag = "posts", params(("post_id" = Uuid, Path)),
    request_body = EditPostRequest,
    responses((status = 200, body = PostBody),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn edit_post(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<EditPostRequest>,
) -> ApiResult<Json<PostBody>> {
    let change = socialdesk_app::PostChange {
        text: body.text,
        thread: body.thread,
        first_comment: body.first_comment,
        sponsored: body.sponsored,
        link_card: body.link_card,
        variants: body.variants.into_iter().map(VariantTextBody::into_app).collect(),
        media: body.media.map(media_ids),
        tags: body.filing.as_ref().map(FilingBody::tags).transpose()?,
        accounts: body.account_ids.map(|ids| ids.into_iter().map(AccountId::from_uuid).collect()),
    };
    let (post, variants) = state.app.edit_post(&actor, PostId::from_uuid(id), change).await?;
    Ok(Json(post_body(&state, &actor, &post, &variants).await?))
}

/// A post as the API shows it: with how it is filed and its media.
pub(crate) async fn post_body(
    state: &AppState,
    actor: &socialdesk_app::Actor,
    post: &socialdesk_store::Post,
    variants: &[socialdesk_store::Variant],
) -> ApiResult<PostBody> {
    let tags = state.app.post_tags(actor, &[post.id]).await?;
    let media = state.app.posts_media(actor, &[post.id]).await?;
    let own = state.app.variants_media(actor, &[post.id]).await?;
    Ok(PostBody::new(post, variants).tagged(tags.get(&post.id)).with_media(media.get(&post.id), &own))
}

/// Media ids of each part, as the service takes them.
fn media_ids(parts: Vec<Vec<Uuid>>) -> Vec<Vec<MediaId>> {
    parts.into_iter().map(|part| part.into_iter().map(MediaId::from_uuid).collect()).collect()
}
