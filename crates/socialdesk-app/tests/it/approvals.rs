//! Multi-step approvals: steps in order, "any of" and "all of", clients who
//! see only what waits for them, and a review that starts over after an edit.

use std::sync::Arc;

use socialdesk_app::{AppError, NewPost, PostChange, When};
use socialdesk_core::approval::{ApprovalStep, StepMode};
use socialdesk_core::{PostState, Role};
use socialdesk_store::testing::TestDb;

use crate::publishing::{Flaky, connect, setup, teammate};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_goes_through_each_step_in_order() {
    for db in TestDb::each().await {
        let s = setup(db, Arc::new(Flaky::default())).await;
        let account = connect(&s, "sandbox").await;
        let cora = teammate(&s, "cora@example.com", "contributor").await;
        let jin = teammate(&s, "jin@example.com", "editor").await;
        let max = teammate(&s, "max@example.com", "editor").await;
        let cl1 = teammate(&s, "cl1@example.com", "client").await;
        let cl2 = teammate(&s, "cl2@example.com", "client").await;

        // Bad steps are named by their place, and nothing is saved.
        let bad = vec![ApprovalStep {
            name: "Lead".into(),
            mode: StepMode::Any,
            users: vec![cora.user.id],
            roles: vec![Role::Viewer],
        }];
        let Err(AppError::Invalid(errors)) = s.app.set_approval_steps(&s.actor, bad).await else { panic!("refused") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["steps/0/roles/0", "steps/0/users/0"]);
        assert!(matches!(s.app.set_approval_steps(&jin, Vec::new()).await, Err(AppError::Forbidden(_))));

        let steps = vec![
            ApprovalStep {
                name: "Team lead".into(),
                mode: StepMode::Any,
                users: vec![jin.user.id, max.user.id],
                roles: vec![],
            },
            ApprovalStep { name: "Client".into(), mode: StepMode::All, users: vec![], roles: vec![Role::Client] },
        ];
        s.app.set_approval_steps(&s.actor, steps).await.unwrap();
        let write =
            |text: &str| NewPost { text: text.into(), accounts: vec![account], when: When::Now, ..Default::default() };
        let (post, _) = s.app.create_post(&cora, write("Autumn menu")).await.unwrap();
        assert_eq!(post.state, PostState::InReview);
        let review = s.app.post_review(&s.actor, post.id).await.unwrap();
        assert_eq!(review.summary(), "Step 1 of 2, Team lead: any of jin, max");

        // The client's turn comes after the team lead's.
        let Err(AppError::Conflict { message, .. }) = s.app.approve_post(&cl1, post.id, "").await else {
            panic!("not yet")
        };
        assert!(message.contains("step 1 of 2, \"Team lead\""), "{message}");
        let (after, _) = s.app.approve_post(&jin, post.id, "looks good").await.unwrap();
        assert_eq!(after.state, PostState::InReview, "one step of two");
        let review = s.app.post_review(&s.actor, post.id).await.unwrap();
        assert_eq!(review.review.current, Some(1));
        assert_eq!(review.summary(), "Step 2 of 2, Client: all of cl1, cl2");
        let Err(AppError::Conflict { .. }) = s.app.approve_post(&max, post.id, "").await else {
            panic!("done already")
        };

        // "All of": both clients.
        let (after, _) = s.app.approve_post(&cl1, post.id, "").await.unwrap();
        assert_eq!(after.state, PostState::InReview);
        assert!(s.app.post_review(&s.actor, post.id).await.unwrap().summary().contains("(approved so far by cl1)"));
        let Err(AppError::Conflict { message, .. }) = s.app.approve_post(&cl1, post.id, "").await else {
            panic!("twice")
        };
        assert!(message.contains("already approved"), "{message}");
        let (after, _) = s.app.approve_post(&cl2, post.id, "").await.unwrap();
        assert_eq!(after.state, PostState::Scheduled, "the last step schedules it");
        let comments = s.app.post_comments(&s.actor, post.id).await.unwrap();
        let approvals: Vec<&str> = comments.iter().filter(|c| c.kind == "approved").map(|c| c.body.as_str()).collect();
        assert_eq!(approvals, ["Team lead (step 1 of 2): looks good", "Client (step 2 of 2)", "Client (step 2 of 2)"]);

        // An edit starts the review over; so does sending it back and submitting it again.
        let (second, _) = s.app.create_post(&cora, write("Winter menu")).await.unwrap();
        s.app.approve_post(&max, second.id, "").await.unwrap();
        assert_eq!(s.app.post_review(&s.actor, second.id).await.unwrap().review.current, Some(1));
        s.app
            .edit_post(&cora, second.id, PostChange { text: "Winter menu, hot drinks".into(), ..Default::default() })
            .await
            .unwrap();
        assert_eq!(
            s.app.post_review(&s.actor, second.id).await.unwrap().review.current,
            Some(0),
            "an edit starts over"
        );
        s.app.approve_post(&max, second.id, "").await.unwrap();
        s.app.reject_post(&cl1, second.id, "Say which drinks").await.unwrap();
        s.app.submit_post(&cora, second.id).await.unwrap();
        assert_eq!(
            s.app.post_review(&s.actor, second.id).await.unwrap().review.current,
            Some(0),
            "a new submission too"
        );

        // Clients see only the posts whose steps name them.
        assert_eq!(s.app.posts_in_review(&cl1).await.unwrap().len(), 1);
        let lead_only =
            vec![ApprovalStep { name: "Lead".into(), mode: StepMode::Any, users: vec![jin.user.id], roles: vec![] }];
        s.app.set_approval_steps(&s.actor, lead_only).await.unwrap();
        assert!(s.app.posts_in_review(&cl1).await.unwrap().is_empty(), "not shared with them any more");
        assert!(matches!(s.app.post_comments(&cl1, second.id).await, Err(AppError::NotFound)));
        assert!(matches!(s.app.reject_post(&cl1, second.id, "no").await, Err(AppError::NotFound)));
        let Err(AppError::Forbidden(_)) = s.app.approve_post(&max, second.id, "").await else { panic!("not named") };
        assert_eq!(s.app.approve_post(&jin, second.id, "").await.unwrap().0.state, PostState::Scheduled);
    }
}
