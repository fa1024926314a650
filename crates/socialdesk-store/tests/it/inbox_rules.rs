use socialdesk_core::moderation::{Action, Assignee, Condition, EffectState, Priority, RuleSpec};
use socialdesk_core::{InboxStatus, JobId};
use socialdesk_store::testing::TestDb;
use socialdesk_store::{Arrival, InboxFilter, NewEffect, NewJob, StoreError, Undo};
use uuid::Uuid;

use crate::both;
use crate::fixtures::{at, signed_up};
use crate::inbox::{account, item};

both!(
    rules_keep_their_order_and_names_and_stay_in_their_workspace,
    what_rules_did_is_stored_with_a_new_item_only,
    rule_effects_are_undone_unless_changed_since,
    rules_run_later_change_only_items_no_rule_touched
);

fn spec(name: &str) -> RuleSpec {
    RuleSpec {
        name: name.into(),
        enabled: true,
        stop: false,
        conditions: vec![Condition::Keywords { any: vec!["refund".into()] }, Condition::HasLink],
        actions: vec![Action::Tag { tag: "billing".into() }],
    }
}

async fn rules_keep_their_order_and_names_and_stay_in_their_workspace(db: TestDb) {
    let store = &db.store;
    let (ana, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let (bo, other) = signed_up(store, "bo@example.com", "Globex").await;
    let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    for (id, name) in ids.iter().zip(["first", "second", "third"]) {
        store.create_inbox_rule(ws.id, *id, &spec(name), ana.id, at(0)).await.unwrap();
    }
    let names =
        |rules: Vec<socialdesk_core::moderation::Rule>| rules.into_iter().map(|r| r.spec.name).collect::<Vec<_>>();
    assert_eq!(names(store.inbox_rules(ws.id).await.unwrap()), ["first", "second", "third"]);
    let twin = store.create_inbox_rule(ws.id, Uuid::now_v7(), &spec("second"), ana.id, at(0)).await;
    assert!(matches!(twin, Err(StoreError::Conflict("name"))));
    // The same name in another workspace is fine; it does not see these.
    store.create_inbox_rule(other.id, Uuid::now_v7(), &spec("second"), bo.id, at(0)).await.unwrap();
    assert_eq!(store.inbox_rules(other.id).await.unwrap().len(), 1);

    assert!(store.move_inbox_rule(ws.id, ids[2], true).await.unwrap());
    assert_eq!(names(store.inbox_rules(ws.id).await.unwrap()), ["first", "third", "second"]);
    assert!(!store.move_inbox_rule(ws.id, ids[0], true).await.unwrap(), "the first cannot go up");
    assert!(store.move_inbox_rule(ws.id, ids[0], false).await.unwrap());
    assert_eq!(names(store.inbox_rules(ws.id).await.unwrap()), ["third", "first", "second"]);
    assert!(matches!(store.move_inbox_rule(other.id, ids[0], false).await, Err(StoreError::NotFound)));

    let mut changed = spec("first, renamed");
    changed.enabled = false;
    changed.stop = true;
    changed.actions = vec![Action::SetPriority { priority: Priority::Urgent }, Action::MarkSpam];
    let rule = store.update_inbox_rule(ws.id, ids[0], &changed, at(1)).await.unwrap();
    assert_eq!(rule.spec, changed);
    assert_eq!(store.inbox_rule(ws.id, ids[0]).await.unwrap().spec, changed, "read back as written");
    assert!(matches!(store.update_inbox_rule(other.id, ids[0], &changed, at(1)).await, Err(StoreError::NotFound)));
    assert!(matches!(
        store.update_inbox_rule(ws.id, ids[0], &spec("third"), at(1)).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(store.delete_inbox_rule(other.id, ids[0]).await, Err(StoreError::NotFound)));
    store.delete_inbox_rule(ws.id, ids[0]).await.unwrap();
    assert_eq!(names(store.inbox_rules(ws.id).await.unwrap()), ["third", "second"]);

    assert!(!store.auto_replies(ws.id).await.unwrap(), "off until turned on");
    store.set_auto_replies(ws.id, true).await.unwrap();
    assert!(store.auto_replies(ws.id).await.unwrap());
    assert!(!store.auto_replies(other.id).await.unwrap());
}

fn effect(rule: Uuid, action: Action, previous: serde_json::Value, state: EffectState) -> NewEffect {
    NewEffect {
        id: Uuid::now_v7(),
        rule_id: Some(rule),
        rule_name: "refunds".into(),
        action,
        previous: Some(previous),
        state,
        detail: None,
    }
}

async fn what_rules_did_is_stored_with_a_new_item_only(db: TestDb) {
    let store = &db.store;
    let (ana, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let a = account(&db, &ws).await;
    let rule = store.create_inbox_rule(ws.id, Uuid::now_v7(), &spec("refunds"), ana.id, at(0)).await.unwrap();
    let mut first = item(&a, "r1", "reply", 1);
    first.assignee_id = Some(ana.id);
    first.priority = Priority::High;
    first.tags = vec!["billing".into(), "vip".into()];
    let hide = effect(rule.id, Action::Hide, serde_json::json!({}), EffectState::Pending);
    let job = NewJob {
        id: JobId::from_uuid(Uuid::now_v7()),
        workspace_id: Some(ws.id),
        kind: "inbox-rule-effect".into(),
        payload: serde_json::json!({"effect": hide.id}),
        dedupe_key: None,
        run_at: at(1),
        max_attempts: 5,
        created_at: at(1),
    };
    let arrival = Arrival {
        item: first.clone(),
        effects: vec![
            effect(
                rule.id,
                Action::Assign { to: Assignee::User(ana.id) },
                serde_json::json!({"assignee": null}),
                EffectState::Applied,
            ),
            effect(rule.id, Action::Tag { tag: "billing".into() }, serde_json::json!({}), EffectState::Applied),
            hide.clone(),
        ],
        jobs: vec![job.clone()],
        notifications: Vec::new(),
    };
    let plain: Arrival = item(&a, "r2", "reply", 2).into();
    assert_eq!(store.store_inbox_page(ws.id, a.id, &[arrival.clone(), plain], None, at(3)).await.unwrap(), 2);
    // The same page again (a crash before the cursor moved): nothing doubles.
    let mut again = arrival.clone();
    again.item.id = Uuid::now_v7();
    again.effects.iter_mut().for_each(|e| e.id = Uuid::now_v7());
    again.jobs[0].id = JobId::from_uuid(Uuid::now_v7());
    assert_eq!(store.store_inbox_page(ws.id, a.id, &[again], None, at(4)).await.unwrap(), 0);

    let stored = store.inbox_item(ws.id, first.id).await.unwrap();
    assert_eq!((stored.assignee_id, stored.priority), (Some(ana.id), Priority::High));
    assert_eq!(stored.tags, ["billing", "vip"]);
    let effects = store.rule_effects(ws.id, Some(first.id), 10).await.unwrap();
    assert_eq!(effects.len(), 3);
    assert_eq!(store.rule_effects_of(ws.id, &[first.id, Uuid::now_v7()]).await.unwrap().len(), 3);
    let (_, other) = signed_up(store, "bo@example.com", "Globex").await;
    assert!(store.rule_effects_of(other.id, &[first.id]).await.unwrap().is_empty(), "not another workspace's");
    assert_eq!(store.rule_effects(ws.id, None, 10).await.unwrap().len(), 3);
    assert_eq!(effects.iter().filter(|e| e.state == EffectState::Pending).count(), 1);
    assert_eq!(effects[0].item_author, "@someone");
    assert!(store.job(job.id.as_uuid()).await.unwrap().is_some(), "the job came with the item");
    assert_eq!(store.inbox_tags(ws.id).await.unwrap(), [("billing".to_owned(), 1), ("vip".to_owned(), 1)]);

    let filter = |f: InboxFilter| async move { store.inbox(ws.id, &f, 10).await.unwrap().len() };
    assert_eq!(filter(InboxFilter { tag: Some("vip".into()), ..Default::default() }).await, 1);
    assert_eq!(filter(InboxFilter { tag: Some("nope".into()), ..Default::default() }).await, 0);
    assert_eq!(filter(InboxFilter { priority: Some(Priority::High), ..Default::default() }).await, 1);
    assert_eq!(filter(InboxFilter { priority: Some(Priority::Normal), ..Default::default() }).await, 1);
    assert_eq!(filter(InboxFilter { sentiment: Some("negative".into()), ..Default::default() }).await, 2);
    assert_eq!(filter(InboxFilter { sentiment: Some("positive".into()), ..Default::default() }).await, 0);

    // The hide is carried out: the item is marked hidden with it, once.
    assert!(store.settle_rule_effect(ws.id, hide.id, EffectState::Applied, None, None, at(5)).await.unwrap());
    assert!(!store.settle_rule_effect(ws.id, hide.id, EffectState::Failed, Some("x"), None, at(6)).await.unwrap());
    assert_eq!(store.inbox_item(ws.id, first.id).await.unwrap().hidden_at, Some(at(5)));
}

async fn rule_effects_are_undone_unless_changed_since(db: TestDb) {
    let store = &db.store;
    let (ana, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let (_, other) = signed_up(store, "bo@example.com", "Globex").await;
    let a = account(&db, &ws).await;
    let rule = store.create_inbox_rule(ws.id, Uuid::now_v7(), &spec("refunds"), ana.id, at(0)).await.unwrap();
    let mut it = item(&a, "r1", "reply", 1);
    it.assignee_id = Some(ana.id);
    it.priority = Priority::Urgent;
    it.category = Some("spam".into());
    it.status = InboxStatus::Done;
    it.tags = vec!["billing".into()];
    let assign = effect(
        rule.id,
        Action::Assign { to: Assignee::User(ana.id) },
        serde_json::json!({"assignee": null}),
        EffectState::Applied,
    );
    let priority = effect(
        rule.id,
        Action::SetPriority { priority: Priority::Urgent },
        serde_json::json!({"priority": "normal"}),
        EffectState::Applied,
    );
    let spam = effect(
        rule.id,
        Action::MarkSpam,
        serde_json::json!({"category": "complaint", "status": "open"}),
        EffectState::Applied,
    );
    let tag = effect(rule.id, Action::Tag { tag: "billing".into() }, serde_json::json!({}), EffectState::Applied);
    let hide = effect(rule.id, Action::Hide, serde_json::json!({}), EffectState::Pending);
    let effects = vec![assign.clone(), priority.clone(), spam.clone(), tag.clone(), hide.clone()];
    let arrival = Arrival { item: it.clone(), effects, jobs: Vec::new(), notifications: Vec::new() };
    store.store_inbox_page(ws.id, a.id, &[arrival], None, at(2)).await.unwrap();

    assert!(matches!(store.undo_rule_effect(other.id, assign.id, ana.id, at(3)).await, Err(StoreError::NotFound)));
    // Someone set the priority by hand since: theirs stays, and the effect too.
    store.set_inbox_priority(ws.id, it.id, Priority::Low).await.unwrap();
    assert_eq!(store.undo_rule_effect(ws.id, priority.id, ana.id, at(3)).await.unwrap(), Undo::ChangedSince);
    assert_eq!(store.rule_effect(ws.id, priority.id).await.unwrap().state, EffectState::Applied);

    for e in [&assign, &spam, &tag, &hide] {
        assert_eq!(store.undo_rule_effect(ws.id, e.id, ana.id, at(4)).await.unwrap(), Undo::Done, "{:?}", e.action);
    }
    let back = store.inbox_item(ws.id, it.id).await.unwrap();
    assert_eq!(back.assignee_id, None);
    assert_eq!((back.category.as_deref(), back.status), (Some("complaint"), InboxStatus::Open));
    assert!(back.tags.is_empty());
    assert_eq!(back.priority, Priority::Low);
    let undone = store.rule_effect(ws.id, assign.id).await.unwrap();
    assert_eq!((undone.state, undone.undone_at, undone.undone_by), (EffectState::Undone, Some(at(4)), Some(ana.id)));
    // Twice is nothing; a pending hide undone is never carried out.
    assert_eq!(store.undo_rule_effect(ws.id, assign.id, ana.id, at(5)).await.unwrap(), Undo::NothingToUndo);
    assert!(!store.settle_rule_effect(ws.id, hide.id, EffectState::Applied, None, None, at(6)).await.unwrap());
    assert_eq!(store.inbox_item(ws.id, it.id).await.unwrap().hidden_at, None);
}

async fn rules_run_later_change_only_items_no_rule_touched(db: TestDb) {
    let store = &db.store;
    let (ana, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let a = account(&db, &ws).await;
    let rule = Uuid::now_v7();
    store.create_inbox_rule(ws.id, rule, &spec("later"), ana.id, at(0)).await.unwrap();
    let page: Vec<Arrival> =
        [item(&a, "x1", "reply", 1), item(&a, "x2", "reply", 2)].into_iter().map(Arrival::from).collect();
    store.store_inbox_page(ws.id, a.id, &page, None, at(3)).await.unwrap();
    let later = |remote: usize| {
        let mut item = page[remote].item.clone();
        item.priority = Priority::Urgent;
        item.tags.push("billing".into());
        Arrival {
            item,
            effects: vec![effect(
                rule,
                Action::SetPriority { priority: Priority::Urgent },
                serde_json::json!({"priority": "normal"}),
                EffectState::Applied,
            )],
            jobs: Vec::new(),
            notifications: Vec::new(),
        }
    };
    // Nothing to do for an arrival without effects; another workspace's id changes nothing.
    assert_eq!(store.apply_rule_arrivals(ws.id, &[Arrival::from(page[1].item.clone())], at(4)).await.unwrap(), 0);
    let (_, other) = signed_up(store, "bo@example.com", "Globex").await;
    assert_eq!(store.apply_rule_arrivals(other.id, &[later(0)], at(4)).await.unwrap(), 0);
    assert_eq!(store.apply_rule_arrivals(ws.id, &[later(0), later(1)], at(4)).await.unwrap(), 2);
    let first = store.inbox_item(ws.id, page[0].item.id).await.unwrap();
    assert_eq!((first.priority, first.tags.clone()), (Priority::Urgent, vec!["billing".to_owned()]));
    assert_eq!(store.rule_effects_of(ws.id, &[first.id]).await.unwrap().len(), 1);
    // Run again: both were touched, so nothing changes and nothing is logged twice.
    assert_eq!(store.apply_rule_arrivals(ws.id, &[later(0), later(1)], at(5)).await.unwrap(), 0);
    assert_eq!(store.rule_effects_of(ws.id, &[first.id]).await.unwrap().len(), 1);
}
