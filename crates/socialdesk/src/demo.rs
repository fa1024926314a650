//! `socialdesk demo`: two workspaces of an agency, with a team and sandbox
//! accounts in each, so a
//! newcomer can click through everything that exists. Later capabilities add
//! their demo material (sandbox accounts, posts, inbox) here.

use anyhow::Context;
use socialdesk_app::{App, ConnectAccount, NewInvite, NewPost, SignUp, When};
use socialdesk_core::Email;

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
    let mut accounts = Vec::new();
    for (workspace, name) in
        [(&northwind, "Northwind Coffee"), (&northwind, "Northwind Roastery"), (&lumen, "Lumen Studio")]
    {
        let actor =
            app.actor_for_user(&owner.user, workspace.slug.as_str()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let account = app
            .connect_account(
                &actor,
                ConnectAccount { network: "sandbox".into(), identifier: name.into(), ..ConnectAccount::default() },
            )
            .await
            .map_err(|e| anyhow::anyhow!("connecting the sandbox account {name}: {e}"))?;
        // The sandbox account arrives with three days of conversation.
        app.sync_inbox(workspace.id, account.id).await.map_err(|e| anyhow::anyhow!("syncing {name}: {e}"))?;
        accounts.push((actor, account.id));
    }

    // A few posts: one goes out as soon as a worker runs, one tomorrow
    // morning, a draft, and a contributor's post waiting for approval.
    let (owner_actor, coffee) = (&accounts[0].0, accounts[0].1);
    let roastery = accounts[1].1;
    let tomorrow = (app.now() + chrono::Duration::days(1)).with_timezone(&northwind.time_zone.tz());
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
        app.create_post(owner_actor, NewPost { text: text.into(), accounts: to, when })
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
