//! Answers that wait for approval: a contributor proposes, an editor sends
//! (perhaps edited) or turns down, and each hears of the other.

use std::sync::Arc;

use socialdesk_app::AppError;
use socialdesk_core::{InboxStatus, Role};
use socialdesk_networks::sandbox::Sandbox;
use socialdesk_store::InboxFilter;
use socialdesk_store::testing::TestDb;

use crate::publishing::{connect, setup, teammate};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contributors_answer_waits_until_an_editor_sends_or_turns_it_down() {
    let s = setup(TestDb::sqlite().await, Arc::new(Sandbox::new())).await;
    let carl = teammate(&s, "carl@example.com", "contributor").await;
    let eve = teammate(&s, "eve@example.com", "editor").await;
    let viewer = teammate(&s, "vi@example.com", "viewer").await;
    let account = connect(&s, "sandbox").await;
    s.app.sync_inbox(s.actor.workspace.id, account).await.unwrap();
    let items = s.app.inbox(&s.actor, &InboxFilter::default(), 500).await.unwrap();
    let (first, second) = (&items[0], &items[1]);
    assert_eq!(s.app.reply_approval(&s.actor).await.unwrap(), [Role::Contributor], "contributors wait by default");

    // The contributor proposes: nothing goes out; the item waits; the owner hears of it.
    let proposed = s.app.reply_to_inbox_item(&carl, first.id, "  Sorry about that, we are on it!  ").await.unwrap();
    assert_eq!(proposed.replied_at, None);
    assert_eq!(proposed.status, InboxStatus::Pending);
    let draft = proposed.reply_draft.clone().unwrap();
    assert_eq!((draft.text.as_str(), draft.by), ("Sorry about that, we are on it!", Some(carl.user.id)));
    let told = s.app.notifications(&s.actor, false, 10).await.unwrap();
    assert_eq!(told[0].kind, "reply_approval");
    assert!(told[0].message.starts_with("carl proposed an answer to @"), "{}", told[0].message);
    assert!(s.app.notifications(&eve, false, 10).await.unwrap().is_empty(), "eve is not assigned, not a lead");
    let e = s.app.reply_to_inbox_item(&carl, first.id, "again").await.unwrap_err();
    assert!(matches!(e, AppError::Conflict { .. }), "one proposal at a time: {e:?}");

    // Who may decide: not the proposer, not a viewer, not a role whose answers wait.
    assert!(matches!(s.app.approve_inbox_reply(&carl, first.id, None).await, Err(AppError::Forbidden(_))));
    assert!(matches!(s.app.approve_inbox_reply(&viewer, first.id, None).await, Err(AppError::Forbidden(_))));
    assert!(matches!(s.app.reply_to_inbox_item(&viewer, first.id, "hi").await, Err(AppError::Forbidden(_))));
    let e = s.app.approve_inbox_reply(&eve, second.id, None).await.unwrap_err();
    assert!(matches!(e, AppError::Conflict { .. }), "nothing waits on the second: {e:?}");

    // The editor sends it, edited; it counts as carl's answer.
    let sent = s.app.approve_inbox_reply(&eve, first.id, Some("Sorry about that, Ana: we are on it!")).await.unwrap();
    assert_eq!(sent.reply_text.as_deref(), Some("Sorry about that, Ana: we are on it!"));
    assert_eq!((sent.replied_by, sent.status, sent.reply_draft), (Some(carl.user.id), InboxStatus::Done, None));
    let carls = s.app.notifications(&carl, false, 10).await.unwrap();
    assert_eq!(carls[0].kind, "reply_approved");
    assert!(carls[0].message.ends_with(", edited"), "{}", carls[0].message);
    let log = s.app.audit_log(&s.actor, 20).await.unwrap();
    assert!(log.iter().any(|e| e.action == "inbox.reply_approved" && e.detail.contains("\"edited\":true")));
    assert!(log.iter().any(|e| e.action == "inbox.reply_proposed"));

    // A second proposal, turned down with a reason (which is required).
    s.app
        .reply_with_saved(&carl, second.id, {
            s.app.create_saved_reply(&s.actor, "Thanks", "Thanks {first_name}!").await.unwrap().id
        })
        .await
        .unwrap();
    let e = s.app.turn_down_inbox_reply(&eve, second.id, "  ").await.unwrap_err();
    assert!(matches!(e, AppError::Invalid(ref f) if f[0].field == "reason"));
    let reopened = s.app.turn_down_inbox_reply(&eve, second.id, "Too short for a complaint").await.unwrap();
    assert_eq!((reopened.status, reopened.reply_draft, reopened.replied_at), (InboxStatus::Open, None, None));
    let carls = s.app.notifications(&carl, false, 10).await.unwrap();
    assert_eq!(carls[0].kind, "reply_turned_down");
    assert!(carls[0].message.ends_with(": Too short for a complaint"), "{}", carls[0].message);

    // Editors can be made to wait too; then only owners and admins decide, and editors' answers wait.
    let e = s.app.set_reply_approval(&s.actor, &["editor".into(), "admin".into()]).await.unwrap_err();
    assert!(matches!(e, AppError::Invalid(ref f) if f[0].field == "roles/1"));
    assert!(matches!(s.app.set_reply_approval(&eve, &["editor".into()]).await, Err(AppError::Forbidden(_))));
    s.app.set_reply_approval(&s.actor, &["editor".into(), "contributor".into()]).await.unwrap();
    let waits = s.app.reply_to_inbox_item(&eve, second.id, "Thanks for telling us").await.unwrap();
    assert!(waits.reply_draft.is_some() && waits.replied_at.is_none());
    assert!(!s.app.can_approve_replies(&eve).await.unwrap());
    let sent = s.app.approve_inbox_reply(&s.actor, second.id, None).await.unwrap();
    assert_eq!((sent.reply_text.as_deref(), sent.replied_by), (Some("Thanks for telling us"), Some(eve.user.id)));

    // Nobody waits: contributors may not answer at all, editors send at once.
    s.app.set_reply_approval(&s.actor, &[]).await.unwrap();
    let third = &items[2];
    assert!(matches!(s.app.reply_to_inbox_item(&carl, third.id, "hi").await, Err(AppError::Forbidden(_))));
    let direct = s.app.reply_to_inbox_item(&eve, third.id, "Hello!").await.unwrap();
    assert!(direct.replied_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_pages_figures_are_kept_until_an_answer_goes_out() {
    let s = setup(TestDb::sqlite().await, Arc::new(Sandbox::new())).await;
    let account = connect(&s, "sandbox").await;
    s.app.sync_inbox(s.actor.workspace.id, account).await.unwrap();
    let questions = s.app.inbox(&s.actor, &InboxFilter::default(), 500).await.unwrap();
    let question = questions.iter().find(|i| i.category.as_deref() == Some("question")).expect("a question");
    // Look from just after the question (the sandbox dates its messages by the real clock).
    let newest = questions.iter().map(|i| i.created_at).max().unwrap();
    s.clock.set(newest + chrono::Duration::hours(1));
    let before = s.app.inbox_page_figures(&s.actor).await.unwrap();
    assert!(before.response.questions > 0);
    let kept = s.app.inbox_page_figures(&s.actor).await.unwrap();
    assert!(Arc::ptr_eq(&before, &kept), "read again within a minute: the same figures");
    s.app.reply_to_inbox_item(&s.actor, question.id, "Yes, from 8 to 6!").await.unwrap();
    s.clock.advance(chrono::Duration::minutes(1));
    let after = s.app.inbox_page_figures(&s.actor).await.unwrap();
    assert!(!Arc::ptr_eq(&before, &after), "an answer computes them again");
    assert_eq!(after.response.answered, before.response.answered + 1);
    assert_eq!(after.teammates.len(), 1, "the answer is Ana's");
}
