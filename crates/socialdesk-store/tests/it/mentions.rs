use socialdesk_store::testing::TestDb;
use socialdesk_store::{MentionFilter, NewAlert, NewMention, SavedQuery, SourceCounts, StoreError};
use uuid::Uuid;

use crate::both;
use crate::fixtures::{at, signed_up};

both!(
    a_batch_counts_once_and_moves_its_cursor_with_it,
    mentions_filter_page_and_stay_in_their_workspace,
    alerts_are_kept_once_per_window_and_acknowledged
);

fn query(id: Uuid, name: &str, text: &str, role: &str, by: &socialdesk_core::User) -> SavedQuery {
    SavedQuery {
        id,
        name: name.into(),
        query: text.into(),
        role: role.into(),
        created_by: Some(by.id.as_uuid()),
        created_at: at(0),
    }
}

fn mention(remote: &str, label: &str, minute: u32, queries: &[Uuid]) -> NewMention {
    NewMention {
        id: Uuid::now_v7(),
        network: "bluesky".into(),
        remote_id: remote.into(),
        author: if label == "negative" { "grumpy.bsky.social".into() } else { "ana.bsky.social".into() },
        text: format!("post {remote}"),
        url: None,
        lang: Some(if remote.ends_with('e') { "es".into() } else { "en-GB".into() }),
        sentiment: match label {
            "positive" => 0.6,
            "negative" => -0.5,
            _ => 0.0,
        },
        sentiment_label: label.into(),
        posted_at: at(minute) + chrono::Duration::seconds(i64::from(minute) % 50),
        queries: queries.to_vec(),
    }
}

async fn a_batch_counts_once_and_moves_its_cursor_with_it(db: TestDb) {
    let (user, ws) = signed_up(&db.store, "ana@example.com", "Acme").await;
    let (brand, rival) = (Uuid::now_v7(), Uuid::now_v7());
    db.store.create_listening_query(ws.id, &query(brand, "Brand", "acme", "brand", &user)).await.unwrap();
    db.store.create_listening_query(ws.id, &query(rival, "Rival", "globex", "competitor", &user)).await.unwrap();
    let batch = vec![
        mention("a", "positive", 1, &[brand]),
        mention("b", "negative", 1, &[brand, rival]),
        mention("c", "neutral", 2, &[rival]),
    ];
    let counts = SourceCounts { read: 10, matched: 3, skipped: 1 };
    assert_eq!(db.store.store_mentions(ws.id, "import:x", &batch, Some("10"), counts, at(5)).await.unwrap(), 3);
    // The same batch again (a crash before the caller learnt it was stored): nothing twice.
    let again: Vec<NewMention> = batch.iter().map(|m| NewMention { id: Uuid::now_v7(), ..m.clone() }).collect();
    assert_eq!(db.store.store_mentions(ws.id, "import:x", &again, Some("10"), counts, at(6)).await.unwrap(), 0);

    let minutes = db.store.listening_minutes(ws.id, brand, at(0), at(10)).await.unwrap();
    assert_eq!(minutes.len(), 1, "both brand mentions fell in minute 1");
    assert_eq!((minutes[0].minute, minutes[0].volume, minutes[0].positive, minutes[0].negative), (at(1), 2, 1, 1));
    assert!((minutes[0].sentiment_sum - 0.1).abs() < 1e-6);
    let mut totals = db.store.listening_totals(ws.id, at(0), at(10)).await.unwrap();
    totals.sort_by_key(|t| t.query_id != brand);
    assert_eq!((totals[0].volume, totals[1].volume), (2, 2));
    assert_eq!(db.store.first_listening_minute(ws.id, rival).await.unwrap(), Some(at(1)));

    let source = db.store.listening_source(ws.id, "import:x").await.unwrap().unwrap();
    assert_eq!((source.cursor.as_deref(), source.read, source.matched, source.skipped), (Some("10"), 20, 6, 2));
    // A batch without a cursor keeps the last one.
    db.store.store_mentions(ws.id, "import:x", &[], None, SourceCounts::default(), at(7)).await.unwrap();
    assert_eq!(db.store.listening_source(ws.id, "import:x").await.unwrap().unwrap().cursor.as_deref(), Some("10"));

    let authors = db.store.mention_breakdown(ws.id, brand, "author", at(0), at(10), 5).await.unwrap();
    assert_eq!(authors, vec![("ana.bsky.social".into(), 1), ("grumpy.bsky.social".into(), 1)]);
    let langs = db.store.mention_breakdown(ws.id, rival, "lang", at(0), at(10), 5).await.unwrap();
    assert_eq!(langs, vec![("en-GB".into(), 2)]);

    // A query of another workspace is never matched or counted here.
    let (other_user, other) = signed_up(&db.store, "bo@example.com", "Globex").await;
    let theirs = Uuid::now_v7();
    db.store.create_listening_query(other.id, &query(theirs, "Theirs", "x", "topic", &other_user)).await.unwrap();
    db.store
        .store_mentions(ws.id, "import:x", &[mention("d", "neutral", 3, &[theirs])], None, counts, at(8))
        .await
        .unwrap();
    assert!(db.store.listening_minutes(other.id, theirs, at(0), at(10)).await.unwrap().is_empty());
    assert!(db.store.listening_totals(other.id, at(0), at(10)).await.unwrap().is_empty());
}

async fn mentions_filter_page_and_stay_in_their_workspace(db: TestDb) {
    let (user, ws) = signed_up(&db.store, "ana@example.com", "Acme").await;
    let q = Uuid::now_v7();
    db.store.create_listening_query(ws.id, &query(q, "Brand", "acme", "brand", &user)).await.unwrap();
    let batch: Vec<NewMention> = (0..6)
        .map(|i| {
            mention(
                &format!("m{i}{}", if i % 2 == 0 { "e" } else { "" }),
                ["positive", "negative"][i % 2],
                i as u32,
                &[q],
            )
        })
        .collect();
    db.store.store_mentions(ws.id, "s", &batch, None, SourceCounts::default(), at(9)).await.unwrap();

    let all = db.store.mentions(ws.id, &MentionFilter { query: Some(q), ..Default::default() }, 50).await.unwrap();
    assert_eq!(all.iter().map(|m| m.remote_id.as_str()).collect::<Vec<_>>(), ["m5", "m4e", "m3", "m2e", "m1", "m0e"]);
    let negative = MentionFilter { sentiment: Some("negative".into()), ..Default::default() };
    assert_eq!(db.store.mentions(ws.id, &negative, 50).await.unwrap().len(), 3);
    let english = MentionFilter { lang: Some("en".into()), ..Default::default() };
    assert_eq!(db.store.mentions(ws.id, &english, 50).await.unwrap().len(), 3, "en finds en-GB");
    let page1 = db.store.mentions(ws.id, &MentionFilter::default(), 4).await.unwrap();
    let last = page1.last().unwrap();
    let after = MentionFilter { before: Some((last.posted_at, last.id)), ..Default::default() };
    let page2 = db.store.mentions(ws.id, &after, 4).await.unwrap();
    assert_eq!(page2.iter().map(|m| m.remote_id.as_str()).collect::<Vec<_>>(), ["m1", "m0e"]);
    let window = MentionFilter { from: Some(at(2)), to: Some(at(4)), ..Default::default() };
    assert_eq!(db.store.mentions(ws.id, &window, 50).await.unwrap().len(), 2);

    let (_, other) = signed_up(&db.store, "bo@example.com", "Globex").await;
    assert!(db.store.mentions(other.id, &MentionFilter::default(), 50).await.unwrap().is_empty());
    assert!(
        db.store
            .mentions(other.id, &MentionFilter { query: Some(q), ..Default::default() }, 50)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn alerts_are_kept_once_per_window_and_acknowledged(db: TestDb) {
    let (user, ws) = signed_up(&db.store, "ana@example.com", "Acme").await;
    let q = Uuid::now_v7();
    db.store.create_listening_query(ws.id, &query(q, "Brand", "acme", "brand", &user)).await.unwrap();
    let alert = NewAlert {
        id: Uuid::now_v7(),
        query_id: q,
        kind: "negative".into(),
        severity: "medium".into(),
        window_start: at(15),
        window_end: at(30),
        volume: 40,
        negative: 25,
        baseline: 0.2,
        observed: 0.625,
        score: 6.7,
        details: "{}".into(),
    };
    assert!(db.store.insert_alert(ws.id, &alert, at(31)).await.unwrap());
    assert!(!db.store.insert_alert(ws.id, &NewAlert { id: Uuid::now_v7(), ..alert.clone() }, at(32)).await.unwrap());
    let later = NewAlert { id: Uuid::now_v7(), severity: "high".into(), window_end: at(50), ..alert.clone() };
    db.store.insert_alert(ws.id, &later, at(51)).await.unwrap();
    let last = db.store.last_alerts(ws.id, q, at(90)).await.unwrap();
    assert_eq!(last, vec![("negative".into(), at(50), "high".into())]);
    let earlier = db.store.last_alerts(ws.id, q, at(50)).await.unwrap();
    assert_eq!(earlier, vec![("negative".into(), at(30), "medium".into())]);

    let open = db.store.alerts(ws.id, None, true, 10).await.unwrap();
    assert_eq!(open.iter().map(|a| a.id).collect::<Vec<_>>(), [later.id, alert.id]);
    assert_eq!(open[0].query_name, "Brand");
    db.store.acknowledge_alert(ws.id, alert.id, user.id, at(40)).await.unwrap();
    db.store.acknowledge_alert(ws.id, alert.id, user.id, at(41)).await.unwrap();
    assert_eq!(db.store.alert(ws.id, alert.id).await.unwrap().acknowledged_at, Some(at(40)));
    assert_eq!(db.store.alerts(ws.id, Some(q), true, 10).await.unwrap().len(), 1);
    assert_eq!(db.store.alerts(ws.id, Some(q), false, 10).await.unwrap().len(), 2);

    db.store.set_alerts_checked_until(ws.id, q, at(60)).await.unwrap();
    db.store.set_alerts_checked_until(ws.id, q, at(30)).await.unwrap();
    let checks = db.store.queries_to_check().await.unwrap();
    assert_eq!(checks.iter().find(|c| c.id == q).unwrap().alerts_checked_until, Some(at(60)), "never back");

    let (other_user, other) = signed_up(&db.store, "bo@example.com", "Globex").await;
    assert!(matches!(db.store.alert(other.id, alert.id).await, Err(StoreError::NotFound)));
    assert!(matches!(
        db.store.acknowledge_alert(other.id, later.id, other_user.id, at(1)).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        !db.store
            .insert_alert(other.id, &NewAlert { id: Uuid::now_v7(), window_end: at(99), ..alert }, at(1))
            .await
            .unwrap()
    );
}
