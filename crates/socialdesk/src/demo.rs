//! `socialdesk demo`: two workspaces of an agency, with a team and sandbox
//! accounts in each and thirteen weeks of history, so a newcomer can click
//! through everything that exists. Later capabilities add their demo
//! material here.

use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Duration, DurationRound, Timelike, Utc};
use socialdesk_app::{
    Actor, App, Clock, ConnectAccount, ManualClock, NewCompetitor, NewInvite, NewPost, SignUp, When, Worker,
    WorkerOptions,
};
use socialdesk_core::tags::PostTags;
use socialdesk_core::{AccountId, Email, InboxStatus};
use socialdesk_networks::Registry;
use socialdesk_networks::sandbox::Sandbox;
use socialdesk_store::InboxFilter;

/// The demo owner's sign-in, printed by `demo` and in the README.
pub const DEMO_EMAIL: &str = "owner@demo.socialdesk.test";
pub const DEMO_PASSWORD: &str = "northwind-espresso-42";

/// Creates the demo people and workspaces unless the demo owner exists.
#[allow(clippy::print_stdout)]
pub async fn seed(app: &App) -> anyhow::Result<()> {
    let email = Email::parse(DEMO_EMAIL).context("demo email")?;
    if app.store.credentials(&email).await?.is_some() {
        println!("The demo workspace already exists. Sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}");
        return Ok(());
    }
    let owner = app
        .sign_up(SignUp {
            email: DEMO_EMAIL.into(),
            name: "Dana Okafor".into(),
            password: DEMO_PASSWORD.into(),
            workspace_name: "Northwind Coffee".into(),
            time_zone: "Europe/Rome".into(),
            invite: None,
            user_agent: "socialdesk demo".into(),
        })
        .await
        .map_err(|e| anyhow::anyhow!("creating the demo owner: {e}"))?;
    let northwind = owner.workspace.context("the demo owner has a workspace")?;
    let lumen = app
        .create_workspace(&owner.user, "Lumen Studio", "America/New_York")
        .await
        .map_err(|e| anyhow::anyhow!("creating the second demo workspace: {e}"))?;

    let people = [
        ("Marta Rossi", "marta@demo.socialdesk.test", "editor", &northwind),
        ("Jin Park", "jin@demo.socialdesk.test", "contributor", &northwind),
        ("Priya Shah", "priya@client.demo.socialdesk.test", "client", &northwind),
        ("Marta Rossi", "marta@demo.socialdesk.test", "admin", &lumen),
    ];
    for (name, email, role, workspace) in people {
        let actor =
            app.actor_for_user(&owner.user, workspace.slug.as_str()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let (_, secret) = app
            .invite(&actor, NewInvite { email: Some(email.into()), role: role.into() })
            .await
            .map_err(|e| anyhow::anyhow!("inviting {email}: {e}"))?;
        let exists = app.store.credentials(&Email::parse(email).context("demo email")?).await?;
        match exists {
            Some(creds) => {
                app.accept_invite(&creds.user, &secret).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            None => {
                app.sign_up(SignUp {
                    email: email.into(),
                    name: name.into(),
                    password: DEMO_PASSWORD.into(),
                    invite: Some(secret),
                    user_agent: "socialdesk demo".into(),
                    ..SignUp::default()
                })
                .await
                .map_err(|e| anyhow::anyhow!("creating {email}: {e}"))?;
            }
        }
    }
    // The accounts were connected thirteen weeks ago, and the team has been
    // posting and answering since: the replay below plays those weeks
    // through the real publisher, metrics poller and inbox.
    let history = History::start(app, HISTORY_WEEKS);
    let mut accounts = Vec::new();
    for (workspace, name) in
        [(&northwind, "Northwind Coffee"), (&northwind, "Northwind Roastery"), (&lumen, "Lumen Studio")]
    {
        let actor =
            app.actor_for_user(&owner.user, workspace.slug.as_str()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let account = history
            .app
            .connect_account(
                &actor,
                ConnectAccount { network: "sandbox".into(), identifier: name.into(), ..ConnectAccount::default() },
            )
            .await
            .map_err(|e| anyhow::anyhow!("connecting the sandbox account {name}: {e}"))?;
        accounts.push((actor, account.id));
    }
    history.replay(app, &accounts).await?;
    listening(app, &accounts[0].0).await?;
    contacts(app, &accounts[0].0).await?;

    // A few posts: one goes out as soon as a worker runs, one tomorrow
    // morning, a draft, and a contributor's post waiting for approval.
    let (owner_actor, coffee) = (&accounts[0].0, accounts[0].1);
    let roastery = accounts[1].1;
    let tomorrow = (app.now() + Duration::days(1)).with_timezone(&northwind.time_zone.tz());
    let posts = [
        (
            "Fresh beans are in: our Ethiopian Guji is back ☕ Come taste it this week!",
            vec![coffee, roastery],
            When::Now,
        ),
        (
            "Tomorrow at 9: latte art class, free for members. Bring a friend! #latteart",
            vec![coffee],
            When::At { date: tomorrow.format("%Y-%m-%d").to_string(), time: "09:00".into() },
        ),
        ("Idea: a behind-the-scenes thread about our roasting curve.", vec![roastery], When::Draft),
    ];
    for (text, to, when) in posts {
        app.create_post(owner_actor, NewPost { text: text.into(), accounts: to, when, ..Default::default() })
            .await
            .map_err(|e| anyhow::anyhow!("creating a demo post: {e}"))?;
    }
    if let Some(jin) = app.store.credentials(&Email::parse("jin@demo.socialdesk.test").context("demo email")?).await? {
        let jin_actor =
            app.actor_for_user(&jin.user, northwind.slug.as_str()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        app.create_post(
            &jin_actor,
            NewPost {
                text: "Weekend hours: 8:00–14:00, Sunday closed.".into(),
                accounts: vec![coffee],
                when: When::Now,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("creating a demo post for review: {e}"))?;
    }
    println!("Demo ready: sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}");
    println!(
        "Teammates (same password): marta@demo.socialdesk.test (editor), jin@demo.socialdesk.test (contributor), priya@client.demo.socialdesk.test (client)"
    );
    Ok(())
}

/// How many weeks of history the demo plays.
pub const HISTORY_WEEKS: i64 = 13;

/// What the demo team posted, round and round: text, pillar, campaign and labels.
const HISTORY_POSTS: [(&str, &str, &str, &str); 12] = [
    ("Monday starts better with a flat white. What's in your cup today?", "community", "", "questions"),
    ("New on the menu: cold brew with orange zest. Try it before it's gone!", "promotional", "Autumn menu", "menu"),
    ("Behind the counter: meet Luca, our head barista since 2019.", "community", "", "team, behind the scenes"),
    (
        "How we roast: 12 minutes, 205 °C, and a lot of listening to the first crack.",
        "educational",
        "Roastery stories",
        "roasting, behind the scenes",
    ),
    ("Rainy day? Our hot chocolate is made with 70% single-origin cocoa.", "promotional", "Autumn menu", "menu"),
    ("Thank you for 5 years of mornings together ❤️", "community", "", "anniversary"),
    (
        "Tasting notes of this week's Colombia Huila: red apple, caramel, a little cocoa.",
        "educational",
        "Roastery stories",
        "tasting notes",
    ),
    (
        "Workshop on Saturday: brewing with a V60 at home. Six places left.",
        "promotional",
        "Home brewing",
        "events, brewing",
    ),
    (
        "Our beans now come in compostable bags. Bring the old ones back for a discount!",
        "promotional",
        "",
        "sustainability",
    ),
    ("Question of the week: oat, almond or cow's milk?", "entertainment", "", "questions"),
    ("Weekend playlist at the café is up. Tell us what to add!", "entertainment", "", "music"),
    (
        "A quick guide to grind size: coarse for French press, fine for espresso.",
        "educational",
        "Home brewing",
        "brewing, guides",
    ),
];

/// Thirteen weeks ago, played forward an hour at a time through the same
/// services a server runs, with the clock and the sandbox network set in
/// the past: posts go through the publisher, metrics through the poller,
/// follower counts through account checks, and the team answers questions.
struct History {
    clock: Arc<ManualClock>,
    app: App,
}

impl History {
    fn start(app: &App, weeks: i64) -> History {
        let start = (app.now() - Duration::weeks(weeks)).duration_trunc(Duration::hours(1)).unwrap_or(app.now());
        let clock = Arc::new(ManualClock::new(start));
        let sandbox_clock = clock.clone();
        let mut networks = Registry::default();
        networks.add(Arc::new(Sandbox::with_clock(Arc::new(move || sandbox_clock.now()))));
        let past = app.clone().with_clock(clock.clone()).with_networks(networks);
        History { clock, app: past }
    }

    async fn replay(&self, app: &App, accounts: &[(Actor, AccountId)]) -> anyhow::Result<()> {
        let worker = Worker::new(self.app.clone(), WorkerOptions::default());
        let end = app.now();
        let mut hour: u64 = 0;
        let mut written = 0usize;
        let mut workspaces: Vec<&Actor> = accounts.iter().map(|(actor, _)| actor).collect();
        workspaces.dedup_by_key(|actor| actor.workspace.id);
        // Northwind follows two competitors from the start, read every six hours.
        let northwind = &accounts[0].0;
        let mut rivals = Vec::new();
        for handle in ["@globex_coffee", "@bluebird_roasters"] {
            let rival = NewCompetitor { network: "sandbox".into(), handle: handle.into() };
            let added = self.app.add_competitor(northwind, rival).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            rivals.push(added.id);
        }
        while self.clock.now() < end {
            let now = self.clock.now();
            for (n, (actor, account)) in accounts.iter().enumerate() {
                if posts_at(now, n as u64) {
                    let (text, pillar, campaign, labels) = HISTORY_POSTS[written % HISTORY_POSTS.len()];
                    written += 1;
                    let tags = PostTags::parse(campaign, pillar, labels)
                        .map_err(|e| anyhow::anyhow!("demo tags: {}", e.message))?;
                    self.app
                        .create_post(
                            actor,
                            NewPost {
                                text: text.into(),
                                accounts: vec![*account],
                                when: When::Now,
                                tags,
                                ..Default::default()
                            },
                        )
                        .await
                        .map_err(|e| anyhow::anyhow!("replaying a post: {e}"))?;
                }
                if hour.is_multiple_of(6) {
                    self.app.check_account(actor.workspace.id, *account).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                }
                if hour.is_multiple_of(3) {
                    self.app.sync_inbox(actor.workspace.id, *account).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                }
            }
            if hour.is_multiple_of(6) && hour > 0 {
                for id in &rivals {
                    self.app.check_competitor(northwind.workspace.id, *id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                }
            }
            worker.run_due().await.map_err(|e| anyhow::anyhow!("replaying the publisher: {e}"))?;
            self.app.poll_metrics(10_000).await.map_err(|e| anyhow::anyhow!("replaying metrics: {e}"))?;
            if hour.is_multiple_of(3) {
                for actor in &workspaces {
                    self.work_inbox(actor, now, end).await?;
                }
            }
            self.clock.advance(Duration::hours(1));
            hour += 1;
        }
        Ok(())
    }

    /// The team answers most questions (not all: the response rate is
    /// honest) and closes what is older than a day, except in the last
    /// three days, which stay for the newcomer to work.
    async fn work_inbox(&self, actor: &Actor, now: DateTime<Utc>, end: DateTime<Utc>) -> anyhow::Result<()> {
        if end - now < Duration::days(3) {
            return Ok(());
        }
        let open = InboxFilter { status: Some(InboxStatus::Open), ..InboxFilter::default() };
        let items = self.app.inbox(actor, &open, 500).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        for item in items {
            let answer = item.category.as_deref() == Some("question") && item.id.as_u128() % 10 != 0;
            if answer {
                self.app
                    .reply_to_inbox_item(actor, item.id, "Thanks for asking! We've sent you the details in a message.")
                    .await
                    .map_err(|e| anyhow::anyhow!("replaying an answer: {e}"))?;
            } else if now - item.created_at > Duration::days(1) {
                self.app
                    .update_inbox_item(actor, item.id, InboxStatus::Done, None)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
        Ok(())
    }
}

/// The team saved its three most frequent writers as contacts: a VIP with a
/// note, an influencer, and a regular.
async fn contacts(app: &App, actor: &Actor) -> anyhow::Result<()> {
    let items = app.inbox(actor, &InboxFilter::default(), 500).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut by_author: Vec<(&str, usize, uuid::Uuid)> = Vec::new();
    for item in &items {
        match by_author.iter_mut().find(|(h, _, _)| *h == item.author_handle) {
            Some(entry) => entry.1 += 1,
            None => by_author.push((&item.author_handle, 1, item.id)),
        }
    }
    by_author.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let kinds: [(&[&str], Option<&str>); 3] = [
        (&["vip"], Some("Regular at the harbour shop since 2019; prefers direct messages.")),
        (&["influencer"], Some("Food blogger, about 12k readers. Invite to the next tasting.")),
        (&[], None),
    ];
    for ((_, _, item), (tags, note)) in by_author.iter().zip(kinds) {
        let input = socialdesk_app::contacts::ContactInput {
            from_item: Some(*item),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            note: note.map(str::to_owned),
            ..Default::default()
        };
        app.create_contact(actor, input).await.map_err(|e| anyhow::anyhow!("saving a demo contact: {e}"))?;
    }
    Ok(())
}

/// Whether account number `n` posts at this hour: about five times a week,
/// at varied times between 8:00 and 19:00 UTC, never on two days running at
/// the same hour.
fn posts_at(at: DateTime<Utc>, n: u64) -> bool {
    let day = (at.timestamp() / 86_400) as u64;
    let pick = (day.wrapping_mul(2_654_435_761) ^ n.wrapping_mul(40_503)) % 97;
    let hour = 8 + pick % 12;
    pick % 7 < 5 && u64::from(at.hour()) == hour
}

/// What people say in the demo's sample of public posts: (language, text,
/// which query it is about). Sentiment comes from the real enrichment.
const SAMPLE_POSTS: [(&str, &str, u8); 18] = [
    ("en", "Best flat white in town is still at Northwind Coffee", 0),
    ("en", "Northwind Coffee was packed this morning, waited 10 minutes", 0),
    ("en", "Trying the new Northwind cold brew with orange, not bad at all", 0),
    ("es", "El café de Northwind está buenísimo, me encanta", 0),
    ("it", "Cappuccino da Northwind Coffee, ottimo come sempre", 0),
    ("de", "Northwind Coffee hat heute leider keinen Hafermilch mehr", 0),
    ("fr", "Le latte de Northwind Coffee est vraiment délicieux", 0),
    ("pt", "Northwind Coffee tem o melhor espresso da cidade", 0),
    ("en", "Globex Coffee opened a new shop downtown, nice space", 1),
    ("en", "Globex Coffee prices went up again, disappointing", 1),
    ("es", "Globex Coffee tiene buen precio pero el café es flojo", 1),
    ("it", "Da Globex Coffee il servizio è lento ma il caffè è buono", 1),
    ("en", "Cold brew season is over but I still want one every day", 2),
    ("en", "Anyone has a good cold brew recipe? Mine is always bitter", 2),
    ("de", "Cold Brew zu Hause machen: einfacher als gedacht", 2),
    ("fr", "Le cold brew maison, c'est génial en été", 2),
    ("en", "Northwind app lost my order again, terrible 😡", 3),
    ("en", "Northwind Coffee charged me twice and nobody answers, awful", 3),
];

/// The demo's listening: its brand, a competitor and a topic, with two
/// weeks of sample public posts (generated here, deterministic, and named
/// as such in the Sources table) run through the real import: language,
/// sentiment, matching, counts and spike alerts. Yesterday afternoon an app
/// outage brings a burst of angry posts, which raises the alerts.
async fn listening(app: &App, actor: &Actor) -> anyhow::Result<()> {
    let e = |e: socialdesk_app::AppError| anyhow::anyhow!("demo listening: {e}");
    app.create_query(actor, "Northwind", r#""northwind coffee" OR northwind OR #northwind"#, "brand")
        .await
        .map_err(e)?;
    app.create_query(actor, "Globex Coffee", r#""globex coffee" OR #globexcoffee"#, "competitor").await.map_err(e)?;
    app.create_query(actor, "Cold brew", r#""cold brew" OR coldbrew OR #coldbrew"#, "topic").await.map_err(e)?;
    let now = app.now().duration_trunc(Duration::minutes(1)).unwrap_or(app.now());
    let outage = (now - Duration::days(1)).duration_trunc(Duration::days(1)).unwrap_or(now) + Duration::hours(14);
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        seed >> 33
    };
    let mut lines = Vec::new();
    let mut at = now - Duration::days(14);
    let mut n = 0u64;
    while at < now {
        // Busier by day than by night, about 14 posts an hour at noon.
        let hour = at.hour() as u64;
        let busy = if (7..22).contains(&hour) { 3 } else { 12 };
        at += Duration::minutes(1 + (next() % (busy * 2)) as i64);
        let calm = SAMPLE_POSTS.iter().filter(|p| p.2 < 3).count() as u64;
        let mut pick = (next() % calm) as usize;
        if at >= outage && at < outage + Duration::minutes(50) {
            // The outage: most posts are complaints.
            if next() % 5 != 0 {
                pick = SAMPLE_POSTS.len() - 1 - (next() % 2) as usize;
            }
            for _ in 0..3 {
                let angry = SAMPLE_POSTS.len() - 1 - (next() % 2) as usize;
                lines.push(sample_line(n, angry, at, next()));
                n += 1;
            }
        }
        lines.push(sample_line(n, pick, at, next()));
        n += 1;
    }
    let body = lines.join("\n");
    app.import_mentions(actor, "demo sample (generated)", body.as_bytes(), false).await.map_err(e)?;
    Ok(())
}

fn sample_line(n: u64, pick: usize, at: DateTime<Utc>, r: u64) -> String {
    let (lang, text, _) = SAMPLE_POSTS[pick];
    let network = ["bluesky", "mastodon", "x", "threads"][(r % 4) as usize];
    serde_json::json!({
        "id": format!("demo-{n}"),
        "network": network,
        "text": text,
        "lang": lang,
        "created_at": at.to_rfc3339(),
        "author": format!("person{}.example", r % 97),
    })
    .to_string()
}
