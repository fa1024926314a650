//! Listening end to end: a JSONL import with broken lines is matched,
//! enriched and stored once, resumes where it stopped, and a burst of angry
//! posts raises volume and negative alerts that are explained, sent (webhook
//! signed, email) and can pause publishing in one click. Share of voice and
//! a query's chart come out of the same counts.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use socialdesk_app::{Actor, AlertChannels, App, ManualClock, SecretBox, Settings, SignUp};
use socialdesk_listen::spike::{Severity, SpikeKind};
use socialdesk_store::MentionFilter;
use socialdesk_store::testing::TestDb;

use crate::support::{Outbox, Received};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 10, 4, 0, 0).unwrap()
}

fn line(id: &str, text: &str, at: DateTime<Utc>, author: &str) -> String {
    serde_json::json!({"id": id, "network": "bluesky", "text": text, "created_at": at.to_rfc3339(), "author": author})
        .to_string()
}

/// Eight hours of calm (a brand post every 2 minutes, a rival post every
/// 4), then 60 angry brand posts in 10 minutes, with three broken lines and
/// one post that matches nothing.
fn corpus() -> String {
    let mut lines = Vec::new();
    for i in 0..240 {
        lines.push(line(
            &format!("b{i}"),
            "Northwind latte at the station",
            t0() + Duration::minutes(2 * i),
            "fan.bsky.social",
        ));
        if i % 2 == 0 {
            lines.push(line(&format!("g{i}"), "Globex espresso bar", t0() + Duration::minutes(2 * i), "g.bsky.social"));
        }
    }
    lines.insert(10, "{\"id\": \"broken".into());
    lines
        .insert(20, r#"{"id":"x1","network":"myspace","text":"northwind","created_at":"2026-11-10T05:00:00Z"}"#.into());
    lines.insert(30, r#"{"id":"x2","network":"bluesky","text":"northwind"}"#.into());
    lines.push(line("other", "Nothing to see here", t0(), "n.bsky.social"));
    for i in 0..60 {
        let at = t0() + Duration::hours(8) + Duration::seconds(10 * i);
        lines.push(line(
            &format!("angry{i}"),
            "My Northwind mug arrived broken, terrible service 😡",
            at,
            &format!("angry{}.bsky.social", i % 7),
        ));
    }
    lines.join("\n") + "\n"
}

async fn setup(db: &TestDb) -> (App, Actor, Arc<Outbox>, Received, String) {
    let (hook_url, received) = crate::support::webhook_receiver().await;
    // Twenty minutes after the burst began.
    let clock = Arc::new(ManualClock::new(t0() + Duration::hours(8) + Duration::minutes(20)));
    let outbox = Arc::new(Outbox::default());
    let settings =
        Settings { allow_private_urls: true, public_url: Some("https://sd.example.com".into()), ..Settings::default() };
    let app = App::new(db.store.clone(), clock, SecretBox::ephemeral(), settings)
        .with_mailer(socialdesk_app::Mailer { transport: outbox.clone(), from: "alerts@example.com".into() });
    let signed = app
        .sign_up(SignUp {
            email: "ana@example.com".into(),
            name: "Ana".into(),
            password: "a long enough passphrase".into(),
            workspace_name: "Northwind".into(),
            time_zone: "Europe/Rome".into(),
            invite: None,
            user_agent: "test".into(),
        })
        .await
        .unwrap();
    let actor = app.actor_for_user(&signed.user, signed.workspace.unwrap().slug.as_str()).await.unwrap();
    (app, actor, outbox, received, hook_url)
}

async fn a_burst_in_an_import_is_stored_once_explained_and_sent(db: TestDb) {
    let (app, actor, outbox, received, hook_url) = setup(&db).await;
    let no_queries = app.import_mentions(&actor, "corpus.jsonl", corpus().as_bytes(), false).await.unwrap_err();
    assert!(no_queries.to_string().contains("not valid"), "{no_queries}");

    let brand = app.create_query(&actor, "Brand", "northwind", "brand").await.unwrap();
    let rival = app.create_query(&actor, "Rival", "globex", "competitor").await.unwrap();
    let topic = app.create_query(&actor, "Espresso", "espresso", "").await.unwrap();
    assert!(app.create_query(&actor, "Bad", "northwind", "boss").await.is_err(), "unknown role");
    let channels = app
        .set_alert_channels(
            &actor,
            AlertChannels { recipients: "pr@example.com".into(), webhook_url: hook_url, min_severity: "medium".into() },
        )
        .await
        .unwrap();
    let secret = channels.webhook_secret.clone().expect("shown once");

    let summary = app.import_mentions(&actor, "corpus.jsonl", corpus().as_bytes(), false).await.unwrap();
    // 240 brand + 120 rival + 1 unmatched + 60 angry posts read; 3 lines skipped.
    assert_eq!((summary.read, summary.matched, summary.stored, summary.skipped), (421, 420, 420, 3));
    let lines: Vec<u64> = summary.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [11, 21, 31]);
    assert!(summary.errors[1].reason.contains("unknown network"), "{:?}", summary.errors[1]);
    assert!(summary.errors[2].reason.contains("\"created_at\" is missing"));

    let alerts = app.listening_alerts(&actor, None, true, 50).await.unwrap();
    assert_eq!(summary.alerts, alerts.len());
    assert!(alerts.iter().all(|a| a.query_id == brand.id), "the calm rival raises nothing");
    let high = |kind| alerts.iter().find(|a| a.kind == kind && a.severity == Severity::High).unwrap();
    let volume = high(SpikeKind::Volume);
    assert_eq!(volume.baseline, 7.5, "7 or 8 calm posts per 15 minutes");
    assert!(volume.volume >= 38, "{volume:?}");
    assert_eq!(
        volume.details.top_terms.first().map(|t| t.0.as_str()),
        Some("arrived"),
        "{:?}",
        volume.details.top_terms
    );
    assert!(volume.details.top_terms.iter().any(|t| t.0 == "broken"));
    assert!(!volume.details.top_terms.iter().any(|t| t.0 == "northwind"), "the query's own word is left out");
    let negative = high(SpikeKind::Negative);
    assert!(negative.observed >= 0.6 && negative.baseline < 0.1, "{negative:?}");
    assert!(negative.details.samples.iter().all(|s| s.sentiment < 0.0));
    assert!(negative.headline().starts_with("High negative spike on Brand: "), "{}", negative.headline());

    // Sent: low ones stay in the app; the rest went by webhook (signed) and email.
    let sent: Vec<_> = alerts.iter().filter(|a| a.severity >= Severity::Medium).collect();
    let hooks = received.lock().unwrap().clone();
    assert_eq!(hooks.len(), sent.len());
    for (headers, body) in &hooks {
        let timestamp: i64 = headers["x-socialdesk-timestamp"].to_str().unwrap().parse().unwrap();
        let expected = socialdesk_app::reports::sign(secret.as_bytes(), timestamp, body.as_bytes());
        assert_eq!(headers["x-socialdesk-signature"].to_str().unwrap(), format!("sha256={expected}"));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["event"], "listening.alert");
        assert_eq!(json["link"], "https://sd.example.com/w/northwind/listening/alerts");
    }
    let mails = outbox.0.lock().unwrap().clone();
    assert_eq!(mails.len(), sent.len());
    assert!(mails.iter().any(|m| m.1 == negative.headline() && m.0 == ["pr@example.com"]));
    assert!(alerts.iter().all(|a| a.delivery.is_some()));

    // The query editor's preview now reads the stored public posts too.
    let check = app.check_query(&actor, "broken -latte").await.unwrap();
    assert_eq!((check.mentions_previewed, check.mentions_matched), (420, 60));
    assert!(check.mention_samples.iter().all(|m| m.text.contains("broken")));

    // Again under the same name: resumes after the last line, reads nothing.
    let again = app.import_mentions(&actor, "corpus.jsonl", corpus().as_bytes(), false).await.unwrap();
    assert_eq!((again.resumed_after_line, again.read, again.stored), (424, 0, 0));
    // From the start: everything is read again and nothing is stored or alerted twice.
    let restart = app.import_mentions(&actor, "corpus.jsonl", corpus().as_bytes(), true).await.unwrap();
    assert_eq!((restart.read, restart.matched, restart.stored, restart.alerts), (421, 420, 0, 0));
    assert_eq!(app.check_spikes().await.unwrap(), 0, "the job finds nothing new");
    assert_eq!(app.listening_alerts(&actor, None, false, 50).await.unwrap().len(), alerts.len());

    // Share of voice: 300 brand posts against 120 rival ones; the topic is not compared.
    let period = app.period(&actor, Some("2026-11-10")).unwrap();
    let overview = app.listening_overview(&actor, &period).await.unwrap();
    let of = |id| overview.queries.iter().find(|q| q.query.id == id).unwrap();
    assert_eq!((of(brand.id).totals.volume, of(rival.id).totals.volume, of(topic.id).totals.volume), (300, 120, 120));
    assert!((of(brand.id).share_of_voice.unwrap() - 300.0 / 420.0).abs() < 1e-9);
    assert!((of(rival.id).share_of_voice.unwrap() - 120.0 / 420.0).abs() < 1e-9);
    assert_eq!(of(topic.id).share_of_voice, None);
    assert_eq!(of(brand.id).totals.negative, 60);
    assert!((of(brand.id).totals.net_sentiment().unwrap() - (-60.0 / 300.0)).abs() < 1e-9);
    let source = overview.sources.iter().find(|s| s.name == "import:corpus.jsonl").unwrap();
    assert_eq!((source.read, source.skipped, source.cursor.as_deref()), (842, 6, Some("424")));

    // The query's day, hour by hour in Rome.
    let report = app.query_report(&actor, brand.id, &period).await.unwrap();
    assert!(report.hourly);
    assert_eq!(report.series.len(), 24);
    assert_eq!(report.series.iter().map(|b| b.totals.volume).sum::<u64>(), 300);
    // 12:00 UTC is 13:00 in Rome: the 14th hour of the day holds the burst.
    assert_eq!(report.series[13].totals.negative, 60);
    assert_eq!(report.top_authors[0], ("fan.bsky.social".into(), 240));
    assert_eq!(report.networks, vec![("bluesky".into(), 300)]);
    assert_eq!(report.alerts.len(), alerts.len());
    let negatives = app
        .mentions(
            &actor,
            &MentionFilter { query: Some(brand.id), sentiment: Some("negative".into()), ..Default::default() },
            100,
        )
        .await
        .unwrap();
    assert_eq!(negatives.len(), 60);

    // One click: publishing pauses and the alert is acknowledged.
    let paused = app.crisis_from_alert(&actor, negative.id).await.unwrap();
    assert!(paused.acknowledged_at.is_some());
    let policy = app.policy(&actor).await.unwrap();
    assert!(policy.crisis.unwrap().reason.contains("negative spike on Brand"));
    assert_eq!(app.listening_alerts(&actor, None, true, 50).await.unwrap().len(), alerts.len() - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_in_an_import_is_stored_once_explained_and_sent_sqlite() {
    a_burst_in_an_import_is_stored_once_explained_and_sent(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_in_an_import_is_stored_once_explained_and_sent_postgres() {
    if let Some(db) = TestDb::postgres().await {
        a_burst_in_an_import_is_stored_once_explained_and_sent(db).await;
    }
}
