//! The web UI over HTTP: forms, CSRF, sessions, sign-in limits, readiness.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use socialdesk_app::ManualClock;
use socialdesk_core::{Email, JobId, Role};
use socialdesk_store::NewJob;

use crate::harness::{PASSWORD, Server};

fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

/// The `_csrf` value of the first form on a page.
fn csrf_of(html: &str) -> String {
    let start =
        html.find(r#"name="_csrf" value=""#).expect("a form with a CSRF token") + r#"name="_csrf" value=""#.len();
    html[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn signing_up_through_the_form_opens_the_new_workspace() {
    let s = Server::start().await;
    let c = client();
    let page = c.get(s.url("/signup")).send().await.unwrap();
    let set_cookie = page.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    let csrf = csrf_of(&page.text().await.unwrap());
    let form = [
        ("_csrf", csrf.as_str()),
        ("name", "Ana Lima"),
        ("email", "ana@example.com"),
        ("password", PASSWORD),
        ("workspace_name", "Caffè Società"),
        ("time_zone", "Europe/Rome"),
    ];
    let response = c.post(s.url("/signup")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/w/caffe-societa?welcome=1");
    let session_cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        session_cookie.starts_with("sd_session=")
            && session_cookie.contains("HttpOnly")
            && session_cookie.contains("SameSite=Lax")
    );
    assert!(!session_cookie.contains("Secure"), "plain HTTP here; Secure comes with an https public URL");
    let dashboard = c.get(s.url("/w/caffe-societa?welcome=1")).send().await.unwrap().text().await.unwrap();
    assert!(dashboard.contains("Welcome, Ana Lima"));
    assert!(dashboard.contains("Caffè Società"));
    for area in ["Dashboard", "Compose", "Calendar", "Inbox", "Listening", "Analytics", "Reports", "Settings"] {
        assert!(dashboard.contains(&format!("{area}</a>")), "navigation shows {area}");
    }
}

#[tokio::test]
async fn forms_without_the_csrf_token_change_nothing() {
    let s = Server::start().await;
    let c = client();
    c.get(s.url("/signup")).send().await.unwrap();
    let form = [("name", "Eve"), ("email", "eve@example.com"), ("password", PASSWORD), ("workspace_name", "Evil")];
    let response = c.post(s.url("/signup")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.text().await.unwrap().contains("Nothing was changed"));
    assert_eq!(s.app.store.count_users().await.unwrap(), 0);

    let ana = s.person("ana@example.com", "Acme").await;
    let browser = s.browser_for(&ana);
    let slug = ana.workspace.as_ref().unwrap().slug.to_string();
    let forged = [("_csrf", "not-the-token"), ("name", "Hijacked"), ("time_zone", "UTC")];
    let response = browser.post(s.url(&format!("/w/{slug}/settings"))).form(&forged).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response =
        browser.post(s.url(&format!("/w/{slug}/settings"))).form(&[("name", "Hijacked")]).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.app.store.workspace(ana.workspace.as_ref().unwrap().id).await.unwrap().name.as_str(), "Acme");

    let good = [("_csrf", s.csrf(&ana).await), ("name", "Acme Roasters".into()), ("time_zone", "Asia/Seoul".into())];
    let response = browser.post(s.url(&format!("/w/{slug}/settings"))).form(&good).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let ws = s.app.store.workspace(ana.workspace.as_ref().unwrap().id).await.unwrap();
    assert_eq!((ws.name.as_str(), ws.time_zone.name()), ("Acme Roasters", "Asia/Seoul"));
}

#[tokio::test]
async fn bad_sign_up_input_is_explained_next_to_the_field() {
    let s = Server::start().await;
    let c = client();
    let csrf = csrf_of(&c.get(s.url("/signup")).send().await.unwrap().text().await.unwrap());
    let form = [
        ("_csrf", csrf.as_str()),
        ("name", ""),
        ("email", "ana@"),
        ("password", "password123"),
        ("workspace_name", "Acme"),
        ("time_zone", "Nowhere/City"),
    ];
    let response = c.post(s.url("/signup")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    for message in [
        "Enter a name",
        "The part after the @ must be a domain",
        "This password is one of the first that attackers try",
        "Unknown time zone &#34;Nowhere/City&#34;",
    ] {
        assert!(html.contains(message), "shows {message:?}");
    }
    assert!(!html.contains("password123"), "a password is never sent back");
    assert_eq!(s.app.store.count_users().await.unwrap(), 0);
}

#[tokio::test]
async fn sessions_that_are_forged_or_ended_lead_to_the_sign_in_page() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let slug = ana.workspace.as_ref().unwrap().slug.to_string();
    let forged = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let response = forged.get(s.url(&format!("/w/{slug}"))).header("cookie", "sd_session=forged").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], format!("/login?next=%2Fw%2F{slug}"));

    let browser = s.browser_for(&ana);
    assert_eq!(browser.get(s.url(&format!("/w/{slug}"))).send().await.unwrap().status(), StatusCode::OK);
    let response = browser.post(s.url("/logout")).form(&[("_csrf", s.csrf(&ana).await)]).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/login?done=logged-out");
    let response = forged
        .get(s.url(&format!("/w/{slug}")))
        .header("cookie", format!("sd_session={}", ana.session))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "the old cookie no longer works");
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_email() {
    let s = Server::start().await;
    s.person("ana@example.com", "Acme").await;
    let c = client();
    let csrf = csrf_of(&c.get(s.url("/login")).send().await.unwrap().text().await.unwrap());
    let attempt = |password: &'static str| {
        let form = [("_csrf", csrf.clone()), ("email", "ana@example.com".into()), ("password", password.into())];
        c.post(s.url("/login")).form(&form).send()
    };
    for _ in 0..10 {
        let response = attempt("wrong password!").await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(response.text().await.unwrap().contains("The email or the password is not right"));
    }
    let response = attempt(PASSWORD).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(response.text().await.unwrap().contains("Try again in 15 minutes"));
}

#[tokio::test]
async fn invitation_links_let_people_join_with_their_role() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let browser = s.browser_for(&ana);
    let slug = ana.workspace.as_ref().unwrap().slug.to_string();
    let form = [("_csrf", s.csrf(&ana).await), ("email", String::new()), ("role", "client".into())];
    let page = browser
        .post(s.url(&format!("/w/{slug}/settings/team/invites")))
        .form(&form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = page.find("/invite/").unwrap();
    let link = page[start..].split('"').next().unwrap().to_owned();

    let c = client();
    let invite_page = c.get(s.url(&link)).send().await.unwrap().text().await.unwrap();
    assert!(invite_page.contains("Join Acme") && invite_page.contains("Client"));
    let csrf = csrf_of(&invite_page);
    let form = [("_csrf", csrf.as_str()), ("name", "Cleo"), ("email", "cleo@client.example"), ("password", PASSWORD)];
    let response = c.post(s.url(&format!("{link}/signup"))).form(&form).send().await.unwrap();
    assert_eq!(response.headers()["location"], format!("/w/{slug}?welcome=1"));
    let cleo = s.app.store.credentials(&Email::parse("cleo@client.example").unwrap()).await.unwrap().unwrap();
    assert_eq!(s.app.role_of(ana.workspace.as_ref().unwrap().id, cleo.user.id).await.unwrap(), Role::Client);
    let again = client().get(s.url(&link)).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert!(again.text().await.unwrap().contains("already used"));
}

#[tokio::test]
async fn roles_decide_what_each_member_may_open() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let slug = ana.workspace.as_ref().unwrap().slug.to_string();
    let viewer = s.member(&ana, "vic@example.com", Role::Viewer).await;
    let client_person = s.member(&ana, "cleo@client.example", Role::Client).await;
    let v = s.browser_for(&viewer);
    assert_eq!(
        v.get(s.url(&format!("/w/{slug}/settings/tokens"))).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let team = v.get(s.url(&format!("/w/{slug}/settings/team"))).send().await.unwrap().text().await.unwrap();
    assert!(!team.contains("Invite someone"), "viewers do not get the invite form");
    let form = [("_csrf", s.csrf(&viewer).await), ("email", String::new()), ("role", "admin".into())];
    let response = v.post(s.url(&format!("/w/{slug}/settings/team/invites"))).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let c = s.browser_for(&client_person);
    assert_eq!(
        c.get(s.url(&format!("/w/{slug}/settings/team"))).send().await.unwrap().status(),
        StatusCode::FORBIDDEN,
        "clients see only what is shared"
    );
    assert_eq!(c.get(s.url(&format!("/w/{slug}"))).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn readiness_fails_while_due_work_waits_unclaimed() {
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()));
    let s = Server::with_clock(clock.clone()).await;
    assert_eq!(reqwest::get(s.url("/readyz")).await.unwrap().status(), StatusCode::OK);
    let now = s.app.now();
    s.app
        .store
        .enqueue_job(&NewJob {
            id: JobId::from_uuid(uuid::Uuid::now_v7()),
            workspace_id: None,
            kind: "housekeeping".into(),
            payload: serde_json::json!({}),
            dedupe_key: None,
            run_at: now,
            max_attempts: 3,
            created_at: now,
        })
        .await
        .unwrap();
    clock.advance(Duration::seconds(30));
    assert_eq!(reqwest::get(s.url("/readyz")).await.unwrap().status(), StatusCode::OK, "due for 30 s is fine");
    clock.advance(Duration::seconds(60));
    let response = reqwest::get(s.url("/readyz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.text().await.unwrap().contains("no worker claims it"));
    s.app.store.claim_jobs("w", s.app.now(), s.app.now() + Duration::minutes(5), 10).await.unwrap();
    assert_eq!(reqwest::get(s.url("/readyz")).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn accounts_are_connected_and_disconnected_from_settings() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let slug = ana.workspace.as_ref().unwrap().slug.to_string();
    let browser = s.browser_for(&ana);
    let csrf = s.csrf(&ana).await;
    let page = browser.get(s.url(&format!("/w/{slug}/settings/accounts"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("No accounts yet") && page.contains("Connect Sandbox"));
    let form = [("_csrf", csrf.as_str()), ("network", "sandbox"), ("identifier", "")];
    let response = browser.post(s.url(&format!("/w/{slug}/settings/accounts"))).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("Sandbox said: give the sandbox account a name"));
    let form = [("_csrf", csrf.as_str()), ("network", "sandbox"), ("identifier", "Acme Roasters")];
    let response = browser.post(s.url(&format!("/w/{slug}/settings/accounts"))).form(&form).send().await.unwrap();
    assert_eq!(response.headers()["location"], format!("/w/{slug}/settings/accounts?done=connected"));
    let page = browser
        .get(s.url(&format!("/w/{slug}/settings/accounts?done=connected")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Account connected.") && page.contains("@acme_roasters.sandbox") && page.contains(">Connected<")
    );
    let id = s.app.store.accounts(ana.workspace.as_ref().unwrap().id).await.unwrap()[0].id;
    let response = browser
        .post(s.url(&format!("/w/{slug}/settings/accounts/{id}/disconnect")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = browser.get(s.url(&format!("/w/{slug}/settings/accounts"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(">Disconnected<"));
}

#[tokio::test]
async fn mastodon_accounts_connect_through_the_servers_sign_in_page() {
    let mastodon_url = crate::harness::FakeMastodon::start().await.base;
    let mut networks = socialdesk_networks::Registry::default();
    networks.add(Arc::new(socialdesk_networks::mastodon::Mastodon::new(socialdesk_networks::http_client())));
    let s = Server::with_networks(networks).await;
    let ana = s.person("ana@example.com", "Acme").await;
    let slug = ana.workspace.as_ref().unwrap().slug.to_string();
    let browser = s.browser_for(&ana);
    let csrf = s.csrf(&ana).await;

    let form = [("_csrf", csrf.as_str()), ("network", "mastodon"), ("server", mastodon_url.as_str())];
    let response = browser.post(s.url(&format!("/w/{slug}/settings/accounts"))).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let authorize = reqwest::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(authorize.path(), "/oauth/authorize");
    let query: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["redirect_uri"], format!("{}/oauth/callback", s.base));
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    assert!(cookie.starts_with("sd_oauth=v1:"), "the pending sign-in is sealed: {cookie}");

    // A forged state is refused and connects nothing.
    let session = format!("sd_session={}", ana.session);
    let plain = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let forged = plain
        .get(s.url("/oauth/callback?code=good-code&state=forged"))
        .header("cookie", format!("{session}; {cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(s.app.store.accounts(ana.workspace.as_ref().unwrap().id).await.unwrap().is_empty());

    let back = plain
        .get(s.url(&format!("/oauth/callback?code=good-code&state={}", query["state"])))
        .header("cookie", format!("{session}; {cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(back.headers()["location"], format!("/w/{slug}/settings/accounts?done=connected"));
    let accounts = s.app.store.accounts(ana.workspace.as_ref().unwrap().id).await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!((accounts[0].network.as_str(), accounts[0].followers), ("mastodon", Some(321)));
    assert_eq!(accounts[0].handle, "@ana@social.test");

    // Someone else cannot finish a sign-in they did not start.
    let bo = s.person("bo@example.com", "Bo's").await;
    let stolen = plain
        .get(s.url(&format!("/oauth/callback?code=good-code&state={}", query["state"])))
        .header("cookie", format!("sd_session={}; {cookie}", bo.session))
        .send()
        .await
        .unwrap();
    assert_eq!(stolen.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_month_view_shows_scheduled_posts_and_moves_them() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let slug = ana.workspace.as_ref().unwrap().slug.to_string();
    let actor = s.actor(&ana).await;
    let account = s
        .app
        .connect_account(
            &actor,
            socialdesk_app::ConnectAccount {
                network: "sandbox".into(),
                identifier: "Acme".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (post, _) = s
        .app
        .create_post(
            &actor,
            socialdesk_app::NewPost {
                text: "Winter menu launch".into(),
                accounts: vec![account.id],
                when: socialdesk_app::When::At { date: "2031-01-15".into(), time: "09:30".into() },
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let browser = s.browser_for(&ana);
    let page = browser
        .get(s.url(&format!("/w/{slug}/calendar?view=month&month=2031-01")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("January 2031") && page.contains("Winter menu launch"));
    assert!(page.contains(&format!(r#"draggable="true" data-post="{}" data-time="09:30""#, post.id)));
    let form = [
        ("_csrf", s.csrf(&ana).await),
        ("date", "2031-01-17".into()),
        ("time", "09:30".into()),
        ("view", "month".into()),
    ];
    let response =
        browser.post(s.url(&format!("/w/{slug}/posts/{}/reschedule", post.id))).form(&form).send().await.unwrap();
    assert_eq!(response.headers()["location"], format!("/w/{slug}/calendar?done=moved&view=month&month=2031-01"));
    let moved = s.app.post(&actor, post.id).await.unwrap().0;
    assert_eq!(moved.scheduled_at.unwrap().to_rfc3339(), "2031-01-17T08:30:00+00:00");
}

#[tokio::test]
async fn the_report_sets_the_accounts_next_to_the_competitors_it_follows() {
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()));
    let (s, ana) = Server::with_measured_post(clock).await;
    let browser = s.browser_for(&ana);
    let url = s.url("/w/northwind-coffee/reports/download?period=last-30-days&format=html");
    let page = |browser: reqwest::Client, url: String| async move {
        browser.get(url).send().await.unwrap().text().await.unwrap()
    };
    assert!(!page(browser.clone(), url.clone()).await.contains("Against competitors"), "no competitors, no section");
    let actor = s.actor(&ana).await;
    let rival = socialdesk_app::NewCompetitor { network: "sandbox".into(), handle: "@globex".into() };
    s.app.add_competitor(&actor, rival).await.unwrap();
    let html = page(browser, url).await;
    let section = &html[html.find("Against competitors").expect("the section")..];
    assert!(section.contains("@northwind_coffee.sandbox (you)") && section.contains("@globex.sandbox"), "{section}");
    assert!(section.contains("engagements per post against the competitors"), "the verdict: {section}");
    let period = s.app.period(&actor, Some("last-30-days")).unwrap();
    let overview = s.app.analytics_overview(&actor, &period).await.unwrap();
    let report =
        socialdesk_web::report::ReportView::new("Northwind Coffee", &Default::default(), &overview, &[], s.app.now());
    assert_eq!(report.competitors.len(), 2);
    assert_eq!(report.competitors[1][0], "@globex.sandbox");
    assert_eq!(report.competitors[1][2], "—", "followed today: followers, no growth yet");
}

#[tokio::test]
async fn reports_come_as_a_page_a_standalone_file_and_csv() {
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()));
    let (s, ana) = Server::with_measured_post(clock).await;
    let browser = s.browser_for(&ana);
    let page = browser.get(s.url("/w/northwind-coffee/reports?period=2026-11")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("Northwind Coffee — November 2026"), "{page}");
    assert!(page.contains("Compared with October 2026"));
    assert!(page.contains("Posts published rose to 2 (from 0)."), "{page}");
    assert!(page.contains("(nothing to compare with in the previous period)"), "October had no engagements to compare");
    assert!(page.contains("Fresh beans are in"));

    let file =
        browser.get(s.url("/w/northwind-coffee/reports/download?period=2026-11&format=html")).send().await.unwrap();
    assert_eq!(
        file.headers()["content-disposition"],
        "attachment; filename=\"socialdesk-northwind-coffee-2026-11-report.html\""
    );
    let html = file.text().await.unwrap();
    assert!(html.starts_with("<!doctype html>") && html.contains("<style>") && !html.contains("/assets/app.css"));
    assert!(html.contains("<svg") && html.contains("Best posts"), "self-contained, with its charts");

    let csv = browser
        .get(s.url("/w/northwind-coffee/reports/download?period=2026-11&format=csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 3, "a header and two posts: {csv}");
    let pdf =
        browser.get(s.url("/w/northwind-coffee/reports/download?period=2026-11&format=pdf")).send().await.unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    // The worker's renderer makes the same PDF for scheduled emails when it has fonts, and none without.
    let actor = s.actor(&ana).await;
    let period = s.app.period(&actor, Some("2026-11")).unwrap();
    let overview = s.app.analytics_overview(&actor, &period).await.unwrap();
    let brand = s.app.report_branding(&actor).await.unwrap();
    let fonts = Arc::new(socialdesk_web::report::ReportFonts::new(None));
    let with_pdf = socialdesk_web::report::HtmlReports::with_pdf(fonts);
    let made = socialdesk_app::ReportRenderer::pdf(&with_pdf, "Northwind Coffee", &brand, &overview, &[], s.app.now());
    assert!(made.unwrap().unwrap().starts_with(b"%PDF-"));
    let plain = socialdesk_web::report::HtmlReports::default();
    assert!(
        socialdesk_app::ReportRenderer::pdf(&plain, "Northwind Coffee", &brand, &overview, &[], s.app.now()).is_none()
    );
    // Branded with the client's colour and logo, on the page and in the file.
    let logo = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"><circle cx="10" cy="10" r="8" fill="#b45309"/></svg>"##;
    let csrf = s.csrf(&ana).await;
    let saved = browser
        .post(s.url("/w/northwind-coffee/reports/branding"))
        .form(&[("_csrf", csrf.as_str()), ("color", "#b45309"), ("logo", logo)])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let html = browser
        .get(s.url("/w/northwind-coffee/reports/download?period=2026-11&format=html"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("border-top-color: #b45309")
            && html.contains("<img class=\"report-logo\" src=\"data:image/svg+xml")
    );
    let branded_pdf = browser
        .get(s.url("/w/northwind-coffee/reports/download?period=2026-11&format=pdf"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(branded_pdf.starts_with(b"%PDF-"), "the logo draws in the PDF too");
    let refused = browser
        .post(s.url("/w/northwind-coffee/reports/branding"))
        .form(&[("_csrf", csrf.as_str()), ("color", "#b45309"), ("logo", "<svg")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("The logo must be an SVG file"));

    let bad = browser.get(s.url("/w/northwind-coffee/reports/download?format=docx")).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("use pdf, html or csv"));

    // A bad period says so and shows last month instead.
    let page =
        browser.get(s.url("/w/northwind-coffee/reports?custom=2026-Q5")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("a year has quarters Q1 to Q4") && page.contains("October 2026"), "{page}");
}

#[tokio::test]
async fn a_scheduled_report_goes_to_its_webhook_and_into_the_archive() {
    let received: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let keep = received.clone();
    let hook = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, hook).await.unwrap() });

    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()));
    let (s, ana) = Server::with_measured_post(clock.clone()).await;
    let browser = s.browser_for(&ana);
    let csrf = s.csrf(&ana).await;
    let form = |cadence: &str, url: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("cadence", cadence.to_owned()),
            ("recipients", String::new()),
            ("webhook_url", url.to_owned()),
        ]
    };
    let wrong = browser
        .post(s.url("/w/northwind-coffee/reports/schedules"))
        .form(&form("daily", &hook_url))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("is not a schedule"));
    let emailless = browser
        .post(s.url("/w/northwind-coffee/reports/schedules"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("cadence", "weekly:mon:09:00"),
            ("recipients", "boss@example.com"),
            ("webhook_url", ""),
        ])
        .send()
        .await
        .unwrap();
    assert!(emailless.text().await.unwrap().contains("no SMTP settings"), "an honest refusal without SMTP");
    let made = browser
        .post(s.url("/w/northwind-coffee/reports/schedules"))
        .form(&form("weekly:mon:09:00", &hook_url))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let page = browser.get(s.url("/w/northwind-coffee/reports")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("every Monday at 09:00, for the week before"), "{page}");
    assert!(page.contains("Next: 9 Nov 2026"), "the next Monday in Rome: {page}");

    // Monday 9 November, 09:00 in Rome: the week before goes out.
    clock.set(Utc.with_ymd_and_hms(2026, 11, 9, 8, 0, 0).unwrap());
    assert_eq!(s.app.run_due_reports().await.unwrap(), 1);
    let body: serde_json::Value = serde_json::from_str(&received.lock().unwrap()[0]).unwrap();
    assert_eq!(body["period"], "2026-W45");
    assert!(body["html"].as_str().unwrap().contains("Fresh beans are in"), "the week's best post");
    let page = browser.get(s.url("/w/northwind-coffee/reports")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Northwind Coffee — Week 45, 2026") && page.contains("webhook answered 200"), "{page}");
    let id = page.split("/reports/archive/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let archived = browser.get(s.url(&format!("/w/northwind-coffee/reports/archive/{id}"))).send().await.unwrap();
    assert!(archived.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    assert!(archived.text().await.unwrap().contains("Week 45, 2026"));

    // A client reads the reports made for them, and nothing more.
    let client = s.member(&ana, "cleo@client.example", Role::Client).await;
    let c = s.browser_for(&client);
    let page = c.get(s.url("/w/northwind-coffee/reports")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Sent reports") && page.contains("Northwind Coffee — Week 45, 2026"), "{page}");
    assert!(!page.contains("New schedule") && !page.contains("Download"), "no live figures or schedules: {page}");
    let archived = c.get(s.url(&format!("/w/northwind-coffee/reports/archive/{id}"))).send().await.unwrap();
    assert_eq!(archived.status(), StatusCode::OK);
    assert!(archived.text().await.unwrap().contains("Week 45, 2026"));
    let live = c.get(s.url("/w/northwind-coffee/reports/download?period=2026-11&format=html")).send().await.unwrap();
    assert_eq!(live.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_role_sees_only_the_areas_it_can_open() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let slug = ana.workspace.as_ref().unwrap().slug.to_string();
    let mut seen = Vec::new();
    for role in Role::ALL {
        let person = if role == Role::Owner {
            s.person(&format!("{role}@example.com"), "Elsewhere").await
        } else {
            s.member(&ana, &format!("{role}@example.com"), role).await
        };
        let slug = if role == Role::Owner { person.workspace.as_ref().unwrap().slug.to_string() } else { slug.clone() };
        let browser = s.browser_for(&person);
        let home = browser.get(s.url(&format!("/w/{slug}"))).send().await.unwrap().text().await.unwrap();
        let nav = &home[home.find("class=\"main-nav\"").unwrap()..];
        let nav = &nav[..nav.find("</nav>").unwrap()];
        let links: Vec<&str> = nav.split("href=\"").skip(1).map(|l| l.split('"').next().unwrap()).collect();
        for link in &links {
            let status = browser.get(s.url(link)).send().await.unwrap().status();
            assert_eq!(status, StatusCode::OK, "{role} is shown {link}");
        }
        let areas: Vec<String> = links.iter().map(|l| l.trim_start_matches(&format!("/w/{slug}")).to_owned()).collect();
        seen.push((role, areas));
    }
    let of = |role: Role| seen.iter().find(|(r, _)| *r == role).unwrap().1.clone();
    assert_eq!(of(Role::Client), ["", "/approvals", "/reports"], "clients: the dashboard, approvals, the reports sent");
    assert!(of(Role::Viewer).contains(&"/analytics".to_owned()) && !of(Role::Viewer).contains(&"/compose".to_owned()));
    assert_eq!(of(Role::Owner).len(), 12, "owners see every area");
}

#[tokio::test]
async fn posts_are_filed_by_campaign_pillar_and_label_and_the_calendar_shows_the_mix() {
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()));
    let (s, ana) = Server::with_measured_post(clock).await;
    let browser = s.browser_for(&ana);
    let csrf = s.csrf(&ana).await;
    let account = s.app.accounts(&s.actor(&ana).await).await.unwrap()[0].id.to_string();
    let compose = |text: &str, campaign: &str, pillar: &str, labels: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("text", text.to_owned()),
            ("account", account.clone()),
            ("when", "draft".to_owned()),
            ("campaign", campaign.to_owned()),
            ("pillar", pillar.to_owned()),
            ("labels", labels.to_owned()),
        ]
    };
    let wrong = browser
        .post(s.url("/w/northwind-coffee/compose"))
        .form(&compose("Brewing guide", "", "sales", ""))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("is not a content pillar"));
    for (text, campaign, pillar, labels) in [
        ("Brewing guide, part 1", "Home brewing", "educational", "#V60, guides"),
        ("Brewing guide, part 2", "Home brewing", "educational", "guides"),
        ("Saturday market stall", "", "community", "events"),
    ] {
        let made = browser
            .post(s.url("/w/northwind-coffee/compose"))
            .form(&compose(text, campaign, pillar, labels))
            .send()
            .await
            .unwrap();
        assert_eq!(made.status(), StatusCode::SEE_OTHER, "{text}");
    }
    let page = browser.get(s.url("/w/northwind-coffee/calendar")).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("Educational 40% (2)")
            && page.contains("Community 20% (1)")
            && page.contains("No pillar 40% (2)"),
        "{page}"
    );
    assert!(page.contains("#v60") && page.contains(">Home brewing</a>"), "chips link to their filter: {page}");
    let filtered =
        browser.get(s.url("/w/northwind-coffee/calendar?label=guides")).send().await.unwrap().text().await.unwrap();
    assert!(filtered.contains("Brewing guide, part 1") && filtered.contains("Brewing guide, part 2"));
    assert!(!filtered.contains("Saturday market stall") && !filtered.contains("Fresh beans are in"), "{filtered}");
    assert!(filtered.contains("Pillar mix of guides: "), "{filtered}");
    let campaign = browser
        .get(s.url("/w/northwind-coffee/calendar?campaign=Home%20brewing&pillar=community"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!campaign.contains("Brewing guide") && !campaign.contains("Saturday market"), "both filters apply");
}

#[tokio::test]
async fn links_get_utm_tags_and_short_links_that_count_people_not_previews() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let actor = s.actor(&ana).await;
    let account = s
        .app
        .connect_account(
            &actor,
            socialdesk_app::ConnectAccount {
                network: "sandbox".into(),
                identifier: "Acme".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let browser = s.browser_for(&ana);
    let csrf = s.csrf(&ana).await;
    let saved = browser
        .post(s.url("/w/acme/settings/links"))
        .form(&[("_csrf", csrf.as_str()), ("utm", "on"), ("short_links", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let post = browser
        .post(s.url("/w/acme/compose"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("text", "New beans: https://shop.acme.coffee/beans?size=1kg see you!"),
            ("account", &account.id.to_string()),
            ("when", "draft"),
            ("campaign", "Autumn Launch"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), StatusCode::SEE_OTHER);
    let posts = s.app.posts(&actor, 10).await.unwrap();
    let variant_text = &posts[0].1[0].text;
    let prefix = format!("New beans: {}/l/", s.base);
    assert!(variant_text.starts_with(&prefix) && variant_text.ends_with(" see you!"), "{variant_text}");
    let code = variant_text[prefix.len()..].split(' ').next().unwrap().to_owned();

    let no_redirects = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let follow = |agent: &'static str| {
        let url = s.url(&format!("/l/{code}"));
        let client = no_redirects.clone();
        async move { client.get(url).header("user-agent", agent).send().await.unwrap() }
    };
    let person =
        follow("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130 Safari/537.36").await;
    assert_eq!(person.status(), StatusCode::FOUND);
    assert_eq!(
        person.headers()["location"],
        "https://shop.acme.coffee/beans?size=1kg&utm_source=sandbox&utm_medium=social&utm_campaign=autumn-launch"
    );
    let preview = follow("http.rb/5.1.1 (Mastodon/4.3.0; +https://mastodon.social/)").await;
    assert_eq!(preview.status(), StatusCode::FOUND, "previews still get the page");
    let clicks = s.app.store.short_link_clicks(actor.workspace.id, posts[0].1[0].id).await.unwrap();
    assert_eq!(clicks, Some(1), "one person, one preview: one click");
    assert_eq!(no_redirects.get(s.url("/l/nothing")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn contacts_download_as_csv_with_the_search_shown_and_formulas_defused() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let actor = s.actor(&ana).await;
    for (name, handle, tags) in
        [("=HYPERLINK(\"x\")", "@eve.bsky.social", vec![]), ("Bruno", "@bruno.bsky.social", vec!["vip".to_owned()])]
    {
        let input = socialdesk_app::contacts::ContactInput {
            name: Some(name.into()),
            handles: vec![socialdesk_app::contacts::HandleInput { network: "bluesky".into(), handle: handle.into() }],
            tags,
            ..Default::default()
        };
        s.app.create_contact(&actor, input).await.unwrap();
    }
    let browser = s.browser_for(&ana);
    let all = browser.get(s.url("/w/acme/contacts.csv")).send().await.unwrap();
    assert_eq!(all.status(), StatusCode::OK);
    assert_eq!(all.headers()["content-disposition"], "attachment; filename=\"acme-contacts.csv\"");
    let all = all.text().await.unwrap();
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(lines[0], "name,handles,tags,messages,last_message_at,saved_at");
    assert!(lines[1].starts_with("'=HYPERLINK") || lines[1].starts_with("\"'=HYPERLINK"), "{all}");
    assert!(lines[2].starts_with("Bruno,bluesky @bruno.bsky.social,vip,0,,"), "{all}");
    let vip = browser.get(s.url("/w/acme/contacts.csv?search=&tag=VIP")).send().await.unwrap().text().await.unwrap();
    assert_eq!(vip.lines().count(), 2, "{vip}");
    let page = browser.get(s.url("/w/acme/contacts?tag=vip")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("href=\"/w/acme/contacts.csv?search=&#38;tag=vip\""), "{page}");
}

#[tokio::test]
async fn analytics_and_the_report_show_inbox_sentiment_by_day() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let browser = s.browser_for(&ana);
    // No messages yet: no chart that would only say "no data".
    let page = browser.get(s.url("/w/acme/analytics")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("data-sentiment-chart"), "no messages, no chart");
    s.synced_sandbox(&ana, "Acme").await;
    let page = browser.get(s.url("/w/acme/analytics")).send().await.unwrap().text().await.unwrap();
    let chart = &page[page.find("data-sentiment-chart").expect("the chart")..];
    assert!(chart.contains("Inbox sentiment by day") && chart.contains(" messages, "), "{chart}");
    let report = browser
        .get(s.url("/w/acme/reports/download?period=last-30-days&format=html"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(report.contains("Inbox messages each day, by sentiment"), "the report carries it too");
}

#[tokio::test]
async fn a_new_role_a_removal_and_crisis_mode_show_on_the_very_next_page() {
    // Who is signed in, their role and the workspace's policy are kept in
    // memory between requests: a change must still show at once.
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let bob = s.member(&ana, "bob@example.com", Role::Editor).await;
    let slug = ana.workspace.as_ref().unwrap().slug.to_string();
    let owner = s.actor(&ana).await;
    let bob_id = s.actor(&bob).await.user.id;
    let browser = s.browser_for(&bob);
    let compose = s.url(&format!("/w/{slug}/compose"));
    let calendar = s.url(&format!("/w/{slug}/calendar"));
    assert_eq!(browser.get(&compose).send().await.unwrap().status(), StatusCode::OK);
    assert!(!browser.get(&calendar).send().await.unwrap().text().await.unwrap().contains("Crisis mode"));

    s.app.start_crisis(&owner, "a storm").await.unwrap();
    let page = browser.get(&calendar).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Crisis mode"), "the banner shows on the next page");

    s.app.change_role(&owner, bob_id, "viewer").await.unwrap();
    assert_eq!(browser.get(&compose).send().await.unwrap().status(), StatusCode::FORBIDDEN);

    s.app.remove_member(&owner, bob_id).await.unwrap();
    assert_eq!(browser.get(&calendar).send().await.unwrap().status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_open_inbox_hears_of_new_messages_until_the_server_stops() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let slug = ana.workspace.as_ref().unwrap().slug.to_string();
    let since = s.app.now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true).replace('+', "%2B");
    let browser = s.browser_for(&ana);
    let mut events = browser.get(s.url(&format!("/w/{slug}/inbox/arrivals?since={since}"))).send().await.unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    assert_eq!(events.headers()["content-type"], "text/event-stream");

    // A sync stores the sandbox account's messages: the page hears how many.
    let sync = s.synced_sandbox(&ana, "Acme");
    let (_, heard) = tokio::join!(sync, async {
        let mut heard = String::new();
        while !heard.contains("event: arrived") {
            let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), events.chunk()).await;
            heard.push_str(&String::from_utf8_lossy(&chunk.unwrap().unwrap().unwrap()));
        }
        heard
    });
    let count: i64 = heard.split("data: ").nth(1).unwrap().lines().next().unwrap().parse().unwrap();
    assert!(count > 0, "{heard}");

    // Stopping ends the stream, so the server need not wait for it.
    s.app.close();
    let end = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while events.chunk().await.unwrap().is_some() {}
    })
    .await;
    assert!(end.is_ok(), "the stream ended");

    // Someone who may not read the inbox cannot listen either.
    let client = s.member(&ana, "cleo@example.com", Role::Client).await;
    let response =
        s.browser_for(&client).get(s.url(&format!("/w/{slug}/inbox/arrivals?since={since}"))).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn saving_a_query_says_when_its_past_is_being_looked_for() {
    let mastodon = crate::harness::FakeMastodon::start().await;
    let mut networks = socialdesk_networks::Registry::default();
    networks.add(Arc::new(socialdesk_networks::mastodon::Mastodon::new(socialdesk_networks::http_client())));
    let s = Server::with_networks(networks).await;
    let ana = s.person("ana@example.com", "Acme").await;
    let browser = s.browser_for(&ana);
    let csrf = s.csrf(&ana).await;
    let save = |name: &'static str, query: &'static str| {
        browser
            .post(s.url("/w/acme/listening"))
            .form(&[("_csrf", csrf.as_str()), ("name", name), ("query", query), ("role", "brand")])
            .send()
    };
    let location = |r: reqwest::Response| r.headers()["location"].to_str().unwrap().to_owned();
    // No account can search yet: saved, nothing more said.
    assert!(location(save("Brand", "northwind").await.unwrap()).ends_with("done=saved"));
    mastodon.connect(&s.app, &s.actor(&ana).await).await;
    let looking = location(save("Rival", "globex").await.unwrap());
    assert!(looking.ends_with("done=saved-looking"), "{looking}");
    let page = browser.get(s.url(&looking)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Its last 7 days are being looked for through the networks"), "{page}");
    // A query no search can find is saved without the promise.
    assert!(location(save("Prefix", "glob*").await.unwrap()).ends_with("done=saved"));
}
