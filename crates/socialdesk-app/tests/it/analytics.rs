//! Analytics end to end: posts published through the worker are measured on
//! schedule through a network, accounts are counted at checks, and the
//! period's figures come out as docs/metrics.md defines them (expected
//! values computed by hand in the comments).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{Duration, TimeZone, Utc};
use socialdesk_app::{App, analytics::next_poll};
use socialdesk_app::{ConnectAccount, ManualClock, NewPost, SecretBox, Settings, SignUp, When, Worker, WorkerOptions};
use socialdesk_core::analytics::Metric;
use socialdesk_core::goals::GoalStatus;
use socialdesk_core::tags::PostTags;
use socialdesk_networks::{
    Capabilities, ConnectMethod, ConnectRequest, Connected, Credentials, IdempotencyKey, Network, NetworkError,
    OutgoingPost, PostMetrics, Profile, Published, Registry, RemotePost,
};
use socialdesk_store::testing::TestDb;

/// A network whose counts the test sets: the post whose text contains "no
/// impressions" is measured without impressions, as Bluesky would.
#[derive(Default)]
struct Fixed {
    followers: Mutex<u64>,
    likes: Mutex<u64>,
    texts: Mutex<HashMap<String, String>>,
    metrics_calls: Mutex<u32>,
}

impl Fixed {
    fn profile(&self) -> Profile {
        Profile {
            external_id: "fixed:1".into(),
            handle: "@brand.fixed".into(),
            display_name: "Brand".into(),
            url: None,
            avatar_url: None,
            followers: Some(*self.followers.lock().unwrap()),
            following: Some(10),
            posts: None,
        }
    }
}

#[async_trait::async_trait]
impl Network for Fixed {
    fn name(&self) -> &'static str {
        "fixed"
    }
    fn label(&self) -> &'static str {
        "Fixed"
    }
    fn connect_method(&self) -> ConnectMethod {
        ConnectMethod::Instant
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            publish: true,
            metrics: true,
            followers: true,
            max_images: 4,
            max_image_bytes: 1_000_000,
            ..Capabilities::default()
        }
    }
    async fn connect(&self, _: &ConnectRequest) -> Result<Connected, NetworkError> {
        Ok(Connected { profile: self.profile(), credentials: Credentials(serde_json::json!({})), expires_at: None })
    }
    async fn profile(&self, _: &Credentials) -> Result<Profile, NetworkError> {
        Ok(self.profile())
    }
    async fn publish(
        &self,
        _: &Credentials,
        post: &OutgoingPost,
        key: &IdempotencyKey,
    ) -> Result<Published, NetworkError> {
        let id = format!("fixed-{}", key.as_str());
        self.texts.lock().unwrap().insert(id.clone(), post.parts[0].text.clone());
        Ok(Published { parts: vec![RemotePost { id, cid: None, url: None }], first_comment: None })
    }
    async fn find_published(&self, _: &Credentials, _: &IdempotencyKey) -> Result<Option<Published>, NetworkError> {
        Ok(None)
    }
    async fn metrics(&self, _: &Credentials, posts: &[RemotePost]) -> Result<Vec<PostMetrics>, NetworkError> {
        *self.metrics_calls.lock().unwrap() += 1;
        let likes = *self.likes.lock().unwrap();
        let texts = self.texts.lock().unwrap();
        Ok(posts
            .iter()
            .map(|p| PostMetrics {
                post_id: p.id.clone(),
                impressions: (!texts[&p.id].contains("no impressions")).then_some(1000),
                likes: Some(likes),
                reposts: Some(5),
                replies: Some(3),
                quotes: Some(0),
                clicks: Some(12),
                ..PostMetrics::default()
            })
            .collect())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_are_measured_on_schedule_and_the_figures_follow_the_formulas() {
    for db in TestDb::each().await {
        let start = Utc.with_ymd_and_hms(2026, 10, 1, 8, 0, 0).unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let network = Arc::new(Fixed::default());
        *network.followers.lock().unwrap() = 2000;
        *network.likes.lock().unwrap() = 30;
        let mut networks = Registry::default();
        networks.add(network.clone());
        let app = App::new(db.store.clone(), clock.clone(), SecretBox::ephemeral(), Settings::default())
            .with_networks(networks);
        let signed = app
            .sign_up(SignUp {
                email: "ana@example.com".into(),
                name: "Ana".into(),
                password: "a long enough passphrase".into(),
                workspace_name: "Acme".into(),
                time_zone: "UTC".into(),
                invite: None,
                user_agent: "test".into(),
            })
            .await
            .unwrap();
        let actor = app.actor_for_user(&signed.user, signed.workspace.unwrap().slug.as_str()).await.unwrap();
        let account = app
            .connect_account(&actor, ConnectAccount { network: "fixed".into(), ..ConnectAccount::default() })
            .await
            .unwrap()
            .id;
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0\0\0\0\0";
        let roast = app.upload_media(&actor, "roast.png", png).await.unwrap().media().id;
        for (text, tags, media) in [
            (
                "Our new roast is here",
                PostTags::parse("Autumn launch", "promotional", "coffee, #Roast").unwrap(),
                vec![vec![roast]],
            ),
            ("Open late on Friday (no impressions)", PostTags::parse("", "", "coffee").unwrap(), Vec::new()),
        ] {
            let post = NewPost {
                text: text.into(),
                accounts: vec![account],
                when: When::Now,
                tags,
                media,
                ..Default::default()
            };
            app.create_post(&actor, post).await.unwrap();
        }
        let worker = Worker::new(app.clone(), WorkerOptions::default());
        worker.run_due().await.unwrap();

        // Nothing is measured before the first hour.
        clock.advance(Duration::minutes(59));
        assert_eq!(app.poll_metrics(100).await.unwrap(), 0);
        clock.advance(Duration::minutes(1));
        assert_eq!(app.poll_metrics(100).await.unwrap(), 2, "both posts at 1 h");
        clock.advance(Duration::hours(2));
        assert_eq!(app.poll_metrics(100).await.unwrap(), 0, "next poll at 6 h");
        *network.likes.lock().unwrap() = 40;
        clock.set(start + Duration::hours(6));
        assert_eq!(app.poll_metrics(100).await.unwrap(), 2, "both posts at 6 h");
        assert_eq!(*network.metrics_calls.lock().unwrap(), 2, "one request per account per poll");
        assert_eq!(next_poll(start, start + Duration::hours(6)), Some(start + Duration::hours(24)));

        // Followers grow and are counted at the next account check.
        *network.followers.lock().unwrap() = 2100;
        clock.set(Utc.with_ymd_and_hms(2026, 10, 20, 12, 0, 0).unwrap());
        app.check_account(actor.workspace.id, account).await.unwrap();

        clock.set(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap());
        let october = app.period(&actor, Some("2026-10")).unwrap();
        let o = app.analytics_overview(&actor, &october).await.unwrap();
        let f = &o.current;
        assert_eq!(f.posts, 2);
        // Impressions are known for one post only: 1000.
        assert_eq!(f.impressions, Some(1000));
        // Engagements per post: 40 likes + 5 reposts + 3 replies + 0 quotes + 12 clicks = 60; two posts.
        assert_eq!(f.engagements, Some(120));
        // By impressions, only the post with impressions counts: 60 / 1000.
        assert_eq!(f.engagement_rate_by_impressions, Some(0.06));
        // Click-through: 12 / 1000.
        assert_eq!(f.click_through_rate, Some(0.012));
        // Followers: first counted at connection (2000, inside the period), 2100 at the end.
        assert_eq!((f.followers_start, f.followers_end, f.follower_growth), (Some(2000), Some(2100), Some(100)));
        assert_eq!(f.follower_growth_rate, Some(0.05));
        // By followers: 120 engagements / 2 posts / 2100 followers.
        assert!((f.engagement_rate_by_followers.unwrap() - 60.0 / 2100.0).abs() < 1e-12);
        // Two posts in 31 days: 2 × 7 / 31 a week; one of five weekly buckets has a post.
        assert!((f.posts_per_week.unwrap() - 14.0 / 31.0).abs() < 1e-12);
        assert_eq!(f.consistency, Some(0.2));
        // No question came in: the response rate is unknown, not 0%.
        assert_eq!((f.questions, f.response_rate), (0, None));
        // November's previous period is October, read as grouped sums rather than post by post: the same figures.
        let november = app.period(&actor, Some("2026-11")).unwrap();
        let n = app.analytics_overview(&actor, &november).await.unwrap();
        assert_eq!(n.previous, o.current);
        let row = |o: &socialdesk_app::analytics::Overview, key: &str| {
            o.compared.iter().find(|c| c.key == key).unwrap().baseline
        };
        // Its usual level: the median of October (2 posts), September and August (none).
        assert_eq!((row(&n, "posts"), row(&n, "engagements")), (Some(0.0), Some(120.0)));

        // September had nothing: unknown, and the change is unknown too.
        assert_eq!((o.previous.posts, o.previous.engagements, o.previous.followers_end), (0, None, None));
        let engagements = o.compared.iter().find(|c| c.key == "engagements").unwrap();
        assert_eq!((engagements.current, engagements.previous, engagements.direction), (Some(120.0), None, "unknown"));
        // The usual level: the median of September, August and July, all without posts.
        let posts_row = o.compared.iter().find(|c| c.key == "posts").unwrap();
        assert_eq!((posts_row.baseline, engagements.baseline), (Some(0.0), None));
        // The network never reports saves or reach, and left out impressions for one post: all three are named.
        let unreported: Vec<&str> = o.unreported.iter().map(|u| u.metric).collect();
        assert_eq!(unreported, ["impressions", "saves", "reach"]);
        assert!(o.unreported.iter().all(|u| u.networks == ["fixed"]));
        assert_eq!(o.accounts.len(), 1);
        assert_eq!(o.accounts[0].follower_growth, Some(100));
        // What works: by pillar, campaign and label (a post counts under each of its labels).
        let names = |groups: &[socialdesk_app::analytics::GroupFigures]| {
            groups.iter().map(|g| (g.name.clone(), g.posts)).collect::<Vec<_>>()
        };
        assert_eq!(names(&o.by_pillar), [("No pillar".to_owned(), 1), ("Promotional".to_owned(), 1)]);
        assert_eq!(names(&o.by_campaign), [("Autumn launch".to_owned(), 1)]);
        assert_eq!(names(&o.by_label), [("#coffee".to_owned(), 2), ("#roast".to_owned(), 1)]);
        assert_eq!(o.by_label[0].engagements_per_post, Some(60.0));
        assert_eq!(names(&o.by_format), [("Image".to_owned(), 1), ("Text only".to_owned(), 1)]);
        assert_eq!(app.campaigns(&actor).await.unwrap(), ["Autumn launch"]);
        // The top posts are read whole after ranking the month's counts.
        let mut top: Vec<&str> = o.top_posts.iter().map(|p| p.text.as_str()).collect();
        top.sort_unstable();
        assert_eq!(top, ["Open late on Friday (no impressions)", "Our new roast is here"]);
        assert!(o.top_posts.iter().all(|p| p.handle == "@brand.fixed" && p.engagements == Some(60)));

        // The day the posts went out carries their engagements; the others are unknown, not zero.
        assert_eq!(o.engagements_by_day[0].1, Some(120));
        assert_eq!(o.engagements_by_day[1].1, None);
        assert_eq!(o.followers_by_day[0].1, Some(2000));
        assert_eq!(o.followers_by_day[30].1, Some(2100));

        // Ranked by impressions, the post without them comes last in either order.
        let ranked = app.analytics_posts(&actor, &october, Metric::Impressions, false, None, 10).await.unwrap();
        assert_eq!(ranked.iter().map(|p| p.counts.impressions).collect::<Vec<_>>(), [Some(1000), None]);
        let ranked = app.analytics_posts(&actor, &october, Metric::Impressions, true, None, 10).await.unwrap();
        assert_eq!(ranked.iter().map(|p| p.counts.impressions).collect::<Vec<_>>(), [Some(1000), None]);
        let history = app.store.post_snapshots(actor.workspace.id, ranked[0].variant_id).await.unwrap();
        assert_eq!(history.iter().map(|(_, c)| c.likes).collect::<Vec<_>>(), [Some(30), Some(40)], "every poll kept");

        assert!(app.period(&actor, Some("2026-13")).is_err());

        // Goals on October, now over: two posts reached, 2,000 new followers missed (100 came).
        let goal = |metric: &str, target: &str, period: &str| socialdesk_app::NewGoal {
            metric: metric.into(),
            target: target.into(),
            period: period.into(),
        };
        let posts = app.create_goal(&actor, goal("posts", "2", "2026-10")).await.unwrap();
        assert_eq!((posts.progress.status, posts.progress.current), (GoalStatus::Achieved, Some(2.0)));
        let followers = app.create_goal(&actor, goal("follower_growth", "+2,000", "2026-10")).await.unwrap();
        assert_eq!((followers.progress.status, followers.progress.fraction), (GoalStatus::Missed, Some(0.05)));
        let rate = app.create_goal(&actor, goal("engagement_rate", "5%", "2026-10")).await.unwrap();
        assert_eq!((rate.target, rate.progress.status), (0.05, GoalStatus::Achieved), "6% ≥ 5%");
        let bad = app.create_goal(&actor, goal("response_rate", "150%", "2026-10")).await.unwrap_err();
        assert!(bad.to_string().contains("not valid"), "{bad}");
        let all = app.goals(&actor).await.unwrap();
        assert_eq!(all.len(), 3);
        app.delete_goal(&actor, all[0].id).await.unwrap();
        assert_eq!(app.goals(&actor).await.unwrap().len(), 2);
    }
}

/// Draws a report as a line of text, so the test can read what went out.
#[derive(Debug)]
struct PlainReports;

impl socialdesk_app::ReportRenderer for PlainReports {
    fn html(
        &self,
        workspace: &str,
        _brand: &socialdesk_app::Branding,
        overview: &socialdesk_app::analytics::Overview,
        _goals: &[socialdesk_app::Goal],
        _now: chrono::DateTime<Utc>,
    ) -> String {
        format!("<p>{workspace}: {} posts in {}</p>", overview.current.posts, overview.period.label())
    }

    fn pdf(
        &self,
        workspace: &str,
        _brand: &socialdesk_app::Branding,
        overview: &socialdesk_app::analytics::Overview,
        _goals: &[socialdesk_app::Goal],
        _now: chrono::DateTime<Utc>,
    ) -> Option<Result<Vec<u8>, String>> {
        Some(Ok(format!("%PDF {workspace} {}", overview.period.label()).into_bytes()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_reports_go_out_once_per_run_signed_and_archived() {
    let (hook_url, received) = crate::support::webhook_receiver().await;

    let db = TestDb::sqlite().await;
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 10, 15, 12, 0, 0).unwrap()));
    let outbox = Arc::new(crate::support::Outbox::default());
    let settings = Settings { allow_private_urls: true, ..Settings::default() };
    let app = App::new(db.store.clone(), clock.clone(), SecretBox::ephemeral(), settings)
        .with_report_renderer(Arc::new(PlainReports))
        .with_mailer(socialdesk_app::Mailer { transport: outbox.clone(), from: "reports@example.com".into() });
    let signed = app
        .sign_up(SignUp {
            email: "ana@example.com".into(),
            name: "Ana".into(),
            password: "a long enough passphrase".into(),
            workspace_name: "Acme".into(),
            time_zone: "Europe/Rome".into(),
            invite: None,
            user_agent: "test".into(),
        })
        .await
        .unwrap();
    let actor = app.actor_for_user(&signed.user, signed.workspace.unwrap().slug.as_str()).await.unwrap();
    let schedule = app
        .create_report_schedule(
            &actor,
            socialdesk_app::NewReportSchedule {
                cadence: "monthly:1:08:00".into(),
                recipients: "boss@example.com, team@example.com".into(),
                webhook_url: hook_url.clone(),
            },
        )
        .await
        .unwrap();
    // 1 November, 08:00 in Rome, is 07:00 UTC (winter time since 25 October).
    assert_eq!(schedule.next_run_at, Utc.with_ymd_and_hms(2026, 11, 1, 7, 0, 0).unwrap());
    let secret = schedule.webhook_secret.clone().unwrap();

    clock.set(Utc.with_ymd_and_hms(2026, 11, 1, 6, 59, 0).unwrap());
    assert_eq!(app.run_due_reports().await.unwrap(), 0, "not yet");
    clock.set(Utc.with_ymd_and_hms(2026, 11, 1, 7, 0, 30).unwrap());
    assert_eq!(app.run_due_reports().await.unwrap(), 1);
    assert_eq!(app.run_due_reports().await.unwrap(), 0, "once per run");

    let hooks = received.lock().unwrap().clone();
    assert_eq!(hooks.len(), 1);
    let (headers, body) = &hooks[0];
    let timestamp: i64 = headers["x-socialdesk-timestamp"].to_str().unwrap().parse().unwrap();
    let expected = socialdesk_app::reports::sign(secret.as_bytes(), timestamp, body.as_bytes());
    assert_eq!(headers["x-socialdesk-signature"].to_str().unwrap(), format!("sha256={expected}"));
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!((json["event"].as_str(), json["period"].as_str()), (Some("report.made"), Some("2026-10")));
    assert_eq!(json["html"], "<p>Acme: 0 posts in October 2026</p>");
    let mails = outbox.0.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, ["boss@example.com", "team@example.com"]);
    assert_eq!(mails[0].1, "Acme — October 2026");
    let files = outbox.1.lock().unwrap().clone();
    let pdf = socialdesk_app::Attachment {
        name: "socialdesk-acme-2026-10-report.pdf".into(),
        mime: "application/pdf".into(),
        data: b"%PDF Acme October 2026".to_vec(),
    };
    assert_eq!(files, [pdf], "the email carries the report's PDF");

    let archive = app.report_archive(&actor).await.unwrap();
    assert_eq!(archive.len(), 1);
    assert_eq!(
        archive[0].delivery.as_deref(),
        Some("webhook answered 200; emailed with its PDF to boss@example.com, team@example.com")
    );
    let schedules = app.report_schedules(&actor).await.unwrap();
    assert_eq!(schedules[0].next_run_at, Utc.with_ymd_and_hms(2026, 12, 1, 7, 0, 0).unwrap());
    assert_eq!(schedules[0].last_error, None);

    // Bad input is refused with the field named; private addresses need the operator's consent.
    let refuse = |cadence: &str, recipients: &str, url: &str| socialdesk_app::NewReportSchedule {
        cadence: cadence.into(),
        recipients: recipients.into(),
        webhook_url: url.into(),
    };
    for (input, field) in [
        (refuse("monthly:31:08:00", "a@example.com", ""), "cadence"),
        (refuse("monthly:1:08:00", "not an email", ""), "recipients"),
        (refuse("monthly:1:08:00", "", ""), "recipients"),
        (refuse("monthly:1:08:00", "", "ftp://example.com/x"), "webhook_url"),
    ] {
        match app.create_report_schedule(&actor, input).await {
            Err(socialdesk_app::AppError::Invalid(fields)) => assert_eq!(fields[0].field, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    let strict = App::new(db.store.clone(), clock.clone(), SecretBox::ephemeral(), Settings::default());
    // The same guard keeps network servers (a Mastodon instance, a PDS) out of private networks.
    let inside = ConnectAccount {
        network: "sandbox".into(),
        identifier: "Acme".into(),
        server: "http://127.0.0.1:3000".into(),
        ..ConnectAccount::default()
    };
    match strict.connect_account(&actor, inside).await {
        Err(socialdesk_app::AppError::Invalid(fields)) => {
            assert_eq!(fields[0].field, "server");
            assert!(fields[0].message.contains("private network"), "{}", fields[0].message);
        }
        other => panic!("{other:?}"),
    }
    match strict.create_report_schedule(&actor, refuse("monthly:1:08:00", "", &hook_url)).await {
        Err(socialdesk_app::AppError::Invalid(fields)) => {
            assert!(fields[0].message.contains("private network"), "{}", fields[0].message)
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbox_sentiment_is_counted_per_local_day_of_the_period() {
    use socialdesk_store::InboxFilter;

    // The sandbox's clock is the app's: its messages fall in the app's last days.
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
    let sandbox = socialdesk_networks::sandbox::Sandbox::with_clock(Arc::new(move || at));
    let s = crate::publishing::setup(TestDb::sqlite().await, Arc::new(sandbox)).await;
    let account = crate::publishing::connect(&s, "sandbox").await;
    s.app.sync_inbox(s.actor.workspace.id, account).await.unwrap();
    let period = s.app.period(&s.actor, Some("last-7-days")).unwrap();
    let o = s.app.analytics_overview(&s.actor, &period).await.unwrap();
    assert_eq!(o.sentiment_by_day.len(), o.followers_by_day.len());

    // Recounted from the items themselves, by their day in the workspace's zone (Europe/Rome).
    let zone = s.actor.workspace.time_zone.tz();
    let items = s.app.inbox(&s.actor, &InboxFilter::default(), 500).await.unwrap();
    let mut expected = vec![socialdesk_app::analytics::DaySentiment::default(); o.followers_by_day.len()];
    for i in items.iter().filter(|i| period.contains(i.created_at)) {
        let Some(label) = i.sentiment_label() else { continue };
        let local = i.created_at.with_timezone(&zone).date_naive();
        let day = o.followers_by_day.iter().position(|(d, _)| d.with_timezone(&zone).date_naive() == local).unwrap();
        match label {
            "positive" => expected[day].positive += 1,
            "negative" => expected[day].negative += 1,
            _ => expected[day].neutral += 1,
        }
    }
    assert_eq!(o.sentiment_by_day, expected);
    let total: u64 = expected.iter().map(|d| d.positive + d.neutral + d.negative).sum();
    assert!(total > 5, "the sandbox wrote in the last days: {total}");
    assert_eq!(u64::from(o.current.inbox_items), total);
    let negative: u64 = expected.iter().map(|d| d.negative).sum();
    assert_eq!(o.current.negative_share, Some(negative as f64 / total as f64));
}
