use std::collections::HashSet;

use chrono::Duration;
use socialdesk_core::JobId;
use socialdesk_store::testing::TestDb;
use socialdesk_store::{NewJob, Store};

use crate::both;
use crate::fixtures::at;

both!(
    a_dedupe_key_holds_one_waiting_job,
    leases_expire_and_jobs_are_claimed_again,
    released_leases_do_not_count_as_attempts,
    failed_jobs_stop_and_free_their_key,
    concurrent_workers_never_claim_the_same_job,
    health_reports_the_oldest_unclaimed_due_job,
    a_lease_has_one_holder_until_it_expires_or_is_given_up,
    claims_of_workers_that_died_do_not_use_up_a_jobs_tries,
);

fn job(kind: &str, minute: u32, dedupe: Option<&str>) -> NewJob {
    NewJob {
        id: JobId::from_uuid(uuid::Uuid::now_v7()),
        workspace_id: None,
        kind: kind.into(),
        payload: serde_json::json!({"n": minute}),
        dedupe_key: dedupe.map(str::to_owned),
        run_at: at(minute),
        max_attempts: 5,
        created_at: at(0),
    }
}

async fn a_dedupe_key_holds_one_waiting_job(db: TestDb) {
    let store = &db.store;
    assert!(store.enqueue_job(&job("housekeeping", 0, Some("hk"))).await.unwrap());
    assert!(!store.enqueue_job(&job("housekeeping", 5, Some("hk"))).await.unwrap());
    assert!(store.enqueue_job(&job("other", 0, None)).await.unwrap());
    assert!(store.enqueue_job(&job("other", 0, None)).await.unwrap(), "no key, no dedupe");
    store.worker_heartbeat("w1", at(0), at(0)).await.unwrap();
    let claimed = store.claim_jobs("w1", at(1), at(2), 10).await.unwrap();
    assert_eq!(claimed.len(), 3);
    let hk = claimed.iter().find(|j| j.kind == "housekeeping").unwrap();
    assert_eq!(hk.payload, r#"{"n":0}"#);
    assert!(store.complete_job(hk.id, &hk.claim).await.unwrap());
    assert!(store.enqueue_job(&job("housekeeping", 5, Some("hk"))).await.unwrap(), "key free once done");
}

async fn leases_expire_and_jobs_are_claimed_again(db: TestDb) {
    let store = &db.store;
    store.enqueue_job(&job("publish", 0, None)).await.unwrap();
    store.enqueue_job(&job("later", 30, None)).await.unwrap();
    let first = store.claim_jobs("w1", at(1), at(3), 10).await.unwrap();
    assert_eq!(first.len(), 1, "only due jobs");
    assert_eq!(first[0].attempts, 1);
    assert!(store.claim_jobs("w2", at(2), at(4), 10).await.unwrap().is_empty(), "leased");
    let second = store.claim_jobs("w2", at(4), at(6), 10).await.unwrap();
    assert_eq!(second.len(), 1, "the lease expired");
    assert_eq!(second[0].attempts, 2);
    assert!(!store.complete_job(first[0].id, &first[0].claim).await.unwrap(), "w1 lost its lease");
    assert!(store.complete_job(second[0].id, &second[0].claim).await.unwrap());
    assert_eq!((first[0].claim.as_str(), second[0].claim.as_str()), ("w1#1", "w2#2"));
    assert!(store.job(second[0].id).await.unwrap().is_none());
}

async fn released_leases_do_not_count_as_attempts(db: TestDb) {
    let store = &db.store;
    store.enqueue_job(&job("publish", 0, None)).await.unwrap();
    let claimed = store.claim_jobs("w1", at(1), at(60), 10).await.unwrap();
    assert_eq!(store.release_leases("w1").await.unwrap(), 1);
    let again = store.claim_jobs("w2", at(2), at(60), 10).await.unwrap();
    assert_eq!(again[0].id, claimed[0].id);
    assert_eq!(again[0].attempts, 1);
}

async fn failed_jobs_stop_and_free_their_key(db: TestDb) {
    let store = &db.store;
    store.enqueue_job(&job("sync", 0, Some("sync:1"))).await.unwrap();
    let claimed = store.claim_jobs("w1", at(1), at(2), 10).await.unwrap();
    assert!(store.retry_job(claimed[0].id, &claimed[0].claim, "timeout", at(10)).await.unwrap());
    assert!(store.claim_jobs("w1", at(5), at(6), 10).await.unwrap().is_empty(), "waits for its retry time");
    let claimed = store.claim_jobs("w1", at(10), at(11), 10).await.unwrap();
    assert!(store.fail_job(claimed[0].id, &claimed[0].claim, "token revoked", at(10)).await.unwrap());
    assert!(store.claim_jobs("w1", at(100), at(101), 10).await.unwrap().is_empty());
    let failed = store.failed_jobs(10).await.unwrap();
    assert_eq!(failed[0].last_error.as_deref(), Some("token revoked"));
    assert!(store.enqueue_job(&job("sync", 0, Some("sync:1"))).await.unwrap());
}

async fn concurrent_workers_never_claim_the_same_job(db: TestDb) {
    let store = &db.store;
    for i in 0..200 {
        store.enqueue_job(&job("publish", i % 7, None)).await.unwrap();
    }
    let mut tasks = Vec::new();
    for w in 0..4 {
        let store: Store = store.clone();
        tasks.push(tokio::spawn(async move {
            let name = format!("w{w}");
            let mut mine = Vec::new();
            loop {
                let batch = store.claim_jobs(&name, at(10), at(10) + Duration::hours(1), 7).await.unwrap();
                if batch.is_empty() {
                    break mine;
                }
                mine.extend(batch.into_iter().map(|j| j.id));
            }
        }));
    }
    let mut seen = HashSet::new();
    let mut total = 0;
    for task in tasks {
        for id in task.await.unwrap() {
            total += 1;
            assert!(seen.insert(id), "job {id} claimed twice");
        }
    }
    assert_eq!(total, 200);
}

async fn health_reports_the_oldest_unclaimed_due_job(db: TestDb) {
    let store = &db.store;
    store.worker_heartbeat("w1", at(0), at(0)).await.unwrap();
    let health = store.worker_health(at(5)).await.unwrap();
    assert_eq!((health.oldest_unclaimed_due, health.last_claim_at), (None, None));
    store.enqueue_job(&job("a", 2, None)).await.unwrap();
    store.enqueue_job(&job("b", 4, None)).await.unwrap();
    store.enqueue_job(&job("c", 9, None)).await.unwrap();
    assert_eq!(store.worker_health(at(5)).await.unwrap().oldest_unclaimed_due, Some(at(2)));
    store.claim_jobs("w1", at(5), at(6), 1).await.unwrap();
    let health = store.worker_health(at(5)).await.unwrap();
    assert_eq!(health.oldest_unclaimed_due, Some(at(4)));
    assert_eq!(health.last_claim_at, Some(at(5)));
    store.remove_worker("w1").await.unwrap();
}

async fn a_lease_has_one_holder_until_it_expires_or_is_given_up(db: TestDb) {
    let store = &db.store;
    assert_eq!(store.lease_holder("streams", at(0)).await.unwrap(), None);
    assert!(store.hold_lease("streams", "w1", at(0), at(1)).await.unwrap());
    assert!(!store.hold_lease("streams", "w2", at(0), at(1)).await.unwrap(), "w1 has it");
    assert!(store.hold_lease("streams", "w1", at(1), at(3)).await.unwrap(), "renewed by its holder");
    assert!(!store.hold_lease("streams", "w2", at(2), at(4)).await.unwrap(), "still w1's after the renewal");
    assert_eq!(store.lease_holder("streams", at(2)).await.unwrap().as_deref(), Some("w1"));
    assert!(store.hold_lease("other", "w2", at(2), at(4)).await.unwrap(), "leases are by name");
    // w1 stops renewing: once the lease expired, w2 takes it, and w1 no longer holds it.
    assert_eq!(store.lease_holder("streams", at(4)).await.unwrap(), None);
    assert!(store.hold_lease("streams", "w2", at(4), at(5)).await.unwrap());
    assert!(!store.hold_lease("streams", "w1", at(4), at(6)).await.unwrap());
    // Giving up a lease one does not hold changes nothing; its holder's frees it at once.
    store.release_lease("streams", "w1").await.unwrap();
    assert_eq!(store.lease_holder("streams", at(4)).await.unwrap().as_deref(), Some("w2"));
    store.release_lease("streams", "w2").await.unwrap();
    assert!(store.hold_lease("streams", "w1", at(4), at(6)).await.unwrap());
}

async fn claims_of_workers_that_died_do_not_use_up_a_jobs_tries(db: TestDb) {
    let store = &db.store;
    let mut new = job("publish", 0, None);
    new.max_attempts = 3;
    store.enqueue_job(&new).await.unwrap();
    // Five workers claim it and die (their leases expire): five claims, no failure.
    for minute in 0..5 {
        let claimed = store.claim_jobs(&format!("w{minute}"), at(minute * 10), at(minute * 10 + 5), 1).await.unwrap();
        assert_eq!((claimed[0].attempts, claimed[0].failures), (minute as i32 + 1, 0));
        assert!(!claimed[0].is_last_attempt(), "a crash is not a try");
    }
    // Two runs that end in a failure count; the third is the last.
    for (minute, last) in [(60, false), (70, false), (80, true)] {
        let claimed = store.claim_jobs("w", at(minute), at(minute + 5), 1).await.unwrap();
        assert_eq!(claimed[0].is_last_attempt(), last, "at minute {minute}: {:?}", claimed[0]);
        if last {
            assert!(store.fail_job(claimed[0].id, &claimed[0].claim, "503", at(minute + 1)).await.unwrap());
        } else {
            assert!(store.retry_job(claimed[0].id, &claimed[0].claim, "503", at(minute + 1)).await.unwrap());
        }
    }
    // A job that kills every worker still ends: after four times its tries in claims.
    let mut poison = job("poison", 0, None);
    poison.max_attempts = 2;
    store.enqueue_job(&poison).await.unwrap();
    let mut lasts = Vec::new();
    for minute in 100..108u32 {
        let claimed = store.claim_jobs("w", at(minute * 10), at(minute * 10 + 5), 1).await.unwrap();
        let c = claimed.iter().find(|c| c.kind == "poison").unwrap();
        lasts.push(c.is_last_attempt());
    }
    assert_eq!(lasts, [false, false, false, false, false, false, false, true]);
}
