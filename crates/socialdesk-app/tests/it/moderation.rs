//! Moderation rules on a real sync from the sandbox: what they set on items,
//! what the worker does on the network, the log and undo.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use socialdesk_app::AppError;
use socialdesk_core::InboxStatus;
use socialdesk_core::moderation::{Action, Assignee, EffectState, Priority, RuleSpec};
use socialdesk_networks::sandbox::Sandbox;
use socialdesk_store::InboxFilter;
use socialdesk_store::testing::TestDb;

use crate::publishing::{connect, setup, teammate, worker};

fn rule(json: serde_json::Value) -> RuleSpec {
    serde_json::from_value(json).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_act_on_arriving_items_the_worker_finishes_on_the_network_and_undo_takes_back() {
    // The sandbox's own clock, moved with the app's.
    let at = Arc::new(std::sync::Mutex::new(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()));
    let sandbox_at = at.clone();
    let sandbox = Sandbox::with_clock(Arc::new(move || *sandbox_at.lock().unwrap()));
    let s = setup(TestDb::sqlite().await, Arc::new(sandbox.clone())).await;
    let jin = teammate(&s, "jin@example.com", "editor").await;
    let max = teammate(&s, "max@example.com", "editor").await;
    let thanks = s.app.create_saved_reply(&s.actor, "Thanks", "Thanks {first_name}, we are on it!").await.unwrap();

    // Every problem at once, each by its field.
    let bad = rule(serde_json::json!({"name": "", "conditions": [{"type": "query", "query": "refund AND (late"}],
        "actions": [{"type": "assign", "to": {"role": "viewer"}}]}));
    let AppError::Invalid(errors) = s.app.create_inbox_rule(&s.actor, bad).await.unwrap_err() else { panic!() };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["actions/0/to", "conditions/0/query", "name"]);
    // Only those who manage settings write rules.
    let spec = rule(serde_json::json!({"name": "x", "actions": [{"type": "tag", "tag": "x"}]}));
    assert!(matches!(s.app.create_inbox_rule(&jin, spec).await, Err(AppError::Forbidden(_))));

    let complaints = s
        .app
        .create_inbox_rule(
            &s.actor,
            rule(serde_json::json!({"name": "Complaints to the editors", "conditions": [{"type": "kind", "any": ["complaint"]}],
                "actions": [{"type": "assign", "to": {"role": "editor"}}, {"type": "set_priority", "priority": "high"},
                            {"type": "tag", "tag": "complaint"}]})),
        )
        .await
        .unwrap();
    s.app
        .create_inbox_rule(
            &s.actor,
            rule(serde_json::json!({"name": "Spam", "stop": true,
                "conditions": [{"type": "keywords", "any": ["10k followers", "free followers"]}],
                "actions": [{"type": "mark_spam"}, {"type": "hide"}]})),
        )
        .await
        .unwrap();
    s.app
        .create_inbox_rule(
            &s.actor,
            rule(serde_json::json!({"name": "Questions", "conditions": [{"type": "kind", "any": ["question"]}],
                "actions": [{"type": "tag", "tag": "question"}, {"type": "auto_reply", "saved_reply": thanks.id}]})),
        )
        .await
        .unwrap();
    let rules = s.app.inbox_rules(&s.actor).await.unwrap();
    assert_eq!(
        rules.iter().map(|r| r.spec.name.as_str()).collect::<Vec<_>>(),
        ["Complaints to the editors", "Spam", "Questions"]
    );

    // A rule tried on what is there before it is saved: nothing yet.
    let preview = s.app.preview_inbox_rule(&s.actor, rules[0].spec.clone()).await.unwrap();
    assert_eq!((preview.tried, preview.matched.len()), (0, 0));

    let account = connect(&s, "sandbox").await;
    let ws = s.actor.workspace.id;
    let new = s.app.sync_inbox(ws, account).await.unwrap();
    let items = s.app.inbox(&s.actor, &InboxFilter::default(), 500).await.unwrap();
    assert_eq!(items.len() as u64, new);

    let complaint_items: Vec<_> = items.iter().filter(|i| i.category.as_deref() == Some("complaint")).collect();
    assert!(complaint_items.len() >= 2, "the sandbox has complaints");
    for i in &complaint_items {
        assert_eq!(i.priority, Priority::High);
        assert!(i.tags.contains(&"complaint".to_owned()));
        assert!([Some(jin.user.id), Some(max.user.id)].contains(&i.assignee_id), "an editor, not the owner");
    }
    let to_jin = complaint_items.iter().filter(|i| i.assignee_id == Some(jin.user.id)).count();
    assert!(
        to_jin.abs_diff(complaint_items.len() - to_jin) <= 1,
        "shared out evenly: {to_jin} of {}",
        complaint_items.len()
    );

    let spam: Vec<_> = items.iter().filter(|i| i.text.contains("10k followers")).collect();
    assert!(!spam.is_empty(), "the sandbox has spam");
    assert!(spam.iter().all(|i| i.category.as_deref() == Some("spam")));
    assert!(spam.iter().all(|i| i.status == InboxStatus::Done && i.tags.is_empty()), "stop: later rules skip spam");

    // Automatic replies are off: logged as skipped, never sent.
    let question = items.iter().find(|i| i.category.as_deref() == Some("question")).unwrap();
    let effects = s.app.rule_effects(&s.actor, Some(question.id), 10).await.unwrap();
    let auto = effects.iter().find(|e| matches!(e.action, Action::AutoReply { .. })).unwrap();
    assert_eq!(
        (auto.state, auto.detail.as_deref()),
        (EffectState::Skipped, Some("automatic replies are off in this workspace"))
    );
    assert!(question.tags.contains(&"question".to_owned()));

    // The worker hides the spam on the network.
    let hide = s.app.rule_effects(&s.actor, Some(spam[0].id), 10).await.unwrap();
    let hide = hide.iter().find(|e| e.action == Action::Hide).unwrap().clone();
    assert_eq!(hide.state, EffectState::Pending);
    let (stop, running) = worker(&s.app);
    for _ in 0..200 {
        if s.app.rule_effects(&s.actor, None, 500).await.unwrap().iter().all(|e| e.state != EffectState::Pending) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(s.app.rule_effects(&s.actor, Some(spam[0].id), 10).await.unwrap()[0].state, EffectState::Applied);
    assert!(sandbox.is_hidden(&spam[0].remote_id));
    assert!(s.app.inbox_item(&s.actor, spam[0].id).await.unwrap().hidden_at.is_some());

    // Undo: the hide is lifted on the network; an assignment goes back.
    let undone = s.app.undo_rule_effect(&s.actor, hide.id).await.unwrap();
    assert_eq!(undone.state, EffectState::Undone);
    assert!(!sandbox.is_hidden(&spam[0].remote_id));
    assert_eq!(s.app.inbox_item(&s.actor, spam[0].id).await.unwrap().hidden_at, None);
    let again = s.app.undo_rule_effect(&s.actor, hide.id).await.unwrap_err();
    assert!(matches!(again, AppError::Conflict { .. }), "once");
    let assigned = complaint_items[0];
    let effects = s.app.rule_effects(&s.actor, Some(assigned.id), 10).await.unwrap();
    let assign = effects.iter().find(|e| matches!(e.action, Action::Assign { to: Assignee::User(_) })).unwrap();
    assert_eq!(assign.detail.as_deref(), Some("the least busy editor"));
    s.app.undo_rule_effect(&jin, assign.id).await.unwrap();
    assert_eq!(s.app.inbox_item(&s.actor, assigned.id).await.unwrap().assignee_id, None);

    // With automatic replies on, the next questions are answered once, by the worker.
    s.app.set_auto_replies(&s.actor, true).await.unwrap();
    let all = InboxFilter::default();
    let before = s.app.inbox(&s.actor, &all, 500).await.unwrap().len();
    s.clock.advance(Duration::hours(12));
    *at.lock().unwrap() += Duration::hours(12);
    // The worker's own periodic sync may get there first: count what arrived, whoever stored it.
    s.app.sync_inbox(ws, account).await.unwrap();
    let after = s.app.inbox(&s.actor, &all, 500).await.unwrap().len();
    assert!(after > before, "more conversation: {before} items, then {after}");
    for _ in 0..200 {
        if s.app.rule_effects(&s.actor, None, 500).await.unwrap().iter().all(|e| e.state != EffectState::Pending) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stop.send(true).unwrap();
    running.await.unwrap();
    let sent: Vec<_> = s
        .app
        .rule_effects(&s.actor, None, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e.action, Action::AutoReply { .. }) && e.state == EffectState::Applied)
        .collect();
    assert!(
        !sent.is_empty(),
        "later questions were answered: {:?}",
        s.app
            .rule_effects(&s.actor, None, 20)
            .await
            .unwrap()
            .iter()
            .map(|e| (e.action.describe(), e.state, e.detail.clone()))
            .collect::<Vec<_>>()
    );
    assert!(sent.iter().all(|e| e.remote_id.is_some()));

    // The rule is tried on what is there now; deleting it keeps its log.
    let preview = s.app.preview_inbox_rule(&s.actor, complaints.spec.clone()).await.unwrap();
    assert!(preview.matched.len() >= complaint_items.len() && preview.tried > preview.matched.len());
    s.app.delete_inbox_rule(&s.actor, complaints.id).await.unwrap();
    let log = s.app.rule_effects(&s.actor, Some(assigned.id), 10).await.unwrap();
    assert!(log.iter().any(|e| e.rule_name == "Complaints to the editors" && e.rule_id.is_none()));

    // Tags and priority by hand.
    let tagged = s.app.tag_inbox_item(&s.actor, question.id, " #VIP ").await.unwrap();
    assert!(tagged.tags.contains(&"vip".to_owned()));
    let filter = InboxFilter { tag: Some("vip".into()), ..Default::default() };
    assert_eq!(s.app.inbox(&s.actor, &filter, 10).await.unwrap().len(), 1);
    let urgent = s.app.set_inbox_priority(&s.actor, question.id, Priority::Urgent).await.unwrap();
    assert_eq!(urgent.priority, Priority::Urgent);
    let e = s.app.tag_inbox_item(&s.actor, question.id, "  ").await.unwrap_err();
    assert!(matches!(e, AppError::Invalid(ref f) if f[0].field == "tag"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assignments_negative_vips_and_waiting_messages_are_announced_to_the_right_people() {
    let at = Arc::new(std::sync::Mutex::new(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()));
    let sandbox_at = at.clone();
    let sandbox = Sandbox::with_clock(Arc::new(move || *sandbox_at.lock().unwrap()));
    let s = setup(TestDb::sqlite().await, Arc::new(sandbox)).await;
    let jin = teammate(&s, "jin@example.com", "editor").await;
    let max = teammate(&s, "max@example.com", "editor").await;
    let viewer = teammate(&s, "vi@example.com", "viewer").await;
    // Every negative message is VIP here; questions go to jin.
    s.app
        .create_inbox_rule(
            &s.actor,
            rule(serde_json::json!({"name": "VIP", "conditions": [{"type": "sentiment_below", "score": -0.05}],
                "actions": [{"type": "tag", "tag": "VIP"}]})),
        )
        .await
        .unwrap();
    s.app
        .create_inbox_rule(
            &s.actor,
            rule(serde_json::json!({"name": "Questions to Jin", "conditions": [{"type": "kind", "any": ["question"]}],
                "actions": [{"type": "assign", "to": {"user": jin.user.id}}]})),
        )
        .await
        .unwrap();
    let account = connect(&s, "sandbox").await;
    s.app.sync_inbox(s.actor.workspace.id, account).await.unwrap();
    let items = s.app.inbox(&s.actor, &InboxFilter::default(), 500).await.unwrap();
    let questions = items.iter().filter(|i| i.category.as_deref() == Some("question")).count();

    let jins = s.app.notifications(&jin, false, 500).await.unwrap();
    let assigned = jins.iter().filter(|n| n.kind == "assigned").count();
    assert_eq!(assigned, questions, "one per question the rule gave jin");
    assert!(
        jins[0].message.starts_with("Rule “Questions to Jin” assigned you a message from @"),
        "{}",
        jins[0].message
    );
    let negative_vips = items.iter().filter(|i| i.tags.contains(&"vip".to_owned())).count();
    assert!(negative_vips > 0);
    let owners = s.app.notifications(&s.actor, false, 500).await.unwrap();
    assert_eq!(owners.iter().filter(|n| n.kind == "vip_negative").count(), negative_vips, "the owner hears of each");
    assert!(s.app.notifications(&max, false, 500).await.unwrap().is_empty(), "max is neither lead nor assignee");

    // A teammate's assignment tells the assignee, not the one who did it.
    let item = items.iter().find(|i| i.assignee_id.is_none()).unwrap();
    s.app.update_inbox_item(&jin, item.id, InboxStatus::Open, Some(max.user.id)).await.unwrap();
    let maxs = s.app.notifications(&max, true, 10).await.unwrap();
    assert_eq!(maxs.len(), 1);
    assert_eq!(maxs[0].message, format!("jin assigned you a message from {}", item.author_handle));
    assert_eq!(maxs[0].item_id, Some(item.id));
    s.app.update_inbox_item(&jin, item.id, InboxStatus::Pending, Some(max.user.id)).await.unwrap();
    assert_eq!(s.app.unread_notifications(&max).await.unwrap(), 1, "no second notice for the same assignee");
    s.app.update_inbox_item(&max, item.id, InboxStatus::Open, Some(max.user.id)).await.unwrap();
    assert_eq!(s.app.mark_notifications_read(&max, None).await.unwrap(), 1);

    // Waiting: nothing without a target; with one, each open message once, to its assignee or to
    // everyone who answers (not the viewer).
    assert_eq!(s.app.announce_waiting().await.unwrap(), 0);
    let e = s.app.set_response_target(&jin, "2h").await.unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)));
    let e = s.app.set_response_target(&s.actor, "2 hours").await.unwrap_err();
    assert!(matches!(e, AppError::Invalid(ref f) if f[0].field == "response_target"));
    assert_eq!(s.app.set_response_target(&s.actor, "30m").await.unwrap(), Some(30));
    s.clock.advance(Duration::hours(1));
    let open = s
        .app
        .inbox(&s.actor, &InboxFilter { status: Some(InboxStatus::Open), ..Default::default() }, 500)
        .await
        .unwrap();
    let announced = s.app.announce_waiting().await.unwrap();
    assert_eq!(announced as usize, open.iter().filter(|i| i.created_at > s.app.now() - Duration::days(7)).count());
    assert_eq!(s.app.announce_waiting().await.unwrap(), 0, "once per message");
    let waiting_for_max = s.app.notifications(&max, true, 500).await.unwrap();
    assert!(waiting_for_max.iter().all(|n| n.kind == "waiting"));
    assert!(waiting_for_max.iter().any(|n| n.item_id == Some(item.id)), "max's own message");
    assert!(waiting_for_max[0].message.contains("(the target is 30m)"), "{}", waiting_for_max[0].message);
    assert!(s.app.notifications(&viewer, false, 500).await.unwrap().is_empty(), "viewers do not answer messages");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn likes_and_hides_from_the_app_reach_the_network_and_are_recorded() {
    let sandbox = Sandbox::new();
    let s = setup(TestDb::sqlite().await, Arc::new(sandbox.clone())).await;
    let viewer = teammate(&s, "vi@example.com", "viewer").await;
    let account = connect(&s, "sandbox").await;
    s.app.sync_inbox(s.actor.workspace.id, account).await.unwrap();
    let items = s.app.inbox(&s.actor, &InboxFilter::default(), 500).await.unwrap();
    let reply = items.iter().find(|i| i.kind != "direct_message").unwrap();

    let liked = s.app.like_inbox_item(&s.actor, reply.id, true).await.unwrap();
    assert!(liked.liked_at.is_some() && sandbox.is_liked(&reply.remote_id));
    let unliked = s.app.like_inbox_item(&s.actor, reply.id, false).await.unwrap();
    assert!(unliked.liked_at.is_none() && !sandbox.is_liked(&reply.remote_id));
    let hidden = s.app.hide_inbox_item(&s.actor, reply.id, true).await.unwrap();
    assert!(hidden.hidden_at.is_some() && sandbox.is_hidden(&reply.remote_id));
    let shown = s.app.hide_inbox_item(&s.actor, reply.id, false).await.unwrap();
    assert!(shown.hidden_at.is_none() && !sandbox.is_hidden(&reply.remote_id));
    assert!(matches!(s.app.like_inbox_item(&viewer, reply.id, true).await, Err(AppError::Forbidden(_))));
    let log = s.app.audit_log(&s.actor, 10).await.unwrap();
    for action in ["inbox.liked", "inbox.unliked", "inbox.hidden", "inbox.shown"] {
        assert!(log.iter().any(|e| e.action == action), "{action}");
    }
    if let Some(dm) = items.iter().find(|i| i.kind == "direct_message") {
        assert!(matches!(s.app.hide_inbox_item(&s.actor, dm.id, true).await, Err(AppError::Conflict { .. })));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_run_later_on_open_messages_act_once_and_never_answer_what_was_waiting() {
    let s = setup(TestDb::sqlite().await, Arc::new(Sandbox::new())).await;
    let jin = teammate(&s, "jin@example.com", "editor").await;
    let account = connect(&s, "sandbox").await;
    s.app.sync_inbox(s.actor.workspace.id, account).await.unwrap();
    let before = s
        .app
        .inbox(&s.actor, &InboxFilter { status: Some(InboxStatus::Open), ..Default::default() }, 500)
        .await
        .unwrap();
    let complaints = before.iter().filter(|i| i.category.as_deref() == Some("complaint")).count();
    assert!(complaints > 0);

    // A rule written after the messages came in, with an automatic answer (turned on).
    let thanks = s.app.create_saved_reply(&s.actor, "Sorry", "Sorry {first_name}, we are on it").await.unwrap();
    s.app.set_auto_replies(&s.actor, true).await.unwrap();
    s.app
        .create_inbox_rule(
            &s.actor,
            rule(serde_json::json!({"name": "Complaints", "conditions": [{"type": "kind", "any": ["complaint"]}],
                "actions": [{"type": "tag", "tag": "unhappy"}, {"type": "set_priority", "priority": "high"},
                            {"type": "auto_reply", "saved_reply": thanks.id}]})),
        )
        .await
        .unwrap();
    assert!(matches!(s.app.apply_rules_to_open(&jin).await, Err(AppError::Forbidden(_))));
    let (tried, acted) = s.app.apply_rules_to_open(&s.actor).await.unwrap();
    assert_eq!((tried, acted as usize), (before.len(), complaints));
    let unhappy =
        s.app.inbox(&s.actor, &InboxFilter { tag: Some("unhappy".into()), ..Default::default() }, 500).await.unwrap();
    assert_eq!(unhappy.len(), complaints);
    assert!(unhappy.iter().all(|i| i.priority == Priority::High && i.replied_at.is_none()));
    let log = s.app.rule_effects(&s.actor, None, 500).await.unwrap();
    let answers: Vec<_> = log.iter().filter(|e| matches!(e.action, Action::AutoReply { .. })).collect();
    assert_eq!(answers.len(), complaints);
    assert!(
        answers
            .iter()
            .all(|e| e.state == EffectState::Skipped && e.detail.as_deref().unwrap().contains("already waiting"))
    );
    // A second run finds nothing new to act on; what it did can be undone as usual.
    assert_eq!(s.app.apply_rules_to_open(&s.actor).await.unwrap(), (before.len() - complaints, 0));
    let tag = log.iter().find(|e| matches!(e.action, Action::Tag { .. })).unwrap();
    s.app.undo_rule_effect(&s.actor, tag.id).await.unwrap();
    assert_eq!(
        s.app
            .inbox(&s.actor, &InboxFilter { tag: Some("unhappy".into()), ..Default::default() }, 500)
            .await
            .unwrap()
            .len(),
        complaints - 1
    );
}
