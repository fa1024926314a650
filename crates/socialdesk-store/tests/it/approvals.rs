//! Approval steps and approvals as stored: steps read back as set, an
//! approval counts once per revision and step, and a workspace sees only its own.

use socialdesk_core::Role;
use socialdesk_core::approval::{ApprovalStep, StepMode};
use socialdesk_store::StoreError;
use socialdesk_store::testing::TestDb;

use crate::both;
use crate::fixtures::{at, signed_up};
use crate::inbox::account;
use crate::queues::post;

both!(steps_and_approvals_read_back_per_revision);

async fn steps_and_approvals_read_back_per_revision(db: TestDb) {
    let store = &db.store;
    let (ana, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let (bo, other) = signed_up(store, "bo@example.com", "Other").await;
    assert!(store.workspace_policy(ws.id).await.unwrap().steps.is_empty(), "none until set");
    let steps = vec![
        ApprovalStep { name: "Lead".into(), mode: StepMode::Any, users: vec![ana.id], roles: vec![] },
        ApprovalStep { name: "Client".into(), mode: StepMode::All, users: vec![], roles: vec![Role::Client] },
    ];
    store.set_approval_steps(ws.id, &steps).await.unwrap();
    assert_eq!(store.workspace_policy(ws.id).await.unwrap().steps, steps);
    assert!(store.workspace_policy(other.id).await.unwrap().steps.is_empty());

    let a = account(&db, &ws).await;
    let (p, v) = post(&ws, &a, "for review", 60, false);
    store.create_post(&p, &v).await.unwrap();
    assert!(store.add_post_approval(ws.id, p.id, 1, 0, ana.id, at(1)).await.unwrap());
    assert!(!store.add_post_approval(ws.id, p.id, 1, 0, ana.id, at(2)).await.unwrap(), "once per step");
    assert!(store.add_post_approval(ws.id, p.id, 1, 1, ana.id, at(3)).await.unwrap());
    assert!(store.add_post_approval(ws.id, p.id, 2, 0, ana.id, at(4)).await.unwrap());
    assert!(matches!(store.add_post_approval(other.id, p.id, 1, 0, bo.id, at(5)).await, Err(StoreError::NotFound)));
    assert_eq!(store.post_approvals(ws.id, p.id, 1).await.unwrap(), [(0, ana.id), (1, ana.id)]);
    assert_eq!(store.post_approvals(ws.id, p.id, 2).await.unwrap(), [(0, ana.id)], "per revision");
    assert!(store.post_approvals(other.id, p.id, 1).await.unwrap().is_empty());
    store.clear_post_approvals(ws.id, p.id).await.unwrap();
    assert!(store.post_approvals(ws.id, p.id, 1).await.unwrap().is_empty());

    store.set_approval_steps(ws.id, &[]).await.unwrap();
    assert!(store.workspace_policy(ws.id).await.unwrap().steps.is_empty(), "back to the default step");
}
