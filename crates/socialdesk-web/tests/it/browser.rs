//! The UI in real headless Chromium, driven through chromedriver: sign up,
//! create a second workspace, invite someone, sign in as them, and see only
//! what their role allows. Screenshots land in `target/screenshots/` for people
//! to look at.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test says
//! it was skipped, except under CI, where it fails.
#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::harness::{PASSWORD, Server};

struct Driver {
    child: Child,
    port: u16,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn find(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

async fn start_driver() -> Option<(Driver, Client)> {
    let driver_bin = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
    let chromium = find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
    let (Some(driver_bin), Some(chromium)) = (driver_bin, chromium) else {
        let reason = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)";
        assert!(std::env::var_os("CI").is_none(), "CI must run the browser tests, but {reason}");
        eprintln!("SKIPPED (browser): {reason}");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(driver_bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = std::env::temp_dir().join(format!("sd-chromium-{}", uuid::Uuid::now_v7()));
    let driver = Driver { child, port, profile };
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,900", format!("--user-data-dir={}", driver.profile.display()),
            ]
        }),
    );
    let url = format!("http://127.0.0.1:{}", driver.port);
    for _ in 0..100 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return Some((driver, client)),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("chromedriver did not start on port {}", driver.port);
}

fn screenshots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(screenshots_dir().join(format!("{name}.png")), png).unwrap();
}

async fn fill(c: &Client, css: &str, text: &str) {
    let field = c.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Clicks a submit button and waits for the next page: the old document
/// goes stale, then the new one finishes loading.
async fn submit(c: &Client, css: &str) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    for _ in 0..200 {
        let state = c.execute("return document.readyState", vec![]).await.unwrap();
        if state.as_str() == Some("complete") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the page after {css} did not load");
}

async fn text(c: &Client) -> String {
    c.find(Locator::Css("body")).await.unwrap().text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_signs_up_invites_and_sees_what_roles_allow() {
    let Some((_driver, c)) = start_driver().await else { return };
    let s = Server::start().await;

    // A newcomer lands on sign-up.
    c.goto(&s.url("/")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/signup"));
    shot(&c, "signup").await;
    fill(&c, "#name", "Ana Lima").await;
    fill(&c, "#email", "ana@example.com").await;
    fill(&c, "#password", PASSWORD).await;
    fill(&c, "#workspace_name", "Northwind Coffee").await;
    fill(&c, "#time_zone", "Europe/Rome").await;
    submit(&c, "button[type=submit]").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/w/northwind-coffee");
    assert!(text(&c).await.contains("Welcome, Ana Lima"));
    shot(&c, "dashboard").await;

    // A second workspace, for another client.
    c.goto(&s.url("/workspaces/new")).await.unwrap();
    fill(&c, "#name", "Lumen Studio").await;
    fill(&c, "#time_zone", "America/New_York").await;
    submit(&c, "button[type=submit]").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/w/lumen-studio");
    c.find(Locator::Css("details.switcher summary")).await.unwrap().click().await.unwrap();
    let menu = c.find(Locator::Css(".switcher-menu")).await.unwrap().text().await.unwrap();
    assert!(menu.contains("Northwind Coffee") && menu.contains("Lumen Studio"), "{menu}");
    shot(&c, "switcher").await;

    // Invite a viewer to the first workspace.
    c.goto(&s.url("/w/northwind-coffee/settings/team")).await.unwrap();
    fill(&c, "#invite-email", "vic@example.com").await;
    c.find(Locator::Css("#invite-role option[value=viewer]")).await.unwrap().click().await.unwrap();
    submit(&c, "form[action$='/invites'] button[type=submit]").await;
    let link = c.find(Locator::Css("#invite-url")).await.unwrap().prop("value").await.unwrap().unwrap();
    assert!(link.starts_with("/invite/"), "{link}");
    shot(&c, "team").await;

    // An API token, shown once.
    c.goto(&s.url("/w/northwind-coffee/settings/tokens")).await.unwrap();
    fill(&c, "#token-name", "Zapier").await;
    submit(&c, "form[action$='/tokens'] button[type=submit]").await;
    let secret = c.find(Locator::Css("#token-secret")).await.unwrap().prop("value").await.unwrap().unwrap();
    assert!(secret.starts_with("sd_"));
    shot(&c, "tokens").await;

    // A sandbox account, connected in one click.
    c.goto(&s.url("/w/northwind-coffee/settings/accounts")).await.unwrap();
    fill(&c, "#sandbox-identifier", "Northwind Coffee").await;
    submit(&c, "form[action$='/settings/accounts'] button[type=submit]").await;
    let page = text(&c).await;
    assert!(page.contains("Account connected.") && page.contains("@northwind_coffee.sandbox"), "{page}");
    shot(&c, "accounts").await;

    // The inbox: fetch the sandbox's conversation, then triage with the keyboard.
    c.goto(&s.url("/w/northwind-coffee/inbox")).await.unwrap();
    submit(&c, "form[action$='/inbox/sync'] button[type=submit]").await;
    let page = text(&c).await;
    assert!(page.contains("Synced:") && page.contains("question"), "{page}");
    shot(&c, "inbox").await;
    let open_before = c.find_all(Locator::Css("[data-item]")).await.unwrap().len();
    c.find(Locator::Css("body")).await.unwrap().send_keys("j").await.unwrap();
    let focused = c.execute("return document.activeElement.hasAttribute('data-item')", vec![]).await.unwrap();
    assert_eq!(focused, serde_json::json!(true), "j focuses the first item");
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.active_element().await.unwrap().send_keys("e").await.unwrap();
    for _ in 0..100 {
        if old.tag_name().await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(text(&c).await.contains("Updated."));
    assert_eq!(c.find_all(Locator::Css("[data-item]")).await.unwrap().len(), open_before - 1, "e marked it done");
    c.find(Locator::Css("body")).await.unwrap().send_keys("j").await.unwrap();
    c.active_element().await.unwrap().send_keys("r").await.unwrap();
    c.active_element().await.unwrap().send_keys("Thank you for writing! We will look into it today.").await.unwrap();
    submit(&c, "details[open] form button[type=submit]").await;
    assert!(text(&c).await.contains("Answer sent."));

    // A saved reply: a wrong variable is pointed at, a right one is filled for each author.
    fill(&c, "#sr-name", "Thanks").await;
    fill(&c, "#sr-body", "Hi {firstname}, thanks for writing to {brand}!").await;
    submit(&c, "form[aria-label='New saved reply'] button[type=submit]").await;
    let error = c.find(Locator::Css("#sr-body-error")).await.unwrap().text().await.unwrap();
    assert!(error.contains("{firstname} is not a variable"), "{error}");
    fill(&c, "#sr-body", "Hi {first_name}, thanks for writing to {brand}!").await;
    submit(&c, "form[aria-label='New saved reply'] button[type=submit]").await;
    assert!(text(&c).await.contains("Saved reply added."));
    c.find(Locator::Css("body")).await.unwrap().send_keys("j").await.unwrap();
    let author = c
        .execute("return document.activeElement.querySelector('.inbox-head strong').textContent", vec![])
        .await
        .unwrap();
    let first_name = author.as_str().unwrap().split_whitespace().next().unwrap().to_owned();
    c.active_element().await.unwrap().send_keys("r").await.unwrap();
    let select = c.find(Locator::Css("details[open] select[data-saved-reply]")).await.unwrap();
    select.select_by_label("Thanks").await.unwrap();
    let written = c.execute("return document.querySelector('details[open] textarea').value", vec![]).await.unwrap();
    assert_eq!(written.as_str().unwrap(), format!("Hi {first_name}, thanks for writing to Northwind Coffee!"));
    submit(&c, "details[open] form button[type=submit]").await;
    let page = text(&c).await;
    assert!(page.contains("Answer sent."), "{page}");
    let teammates = c.find(Locator::Css("#teammates")).await.unwrap().text().await.unwrap();
    assert!(teammates.contains("Ana Lima 2 "), "two answers sent: {teammates}");
    // An internal note on the next message, for the team only.
    c.find(Locator::Css("body")).await.unwrap().send_keys("j").await.unwrap();
    c.execute("document.activeElement.querySelector('details[data-action=note]').open = true", vec![]).await.unwrap();
    c.find(Locator::Css("details[data-action=note][open] textarea"))
        .await
        .unwrap()
        .send_keys("VIP: loyal customer since 2019")
        .await
        .unwrap();
    submit(&c, "details[data-action=note][open] form button[type=submit]").await;
    let notes = c.find(Locator::Css(".notes")).await.unwrap().text().await.unwrap();
    assert!(notes.contains("VIP: loyal customer since 2019") && notes.contains("internal"), "{notes}");
    shot(&c, "inbox-saved-reply").await;
    // Two messages checked, done in one click.
    let open_now = c.find_all(Locator::Css("[data-item]")).await.unwrap().len();
    for pick in c.find_all(Locator::Css("input.pick-item")).await.unwrap().into_iter().take(2) {
        pick.click().await.unwrap();
    }
    submit(&c, "#bulk button[value=done]").await;
    assert!(text(&c).await.contains("2 messages updated."));
    assert_eq!(c.find_all(Locator::Css("[data-item]")).await.unwrap().len(), open_now - 2);

    // Listening: a query is checked and previewed as it is typed.
    c.goto(&s.url("/w/northwind-coffee/listening")).await.unwrap();
    fill(&c, "#q-name", "Delivery").await;
    fill(&c, "#q-query", "배송 OR delivery OR rimborso").await;
    let mut status = String::new();
    for _ in 0..100 {
        status = c.find(Locator::Css("#q-status")).await.unwrap().text().await.unwrap();
        if status.starts_with("Matches") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(status.starts_with("Matches"), "{status}");
    shot(&c, "listening").await;
    submit(&c, "form[data-query-editor] button[type=submit]").await;
    assert!(text(&c).await.contains("Query saved."));

    // Write a post and publish it now; the calendar shows it went out.
    s.run_worker();
    c.goto(&s.url("/w/northwind-coffee/compose")).await.unwrap();
    fill(&c, "#text", "Fresh beans are in ☕ Ciao, 안녕하세요!").await;
    shot(&c, "compose").await;
    submit(&c, "form[data-composer] button[type=submit]").await;
    let after = c.current_url().await.unwrap().path().to_owned();
    assert_eq!(after, "/w/northwind-coffee/calendar", "{}", text(&c).await);
    let mut page = String::new();
    for _ in 0..100 {
        c.goto(&s.url("/w/northwind-coffee/calendar")).await.unwrap();
        page = text(&c).await;
        if page.contains("Published") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(page.contains("Fresh beans are in") && page.contains("Published"), "{page}");
    shot(&c, "calendar").await;
    c.goto(&s.url("/w/northwind-coffee/calendar?view=month")).await.unwrap();
    assert!(text(&c).await.contains("Fresh beans are in"));
    shot(&c, "calendar-month").await;

    // Queues: set weekly slots (a bad one is named), add two posts to the
    // queue from the composer, swap them, then pause the queue.
    c.goto(&s.url("/w/northwind-coffee/queue")).await.unwrap();
    fill(&c, "#slots", "mon 09:00, mon 9am").await;
    submit(&c, "form[action$='/slots'] button[type=submit]").await;
    let error = c.find(Locator::Css("#slots-error")).await.unwrap().text().await.unwrap();
    assert!(error.contains("\"mon 9am\" is not a slot"), "{error}");
    fill(&c, "#slots", "mon 09:00, wed 12:30, fri 17:00").await;
    submit(&c, "form[action$='/slots'] button[type=submit]").await;
    assert!(text(&c).await.contains("Slots saved."));
    for post in ["Tip of the week: grind just before brewing", "Tip of the week: warm the cup"] {
        c.goto(&s.url("/w/northwind-coffee/compose?when=queue")).await.unwrap();
        fill(&c, "#text", post).await;
        submit(&c, "form[data-composer] button[type=submit]").await;
        let after = c.current_url().await.unwrap().path().to_owned();
        assert_eq!(after, "/w/northwind-coffee/calendar", "{}", text(&c).await);
    }
    c.goto(&s.url("/w/northwind-coffee/queue")).await.unwrap();
    let listed = c.find(Locator::Css(".queue-list")).await.unwrap().text().await.unwrap();
    assert!(listed.find("grind just before").unwrap() < listed.find("warm the cup").unwrap(), "{listed}");
    submit(&c, ".queue-list li:first-child button[aria-label^='Move later']").await;
    let listed = c.find(Locator::Css(".queue-list")).await.unwrap().text().await.unwrap();
    assert!(listed.find("warm the cup").unwrap() < listed.find("grind just before").unwrap(), "swapped: {listed}");
    shot(&c, "queue").await;
    c.find(Locator::Css("form[action$='/pause'] button")).await.unwrap().click().await.unwrap();
    c.accept_alert().await.unwrap();
    for _ in 0..200 {
        if text(&c).await.contains("Queue paused") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(text(&c).await.contains("nothing in this queue goes out until it is resumed"));
    shot(&c, "queue-paused").await;

    // Edit a scheduled post from the calendar: it becomes a thread and keeps its time.
    c.goto(&s.url("/w/northwind-coffee/calendar")).await.unwrap();
    let edit = "//li[contains(@class,'post')][.//p[contains(., 'warm the cup')]]//a[contains(., 'Edit')]";
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.find(Locator::XPath(edit)).await.unwrap().click().await.unwrap();
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(text(&c).await.contains("Saving keeps its time."), "{}", text(&c).await);
    fill(&c, "#thread", "Then pour slowly, in circles").await;
    fill(&c, "#campaign", "Brewing tips").await;
    let going = c.find_all(Locator::Css("form[action$='/edit'] input[name=account]:checked")).await.unwrap();
    assert_eq!(going.len(), 1, "its account is ticked, and others could be");
    c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    shot(&c, "edit-accounts").await;
    shot(&c, "edit").await;
    submit(&c, "form[action$='/edit'] button[type=submit]").await;
    let page = text(&c).await;
    assert!(page.contains("Changes saved.") && page.contains("Thread of 2 parts"), "{page}");
    assert!(page.contains("Brewing tips"), "the campaign changed with the edit: {page}");
    // The week view shows it on its day (this week's slot, or next week's).
    let mut week = String::new();
    let today = s.app.now().date_naive();
    for date in [today, today + chrono::Duration::days(7)] {
        c.goto(&s.url(&format!("/w/northwind-coffee/calendar?view=week&date={date}"))).await.unwrap();
        week = text(&c).await;
        if week.contains("warm the cup") {
            break;
        }
    }
    assert!(week.contains("Week of") && week.contains("warm the cup"), "{week}");
    shot(&c, "calendar-week").await;
    // Dragged to 22:00 on its day, it keeps its minutes. (WebDriver cannot
    // drive HTML drag and drop; the page's own handlers get the events.)
    let before: String = c
        .execute(
            "const chip = [...document.querySelectorAll('[data-post]')].find(e => e.textContent.includes('warm the cup'));
             const slot = document.querySelector(`.week-slot[data-date='${chip.closest('[data-date]').dataset.date}'][data-hour='22']`);
             const dt = new DataTransfer();
             chip.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));
             slot.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt}));
             slot.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt}));
             return chip.dataset.time;",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    let moved_to = format!("22:{}", &before[3..]);
    let mut slot = String::new();
    for _ in 0..200 {
        if let Ok(found) = c.find(Locator::XPath("//div[@data-hour='22'][.//div[contains(., 'warm the cup')]]")).await {
            slot = found.text().await.unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(slot.contains(&moved_to), "moved from {before} to {moved_to}: {slot:?}");
    assert!(text(&c).await.contains("Week of"), "back on the week view");
    shot(&c, "calendar-week-moved").await;

    // The style guide: a banned word shows under the text as it is typed,
    // and a sponsored post without a disclosure is not saved.
    c.goto(&s.url("/w/northwind-coffee/settings")).await.unwrap();
    fill(&c, "#banned", "cheap, guaranteed").await;
    submit(&c, "form[action$='/style-guide'] button[type=submit]").await;
    assert_eq!(
        c.find(Locator::Css("#banned")).await.unwrap().prop("value").await.unwrap().unwrap(),
        "cheap, guaranteed"
    );
    c.execute("document.getElementById('style-guide').scrollIntoView()", vec![]).await.unwrap();
    shot(&c, "settings-style-guide").await;
    c.goto(&s.url("/w/northwind-coffee/compose")).await.unwrap();
    c.find(Locator::Css("input[name=sponsored]")).await.unwrap().click().await.unwrap();
    fill(&c, "#text", "Cheap beans from our partner roaster").await;
    let mut live = String::new();
    for _ in 0..100 {
        live = c.find(Locator::Css("#guide-problems")).await.unwrap().text().await.unwrap();
        if live.contains("banned") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(live.contains("\"Cheap\" is on the style guide's banned list"), "{live}");
    assert!(live.contains("a sponsored post must say so"), "{live}");
    shot(&c, "compose-style-guide").await;
    submit(&c, "form[data-composer] button[type=submit]").await;
    assert!(text(&c).await.contains("a sponsored post must say so"), "refused with the reason");

    // Approvals: with approval required, a post waits in review for someone else.
    c.goto(&s.url("/w/northwind-coffee/settings")).await.unwrap();
    c.find(Locator::Css("input[name=approval_required]")).await.unwrap().click().await.unwrap();
    submit(&c, "form[action$='/settings/approvals'] button[type=submit]").await;
    c.goto(&s.url("/w/northwind-coffee/compose")).await.unwrap();
    fill(&c, "#text", "Weekend opening hours: 8–14").await;
    submit(&c, "form[data-composer] button[type=submit]").await;
    c.goto(&s.url("/w/northwind-coffee/approvals")).await.unwrap();
    let page = text(&c).await;
    assert!(
        page.contains("Weekend opening hours") && page.contains("Send back") && !page.contains("Approve\n"),
        "{page}"
    );
    shot(&c, "approvals").await;

    // Crisis mode: one switch, a banner on every page.
    c.goto(&s.url("/w/northwind-coffee/settings")).await.unwrap();
    c.execute("window.confirm = () => true", vec![]).await.unwrap();
    fill(&c, "#crisis-reason", "Product recall").await;
    submit(&c, "form[action$='/crisis'] button[type=submit]").await;
    c.goto(&s.url("/w/northwind-coffee/calendar")).await.unwrap();
    let page = text(&c).await;
    assert!(page.contains("Crisis mode: nothing is being published") && page.contains("Product recall"), "{page}");
    shot(&c, "crisis").await;
    c.execute("window.confirm = () => true", vec![]).await.unwrap();
    submit(&c, "form[action$='/crisis/end'] button[type=submit]").await;
    assert!(!text(&c).await.contains("Crisis mode: nothing is being published"));

    // Sign out; the invitee signs up through the link.
    submit(&c, "form[action='/logout'] button").await;
    assert!(c.current_url().await.unwrap().path().ends_with("/login"));
    c.goto(&s.url(&link)).await.unwrap();
    assert!(text(&c).await.contains("Join Northwind Coffee"));
    shot(&c, "invite").await;
    fill(&c, "#name", "Vic Moreau").await;
    fill(&c, "#password", PASSWORD).await;
    submit(&c, "button[type=submit]").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/w/northwind-coffee");

    // Sign out, and sign in again through the sign-in page as the invitee.
    submit(&c, "form[action='/logout'] button").await;
    fill(&c, "#email", "vic@example.com").await;
    fill(&c, "#password", PASSWORD).await;
    submit(&c, "button[type=submit]").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/w/northwind-coffee");
    shot(&c, "viewer-dashboard").await;

    // A viewer sees the team but cannot invite, and cannot open API tokens or the other workspace.
    c.goto(&s.url("/w/northwind-coffee/settings/team")).await.unwrap();
    let page = text(&c).await;
    assert!(page.contains("Ana Lima") && page.contains("Vic Moreau"));
    assert!(!page.contains("Invite someone"));
    assert!(c.find(Locator::Css("select[name=role]")).await.is_err(), "no role pickers for viewers");
    c.goto(&s.url("/w/northwind-coffee/settings/tokens")).await.unwrap();
    assert!(text(&c).await.contains("Not allowed"));
    c.goto(&s.url("/w/lumen-studio")).await.unwrap();
    assert!(text(&c).await.contains("Page not found"));

    // The same pages on a phone.
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&s.url("/w/northwind-coffee")).await.unwrap();
    shot(&c, "dashboard-phone").await;
    c.goto(&s.url("/w/northwind-coffee/settings/team")).await.unwrap();
    shot(&c, "team-phone").await;

    // Keyboard: the skip link is the first stop and is visible when focused.
    c.goto(&s.url("/w/northwind-coffee")).await.unwrap();
    c.find(Locator::Css("body")).await.unwrap().send_keys("\u{E004}").await.unwrap();
    let focused: String = c
        .execute("return document.activeElement.className", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(focused, "skip-link");

    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_sees_the_dashboard_and_the_reports_sent() {
    let Some((_driver, c)) = start_driver().await else { return };
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    s.member(&ana, "cleo@client.example", socialdesk_core::Role::Client).await;
    c.goto(&s.url("/login")).await.unwrap();
    fill(&c, "#email", "cleo@client.example").await;
    fill(&c, "#password", PASSWORD).await;
    submit(&c, "form button[type=submit]").await;
    let nav = c.find(Locator::Css("nav.main-nav")).await.unwrap().text().await.unwrap();
    assert_eq!(nav.split_whitespace().collect::<Vec<_>>(), ["Dashboard", "Approvals", "Reports"], "{nav}");
    let home = text(&c).await;
    assert!(
        home.contains("Posts waiting for your approval\n0") && home.contains("No report has been sent yet"),
        "{home}"
    );
    c.find(Locator::Css("nav.main-nav a[href$='/reports']")).await.unwrap().click().await.unwrap();
    let page = text(&c).await;
    assert!(page.contains("Sent reports") && page.contains("No report has been sent yet"), "{page}");
    shot(&c, "reports-client").await;
    c.find(Locator::Css("nav.main-nav a[aria-current]")).await.unwrap();
    c.goto(&s.url(&format!("/w/{}", ana.workspace.as_ref().unwrap().slug))).await.unwrap();
    shot(&c, "dashboard-client").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn competitors_are_followed_from_analytics_and_shown_side_by_side() {
    let Some((_driver, c)) = start_driver().await else { return };
    let clock = std::sync::Arc::new(socialdesk_app::ManualClock::new(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 2, 9, 0, 0).unwrap(),
    ));
    let (s, _ana) = Server::with_measured_post(clock).await;
    c.goto(&s.url("/login")).await.unwrap();
    fill(&c, "#email", "ana@example.com").await;
    fill(&c, "#password", PASSWORD).await;
    submit(&c, "form button[type=submit]").await;

    c.goto(&s.url("/w/northwind-coffee/analytics")).await.unwrap();
    c.find(Locator::Css("nav[aria-label=Analytics] a[href$='/competitors']")).await.unwrap().click().await.unwrap();
    let page = text(&c).await;
    assert!(page.contains("No competitors yet"), "{page}");
    let own = c.find(Locator::Css("table[data-benchmark] tbody")).await.unwrap().text().await.unwrap();
    assert!(own.contains("@northwind_coffee.sandbox You"), "the workspace's own accounts are there: {own}");

    // A wrong handle is explained next to its field, and nothing is kept.
    fill(&c, "#c-handle", "not a handle!").await;
    submit(&c, "form[aria-label='Follow a competitor'] button[type=submit]").await;
    let error = c.find(Locator::Css("#c-handle-error")).await.unwrap().text().await.unwrap();
    assert!(error.contains("is not a sandbox handle"), "{error}");
    assert!(text(&c).await.contains("No competitors yet"));

    fill(&c, "#c-handle", "@globex").await;
    submit(&c, "form[aria-label='Follow a competitor'] button[type=submit]").await;
    let table = c.find(Locator::Css("table[data-benchmark] tbody")).await.unwrap().text().await.unwrap();
    assert!(table.contains("@globex.sandbox"), "{table}");
    let list = c.find(Locator::Css("#competitors")).await.unwrap().text().await.unwrap();
    assert!(list.contains("@globex.sandbox") && list.contains("Last read: 2 Nov 2026"), "{list}");
    assert_eq!(c.find_all(Locator::Css("svg[role=img]")).await.unwrap().len(), 1, "the engagements chart");
    shot(&c, "competitors").await;
    c.execute("document.getElementById('competitors').scrollIntoView()", vec![]).await.unwrap();
    shot(&c, "competitors-list").await;

    // Read again on demand: still there, no error.
    submit(&c, "#competitors form[action$='/check'] button[type=submit]").await;
    let list = c.find(Locator::Css("#competitors")).await.unwrap().text().await.unwrap();
    assert!(list.contains("@globex.sandbox") && !list.contains("Could not read it"), "{list}");

    // On a phone, the table scrolls inside its card.
    c.set_window_size(390, 844).await.unwrap();
    c.refresh().await.unwrap();
    shot(&c, "competitors-phone").await;
    let overflow: bool = c
        .execute("return document.documentElement.scrollWidth > document.documentElement.clientWidth", vec![])
        .await
        .unwrap()
        .as_bool()
        .unwrap();
    let wide = c
        .execute(
            "const w = document.documentElement.clientWidth; return [...document.querySelectorAll('main *')]\
             .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-wrap'))\
             .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')",
            vec![],
        )
        .await
        .unwrap();
    assert!(!overflow, "the page itself does not scroll sideways on a phone: {wide}");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analytics_shows_a_measured_period_and_explains_its_figures() {
    let Some((_driver, c)) = start_driver().await else { return };
    let clock = std::sync::Arc::new(socialdesk_app::ManualClock::new(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 2, 9, 0, 0).unwrap(),
    ));
    let (s, _ana) = Server::with_measured_post(clock).await;
    c.goto(&s.url("/login")).await.unwrap();
    fill(&c, "#email", "ana@example.com").await;
    fill(&c, "#password", PASSWORD).await;
    submit(&c, "form button[type=submit]").await;

    c.goto(&s.url("/w/northwind-coffee/analytics?period=this-month")).await.unwrap();
    let page = text(&c).await;
    assert!(page.contains("November 2026, compared with October 2026"), "{page}");
    assert!(page.contains("Fresh beans are in") && page.contains("Latte art class"), "{page}");
    assert!(page.contains("Posts published\n?\n2"), "two posts counted: {page}");
    // October had no posts: its figures are unknown, shown as a dash, not zero.
    assert!(page.contains("before: —"), "{page}");
    assert_eq!(c.find_all(Locator::Css("svg[role=img]")).await.unwrap().len(), 4, "four charts");
    shot(&c, "analytics").await;

    // Bottom first by likes, then the same period stays chosen.
    c.find(Locator::Css("select[name=order] option[value=asc]")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("select[name=sort] option[value=likes]")).await.unwrap().click().await.unwrap();
    submit(&c, "form[aria-label='Sort posts'] button[type=submit]").await;
    assert!(text(&c).await.contains("Bottom posts"));
    let url = c.current_url().await.unwrap();
    assert!(url.query().unwrap_or_default().contains("period=this-month"), "{url}");

    // A goal: a wrong target is explained next to its field, a right one shows its progress.
    c.find(Locator::Css("#g-metric option[value=posts]")).await.unwrap().click().await.unwrap();
    fill(&c, "#g-target", "ten").await;
    fill(&c, "#g-period", "2026-11").await;
    submit(&c, "form[aria-label='New goal'] button[type=submit]").await;
    let error = c.find(Locator::Css("#g-target-error")).await.unwrap().text().await.unwrap();
    assert!(error.contains("\"ten\" is not a number"), "{error}");
    fill(&c, "#g-target", "4").await;
    submit(&c, "form[aria-label='New goal'] button[type=submit]").await;
    let goals = c.find(Locator::Css("#goals")).await.unwrap().text().await.unwrap();
    assert!(goals.contains("Posts published 4") && goals.contains("So far 2"), "{goals}");
    shot(&c, "analytics-goals").await;

    // A period that does not exist says why, and shows the default instead.
    fill(&c, "#a-custom", "2026-13").await;
    submit(&c, "form[aria-label=Period] button[type=submit]").await;
    let page = text(&c).await;
    assert!(page.contains("there is no month 13") && page.contains("Showing the last 30 days instead"), "{page}");

    // The month's report reads in two minutes.
    c.goto(&s.url("/w/northwind-coffee/reports?period=this-month")).await.unwrap();
    let page = text(&c).await;
    assert!(page.contains("In short") && page.contains("Best posts") && page.contains("Recommendations"), "{page}");
    shot(&c, "reports").await;

    // Every figure links to its formula.
    c.goto(&s.url("/w/northwind-coffee/analytics?period=this-month")).await.unwrap();
    c.find(Locator::Css("a.help[href='/help/metrics#engagement']")).await.unwrap().click().await.unwrap();
    let heading = c.find(Locator::Css("#engagement")).await.unwrap().text().await.unwrap();
    assert_eq!(heading, "Engagement");
    shot(&c, "help-metrics").await;
}

/// Six hours of calm brand mentions, one broken line, then a burst of angry
/// ones ending `now − 5 min`, as a JSONL file.
fn listening_corpus(now: chrono::DateTime<chrono::Utc>) -> PathBuf {
    let start = now - chrono::Duration::hours(7);
    let line = |id: String, text: &str, at: chrono::DateTime<chrono::Utc>| {
        serde_json::json!({"id": id, "network": "bluesky", "text": text, "created_at": at.to_rfc3339(), "author": "fan.bsky.social"})
            .to_string()
    };
    let mut lines: Vec<String> = (0..180)
        .map(|i| line(format!("calm{i}"), "Northwind latte at the station", start + chrono::Duration::minutes(2 * i)))
        .collect();
    lines.insert(5, "{ this is not json".into());
    for i in 0..50 {
        let at = now - chrono::Duration::minutes(15) + chrono::Duration::seconds(12 * i);
        lines.push(line(format!("angry{i}"), "Northwind lost my order, terrible service 😡", at));
    }
    let path = std::env::temp_dir().join(format!("sd-mentions-{}.jsonl", uuid::Uuid::now_v7()));
    std::fs::write(&path, lines.join("\n")).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listening_checks_a_query_imports_posts_and_acts_on_an_alert() {
    let Some((_driver, c)) = start_driver().await else { return };
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 10, 12, 0, 0).unwrap();
    let s = Server::with_clock(std::sync::Arc::new(socialdesk_app::ManualClock::new(now))).await;
    let _ana = s.person("ana@example.com", "Northwind Coffee").await;
    c.goto(&s.url("/login")).await.unwrap();
    fill(&c, "#email", "ana@example.com").await;
    fill(&c, "#password", PASSWORD).await;
    submit(&c, "form button[type=submit]").await;
    c.goto(&s.url("/w/northwind-coffee/listening")).await.unwrap();

    // The editor checks the query as it is typed and points at the mistake.
    fill(&c, "#q-query", "northwind AND").await;
    let status = c.find(Locator::Css("#q-status")).await.unwrap();
    let mut said = String::new();
    for _ in 0..100 {
        said = status.text().await.unwrap();
        if said.contains("t character 14") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(said.contains("t character 14: expected a term after AND"), "{said}");
    fill(&c, "#q-name", "Northwind").await;
    fill(&c, "#q-query", "northwind -job*").await;
    c.find(Locator::Css("#q-role option[value=brand]")).await.unwrap().click().await.unwrap();
    submit(&c, "form[data-query-editor] button[type=submit]").await;
    assert!(text(&c).await.contains("Query saved."));

    // A JSONL file through the page: counted, the broken line named, the burst alerted.
    let file = listening_corpus(now);
    c.find(Locator::Css("#i-file")).await.unwrap().send_keys(&file.display().to_string()).await.unwrap();
    c.find(Locator::Css("form[data-jsonl-import] button[type=submit]")).await.unwrap().click().await.unwrap();
    let result = c.find(Locator::Css("#import-result")).await.unwrap();
    let mut summary = String::new();
    for _ in 0..200 {
        summary = result.text().await.unwrap();
        if summary.contains("posts read") || summary.contains("Not imported") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = std::fs::remove_file(&file);
    assert!(summary.contains("230 posts read, 230 matched a query, 230 new, 1 lines skipped"), "{summary}");
    assert!(summary.contains("line 6: not a JSON object"), "{summary}");
    shot(&c, "listening-import").await;

    c.goto(&s.url("/w/northwind-coffee/listening")).await.unwrap();
    let page = text(&c).await;
    assert!(page.contains("negative spike on Northwind"), "{page}");
    assert!(page.contains("Top terms:") && page.contains("terrible"), "{page}");
    shot(&c, "listening").await;

    // The query's page: a chart with the alert marked, and the stream filtered to the angry posts.
    c.find(Locator::LinkText("Northwind")).await.unwrap().click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    c.find(Locator::Css("#f-sentiment option[value=negative]")).await.unwrap().click().await.unwrap();
    submit(&c, "form[aria-label='Filter mentions'] button[type=submit]").await;
    let stream = c.find(Locator::Css(".mentions")).await.unwrap().text().await.unwrap();
    assert!(stream.contains("Northwind lost my order") && !stream.contains("latte"), "{stream}");
    let chart = c.find(Locator::Css("#volume-title + .chart svg")).await.unwrap().html(false).await.unwrap();
    assert!(chart.contains("spike on Northwind"), "the alert is marked on the chart");
    shot(&c, "listening-query").await;
    // Without an account that can search, the look-back card says what to connect.
    let card = c.find(Locator::Css("#look-back")).await.unwrap();
    let said = card.text().await.unwrap();
    assert!(said.contains("No connected account can search") && said.contains("northwind"), "{said}");
    c.execute("document.getElementById('look-back').scrollIntoView()", vec![]).await.unwrap();
    shot(&c, "listening-query-look-back").await;

    // One click pauses every post, after a confirmation.
    c.goto(&s.url("/w/northwind-coffee/listening/alerts")).await.unwrap();
    c.find(Locator::Css("form[action$='/crisis'] button")).await.unwrap().click().await.unwrap();
    c.accept_alert().await.unwrap();
    for _ in 0..200 {
        if text(&c).await.contains("Crisis mode is on") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(text(&c).await.contains("Crisis mode is on: nothing will be published"));
    shot(&c, "listening-alerts").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_looks_back_through_the_networks_search_from_its_page() {
    let Some((_driver, c)) = start_driver().await else { return };
    let mastodon = crate::harness::FakeMastodon::start().await;
    let mut networks = socialdesk_networks::Registry::default();
    networks.add(std::sync::Arc::new(socialdesk_networks::mastodon::Mastodon::new(socialdesk_networks::http_client())));
    let s = Server::with_networks(networks).await;
    let ana = s.person("ana@example.com", "Northwind Coffee").await;
    let actor = s.actor(&ana).await;
    mastodon.connect(&s.app, &actor).await;
    let query = s.app.create_query(&actor, "Northwind", "(northwind OR #northwind) -job*", "brand").await.unwrap();
    let day = |days: i64| (s.app.now() - chrono::Duration::days(days)).to_rfc3339();
    mastodon.public_post("Northwind's new oat latte is lovely", &day(2));
    mastodon.public_post("Northwind job fair on Monday", &day(3));
    mastodon.public_post("Northwind was packed, a while ago", &day(12));
    mastodon.public_post("Morning #northwind flat white", &day(1));
    c.goto(&s.url("/login")).await.unwrap();
    fill(&c, "#email", "ana@example.com").await;
    fill(&c, "#password", PASSWORD).await;
    submit(&c, "form button[type=submit]").await;

    c.goto(&s.url(&format!("/w/northwind-coffee/listening/queries/{}", query.id))).await.unwrap();
    let card = c.find(Locator::Css("#look-back")).await.unwrap().text().await.unwrap();
    assert!(card.contains("northwind, #northwind") && card.contains("Searched through Mastodon @ana"), "{card}");
    c.find(Locator::Css("#lb-days option[value='14']")).await.unwrap().click().await.unwrap();
    submit(&c, "#look-back button[type=submit]").await;
    let card = c.find(Locator::Css("#look-back")).await.unwrap().text().await.unwrap();
    assert!(card.contains("Looked back 14 days with 2 searches: 3 new mentions."), "{card}");
    assert!(card.contains("Mastodon @ana@social.test: 5 found, 4 matching, 3 new"), "{card}");
    assert!(!card.contains("stopped"), "{card}");
    let stream = c.find(Locator::Css(".mentions")).await.unwrap().text().await.unwrap();
    assert!(stream.contains("oat latte") && stream.contains("packed") && !stream.contains("job fair"), "{stream}");
    shot(&c, "listening-look-back").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_is_uploaded_described_and_picked_in_the_composer() {
    let Some((_driver, c)) = start_driver().await else { return };
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Northwind Coffee").await;
    let actor = s.actor(&ana).await;
    s.app
        .connect_account(
            &actor,
            socialdesk_app::ConnectAccount {
                network: "sandbox".into(),
                identifier: "Northwind Coffee".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    c.goto(&s.url("/login")).await.unwrap();
    fill(&c, "#email", "ana@example.com").await;
    fill(&c, "#password", PASSWORD).await;
    submit(&c, "form button[type=submit]").await;

    // A real image to upload: the browser's own screenshot of the sign-in result.
    let image = std::env::temp_dir().join(format!("sd-upload-{}.png", uuid::Uuid::now_v7()));
    std::fs::write(&image, c.screenshot().await.unwrap()).unwrap();
    c.goto(&s.url("/w/northwind-coffee/media")).await.unwrap();
    assert!(text(&c).await.contains("No media yet."));
    c.find(Locator::Css("#file")).await.unwrap().send_keys(&image.display().to_string()).await.unwrap();
    submit(&c, "form[enctype] button[type=submit]").await;
    let _ = std::fs::remove_file(&image);
    let page = text(&c).await;
    assert!(page.contains("1 file added.") && page.contains("1280×") && page.contains(" · PNG · "), "{page}");
    assert!(page.contains("missing"), "the missing alt text is pointed out");
    fill(&c, ".media-card textarea[name=alt]", "The dashboard of Northwind Coffee").await;
    submit(&c, ".media-card form[action$='/alt'] button").await;
    assert!(text(&c).await.contains("Alt text saved."));
    let loaded = c
        .execute("const i = document.querySelector('.media-thumb img'); return i.complete && i.naturalWidth", vec![])
        .await
        .unwrap();
    assert_eq!(loaded.as_u64(), Some(1280), "the thumbnail is the image itself");
    shot(&c, "media-library").await;

    // A video gets alt text too (the networks that take videos take a description).
    let clip = b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41";
    let clip = s.app.upload_media(&actor, "pour.mp4", clip).await.unwrap().media().clone();
    c.goto(&s.url("/w/northwind-coffee/media")).await.unwrap();
    let card = format!("#m-{}", clip.id);
    fill(&c, &format!("{card} textarea[name=alt]"), "Milk poured into an espresso, slowly").await;
    submit(&c, &format!("{card} form[action$='/alt'] button")).await;
    assert!(text(&c).await.contains("Alt text saved."));
    let card_text = c.find(Locator::Css(&card)).await.unwrap().text().await.unwrap();
    assert!(card_text.contains("pour.mp4") && card_text.contains("MP4"), "{card_text}");
    shot(&c, "media-library-video").await;
    s.app.delete_media(&actor, clip.id).await.unwrap();

    // The composer suggests an image for the sandbox (a visual network) until one is picked.
    c.goto(&s.url("/w/northwind-coffee/compose")).await.unwrap();
    let advice = c.find(Locator::Css("#suggestions")).await.unwrap();
    assert!(advice.text().await.unwrap().contains("No image: posts on Sandbox"));
    c.find(Locator::Css(".media-pick input")).await.unwrap().click().await.unwrap();
    for _ in 0..100 {
        if !advice.is_displayed().await.unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!advice.is_displayed().await.unwrap(), "no suggestion left once an image with alt text is picked");
    fill(&c, "#text", "Our new dashboard is live").await;
    shot(&c, "compose-media").await;
    submit(&c, "form[data-composer] button[type=submit]").await;
    let page = text(&c).await;
    assert!(page.contains("Our new dashboard is live"), "{page}");
    let posts = s.app.posts(&actor, 10).await.unwrap();
    let media = s.app.posts_media(&actor, &[posts[0].0.id]).await.unwrap();
    assert_eq!(media[&posts[0].0.id][0].len(), 1, "the picked image goes with the post");

    // Approval steps from the settings page; the Approvals page says whose turn it is and shows the image.
    let jin = s.member(&ana, "jin@example.com", socialdesk_core::Role::Editor).await;
    let jin_id = s.actor(&jin).await.user.id;
    s.app.set_approval_policy(&actor, true, false).await.unwrap();
    c.goto(&s.url("/w/northwind-coffee/settings")).await.unwrap();
    fill(&c, "#step-name-0", "Team lead").await;
    c.find(Locator::Css(&format!("input[name=user_0][value='{jin_id}']"))).await.unwrap().click().await.unwrap();
    submit(&c, "#approval-steps button[type=submit]").await;
    assert!(text(&c).await.contains("Settings saved."));
    assert_eq!(s.app.policy(&actor).await.unwrap().steps[0].users, [jin_id]);
    c.goto(&s.url("/w/northwind-coffee/settings#approval-steps")).await.unwrap();
    shot(&c, "settings-approval-steps").await;
    c.goto(&s.url("/w/northwind-coffee/compose")).await.unwrap();
    fill(&c, "#text", "Second look at the dashboard").await;
    c.find(Locator::Css(".media-pick input")).await.unwrap().click().await.unwrap();
    submit(&c, "form[data-composer] button[type=submit]").await;
    c.goto(&s.url("/w/northwind-coffee/approvals")).await.unwrap();
    let page = text(&c).await;
    assert!(page.contains("Step 1 of 1, Team lead: any of jin"), "{page}");
    assert!(page.contains("Alt: The dashboard of Northwind Coffee"), "{page}");
    shot(&c, "approvals-steps").await;

    // Business hours: a mistake is said next to the field; saved hours show in the inbox's response figures.
    c.goto(&s.url("/w/northwind-coffee/settings")).await.unwrap();
    fill(&c, "#business_hours", "weekdays 9 to 5").await;
    submit(&c, "#business-hours button[type=submit]").await;
    assert!(
        text(&c).await.contains("days, then hours") || text(&c).await.contains("days are mon"),
        "{}",
        text(&c).await
    );
    fill(&c, "#business_hours", "mon-fri 09:00-17:30").await;
    submit(&c, "#business-hours button[type=submit]").await;
    assert!(text(&c).await.contains("Settings saved."));
    c.goto(&s.url("/w/northwind-coffee/settings#business-hours")).await.unwrap();
    shot(&c, "settings-business-hours").await;
    c.goto(&s.url("/w/northwind-coffee/inbox")).await.unwrap();
    assert!(text(&c).await.contains("In business hours"), "{}", text(&c).await);

    // One account's version shows a picture of its own: picked under "Customize per account", shown to the reviewer.
    let deals = s
        .app
        .connect_account(
            &actor,
            socialdesk_app::ConnectAccount {
                network: "sandbox".into(),
                identifier: "Northwind Deals".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let square = std::env::temp_dir().join(format!("sd-upload-{}.png", uuid::Uuid::now_v7()));
    std::fs::write(&square, c.screenshot().await.unwrap()).unwrap();
    let square_bytes = std::fs::read(&square).unwrap();
    let _ = std::fs::remove_file(&square);
    let square = s.app.upload_media(&actor, "deals-square.png", &square_bytes).await.unwrap().media().clone();
    s.app.set_media_alt(&actor, square.id, "Two cups for the price of one").await.unwrap();
    c.goto(&s.url("/w/northwind-coffee/compose")).await.unwrap();
    for a in s.app.accounts(&actor).await.unwrap() {
        c.find(Locator::Css(&format!("input[name=account][value='{}']", a.id))).await.unwrap().click().await.unwrap();
    }
    fill(&c, "#text", "Autumn offers all week").await;
    let dashboard = format!("[data-media-picker] .media-pick input:not([value='{}'])", square.id);
    c.find(Locator::Css(&dashboard)).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("details.variants summary")).await.unwrap().click().await.unwrap();
    let pick = format!("input[name=variant_media][value='{}:{}']", deals.id, square.id);
    assert!(!c.find(Locator::Css(&pick)).await.unwrap().is_displayed().await.unwrap(), "hidden until asked for");
    c.find(Locator::Css(&format!("input[name=variant_own_media][value='{}']", deals.id)))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css(&pick)).await.unwrap().click().await.unwrap();
    c.execute("document.querySelector('details.variants').scrollIntoView()", vec![]).await.unwrap();
    shot(&c, "compose-own-media").await;
    submit(&c, "form[data-composer] button[type=submit]").await;
    let (post, variants) =
        s.app.posts(&actor, 10).await.unwrap().into_iter().max_by_key(|(p, _)| p.created_at).unwrap();
    assert_eq!(post.text, "Autumn offers all week");
    let own = s.app.variants_media(&actor, &[post.id]).await.unwrap();
    let version = variants.iter().find(|v| v.account_id == deals.id).unwrap();
    assert_eq!(own.len(), 1, "{own:?}");
    assert_eq!(own[&version.id], [vec![square.id]]);
    c.goto(&s.url("/w/northwind-coffee/approvals")).await.unwrap();
    let page = text(&c).await;
    assert!(page.contains(&format!("{}'s own version", deals.handle)), "{page}");
    assert!(page.contains("Alt: Two cups for the price of one"), "{page}");
    assert_eq!(
        s.app.posts_media(&actor, &[post.id]).await.unwrap()[&post.id],
        [vec![s.app.media_library(&actor, 10).await.unwrap().iter().find(|m| m.id != square.id).unwrap().id]],
        "the post shows the other"
    );
    shot(&c, "approvals-own-media").await;

    // The editor shows the version's own picture picked; unticking "Its own media" shows the post's again.
    c.goto(&s.url(&format!("/w/northwind-coffee/posts/{}/edit", post.id))).await.unwrap();
    let own_box = format!("input[name=variant_own_media][value='{}']", deals.id);
    assert!(c.find(Locator::Css(&own_box)).await.unwrap().is_selected().await.unwrap());
    assert!(c.find(Locator::Css(&pick)).await.unwrap().is_selected().await.unwrap());
    assert!(c.find(Locator::Css(&pick)).await.unwrap().is_displayed().await.unwrap());
    c.execute("document.querySelector('details.variants').scrollIntoView()", vec![]).await.unwrap();
    shot(&c, "edit-own-media").await;
    c.find(Locator::Css(&own_box)).await.unwrap().click().await.unwrap();
    submit(&c, "form[action$='/edit'] button[type=submit]").await;
    assert!(s.app.variants_media(&actor, &[post.id]).await.unwrap().is_empty(), "the post's media again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbox_rules_are_written_tried_applied_and_undone() {
    let Some((_driver, c)) = start_driver().await else { return };
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Northwind Coffee").await;
    let actor = s.actor(&ana).await;
    let account = s
        .app
        .connect_account(
            &actor,
            socialdesk_app::ConnectAccount {
                network: "sandbox".into(),
                identifier: "Northwind Coffee".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    c.goto(&s.url("/login")).await.unwrap();
    fill(&c, "#email", "ana@example.com").await;
    fill(&c, "#password", PASSWORD).await;
    submit(&c, "form button[type=submit]").await;

    c.goto(&s.url("/w/northwind-coffee/inbox")).await.unwrap();
    submit(&c, "a[href$='/inbox/rules']").await;
    assert!(text(&c).await.contains("No rules yet."));
    // A broken query is pointed at, next to its field, with what was typed kept.
    fill(&c, "#r-name", "Late deliveries").await;
    fill(&c, "#r-query", "late AND (delivery").await;
    submit(&c, "form[aria-label=Rule] button[value=save]").await;
    let error = c.find(Locator::Css("#r-query ~ .error")).await.unwrap().text().await.unwrap();
    assert!(error.contains("At character"), "{error}");
    assert_eq!(
        c.find(Locator::Css("#r-name")).await.unwrap().prop("value").await.unwrap().as_deref(),
        Some("Late deliveries")
    );

    // Messages first, so that the rule can be tried on them.
    s.app.sync_inbox(actor.workspace.id, account.id).await.unwrap();
    fill(&c, "#r-query", "").await;
    fill(&c, "#r-name", "Complaints first").await;
    c.find(Locator::Css("input[name=kinds][value=complaint]")).await.unwrap().click().await.unwrap();
    fill(&c, "#r-tags", "unhappy, #Follow up").await;
    c.find(Locator::Css("#r-priority")).await.unwrap().select_by_value("urgent").await.unwrap();
    c.find(Locator::Css("#r-assign")).await.unwrap().select_by_value("role:owner").await.unwrap();
    submit(&c, "form[aria-label=Rule] button[value=preview]").await;
    let preview = c.find(Locator::Css("[data-preview]")).await.unwrap().text().await.unwrap();
    assert!(preview.contains("of the latest") && !preview.starts_with("0 of"), "{preview}");
    c.execute("document.querySelector('form[aria-label=Rule]').scrollIntoView()", vec![]).await.unwrap();
    shot(&c, "inbox-rules-form").await;
    c.execute("document.querySelector('[data-preview]').scrollIntoView({block: 'end'})", vec![]).await.unwrap();
    shot(&c, "inbox-rules-preview").await;
    submit(&c, "form[aria-label=Rule] button[value=save]").await;
    let page = text(&c).await;
    assert!(page.contains("Rule saved.") && page.contains("Complaints first"), "{page}");
    assert!(
        page.contains("is a complaint") && page.contains("tag follow up") && page.contains("priority urgent"),
        "{page}"
    );
    // The messages that came before the rule: run it on them now.
    submit(&c, "form[action$='/inbox/rules/apply'] button").await;
    let notice = c.find(Locator::Css(".notice")).await.unwrap().text().await.unwrap();
    assert!(notice.starts_with("The rules acted on ") && !notice.starts_with("The rules acted on 0 "), "{notice}");

    // New messages meet the rule as they arrive: a second account's, synced now.
    let support = s
        .app
        .connect_account(
            &actor,
            socialdesk_app::ConnectAccount {
                network: "sandbox".into(),
                identifier: "Northwind Support".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    s.app.sync_inbox(actor.workspace.id, support.id).await.unwrap();
    c.goto(&s.url("/w/northwind-coffee/inbox?tag=follow+up")).await.unwrap();
    let items = c.find_all(Locator::Css("[data-item]")).await.unwrap();
    assert!(!items.is_empty(), "{}", text(&c).await);
    let first = items[0].text().await.unwrap();
    assert!(
        first.contains("urgent priority")
            && first.contains("#unhappy")
            && first.contains("Complaints first:")
            && first.contains("tag unhappy"),
        "{first}"
    );
    assert!(first.contains("assigned: ana"), "{first}");
    shot(&c, "inbox-rules-applied").await;

    // Undo from the message: the tag goes, the log says so.
    let tagged_before = items.len();
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.find(Locator::XPath(
        "(//li[@data-item])[1]//ul[contains(@class,'rule-effects')]/li[contains(., 'tag unhappy')]//button",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(text(&c).await.contains("Undone."));
    c.goto(&s.url("/w/northwind-coffee/inbox?tag=unhappy")).await.unwrap();
    assert_eq!(c.find_all(Locator::Css("[data-item]")).await.unwrap().len(), tagged_before - 1);
    // The rule's assignments reached Ana's notifications: the bell counts them, a notice opens its message.
    let bell = c.find(Locator::Css("a.bell")).await.unwrap();
    let unread: usize = bell.attr("data-unread").await.unwrap().unwrap().parse().unwrap();
    assert!(unread >= tagged_before, "{unread} unread");
    submit(&c, "a.bell").await;
    let page = text(&c).await;
    assert!(page.contains("Rule “Complaints first” assigned you a message from @"), "{page}");
    shot(&c, "notifications").await;
    submit(&c, "[data-notifications] li:first-child a").await;
    assert!(c.current_url().await.unwrap().query().unwrap_or_default().starts_with("item="));
    assert!(text(&c).await.contains("One message, from a notification."));
    assert_eq!(c.find_all(Locator::Css("[data-item]")).await.unwrap().len(), 1);
    let bell = c.find(Locator::Css("a.bell")).await.unwrap();
    assert_eq!(bell.attr("data-unread").await.unwrap().unwrap(), (unread - 1).to_string(), "that one is read");
    c.goto(&s.url("/w/northwind-coffee/notifications")).await.unwrap();
    submit(&c, "form[action$='/notifications/read'] button").await;
    assert_eq!(c.find(Locator::Css("a.bell")).await.unwrap().attr("data-unread").await.unwrap().as_deref(), Some("0"));

    c.goto(&s.url("/w/northwind-coffee/inbox/rules#activity")).await.unwrap();
    assert!(text(&c).await.contains("undone"));
    c.execute("document.querySelector('#activity').scrollIntoView()", vec![]).await.unwrap();
    shot(&c, "inbox-rules-activity").await;
    c.goto(&s.url("/w/northwind-coffee/inbox/rules")).await.unwrap();
    shot(&c, "inbox-rules").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_is_saved_from_the_inbox_then_tagged_linked_and_noted() {
    let Some((_driver, c)) = start_driver().await else { return };
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Northwind Coffee").await;
    s.synced_sandbox(&ana, "Northwind Coffee").await;
    c.goto(&s.url("/login")).await.unwrap();
    fill(&c, "#email", "ana@example.com").await;
    fill(&c, "#password", PASSWORD).await;
    submit(&c, "form button[type=submit]").await;

    // An older page of the inbox, with its way back to the newest messages.
    let actor = s.actor(&ana).await;
    let open = socialdesk_store::InboxFilter { status: Some(socialdesk_core::InboxStatus::Open), ..Default::default() };
    let items = s.app.inbox(&actor, &open, 500).await.unwrap();
    let third = &items[2];
    let older = format!(
        "/w/northwind-coffee/inbox?status=open&before_time={}&before_id={}",
        third.created_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true).replace('+', "%2B"),
        third.id
    );
    c.goto(&s.url(&older)).await.unwrap();
    assert_eq!(c.find_all(Locator::Css("[data-item]")).await.unwrap().len(), (items.len() - 3).min(50));
    c.execute("document.querySelector('nav.pager').scrollIntoView({block: 'center'})", vec![]).await.unwrap();
    shot(&c, "inbox-older-page").await;
    submit(&c, "nav.pager a").await;
    assert_eq!(c.find_all(Locator::Css("[data-item]")).await.unwrap().len(), items.len().min(50));

    // From a message, the author's page: their messages, not saved yet.
    c.goto(&s.url("/w/northwind-coffee/inbox")).await.unwrap();
    let author = c.find(Locator::Css("[data-inbox] .author-link")).await.unwrap().text().await.unwrap();
    submit(&c, "[data-inbox] .author-link").await;
    let page = text(&c).await;
    assert!(page.contains("Not a contact yet") && page.contains(&author), "{page}");
    let messages = c.find_all(Locator::Css("[data-history] .history-item")).await.unwrap().len();
    assert!(messages >= 1);
    shot(&c, "contact-unsaved").await;
    assert_eq!(c.find(Locator::Css("#s-name")).await.unwrap().prop("value").await.unwrap().as_deref(), Some(&*author));
    fill(&c, "#s-tags", "VIP, coffee lover").await;
    fill(&c, "#s-note", "Orders every Friday").await;
    submit(&c, "form[aria-label='Save as contact'] button[type=submit]").await;
    let page = text(&c).await;
    assert!(page.contains("Contact saved."), "{page}");
    let tags = c.find(Locator::Css("[data-contact-tags]")).await.unwrap().text().await.unwrap();
    assert!(tags.contains("vip") && tags.contains("coffee lover"), "{tags}");
    assert_eq!(c.find_all(Locator::Css("[data-history] .history-item")).await.unwrap().len(), messages);

    // A handle on a network socialdesk does not know is pointed at, with what was typed kept.
    c.find(Locator::Css("#l-network")).await.unwrap().select_by_value("mastodon").await.unwrap();
    fill(&c, "#l-handle", "ana maria").await;
    submit(&c, "form[aria-label='Link a handle'] button[type=submit]").await;
    let error = c.find(Locator::Css("#l-handle ~ .error")).await.unwrap().text().await.unwrap();
    assert!(error.contains("no spaces"), "{error}");
    assert_eq!(
        c.find(Locator::Css("#l-handle")).await.unwrap().prop("value").await.unwrap().as_deref(),
        Some("ana maria")
    );
    fill(&c, "#l-handle", "@Friday.Orders@mastodon.social").await;
    submit(&c, "form[aria-label='Link a handle'] button[type=submit]").await;
    let handles = c.find(Locator::Css("[data-handles]")).await.unwrap().text().await.unwrap();
    assert!(handles.contains("@friday.orders@mastodon.social") && handles.contains("mastodon"), "{handles}");
    fill(&c, "#note-body", "Asked for oat milk").await;
    submit(&c, "form[aria-label='Add a note'] button[type=submit]").await;
    let notes = c.find(Locator::Css("[data-contact-notes]")).await.unwrap().text().await.unwrap();
    assert!(notes.find("Asked for oat milk").unwrap() < notes.find("Orders every Friday").unwrap(), "{notes}");
    shot(&c, "contact").await;

    // The inbox shows the contact's tags by their messages, and filters to them.
    c.goto(&s.url("/w/northwind-coffee/inbox")).await.unwrap();
    let first = c.find(Locator::Css("[data-inbox] > li")).await.unwrap().text().await.unwrap();
    assert!(first.contains("vip"), "{first}");
    shot(&c, "inbox-contact-tags").await;
    // Liked from here, on the network.
    submit(&c, "[data-inbox] > li:first-child [data-action=like] button").await;
    assert!(text(&c).await.contains("Liked."));
    let like = c.find(Locator::Css("[data-inbox] > li:first-child [data-action=like] button")).await.unwrap();
    assert_eq!(like.attr("aria-pressed").await.unwrap().as_deref(), Some("true"));
    submit(&c, "a[href$='/contacts']").await;
    let row = c.find(Locator::Css("[data-contacts] tbody tr")).await.unwrap().text().await.unwrap();
    assert!(row.contains(&author) && row.contains("vip") && row.contains(&messages.to_string()), "{row}");
    shot(&c, "contacts").await;
    fill(&c, "#c-search", "nobody-like-this").await;
    submit(&c, "form[role=search] button[type=submit]").await;
    assert!(text(&c).await.contains("No contact matches."));

    // The messages' sentiment by day, on the analytics page.
    c.goto(&s.url("/w/northwind-coffee/analytics")).await.unwrap();
    c.execute("document.querySelector('[data-sentiment-chart]').scrollIntoView({block: 'center'})", vec![])
        .await
        .unwrap();
    let chart = c.find(Locator::Css("[data-sentiment-chart] svg")).await.unwrap().attr("aria-label").await.unwrap();
    assert!(chart.is_some_and(|l| l.contains("messages")));
    shot(&c, "analytics-inbox-sentiment").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contributor_proposes_an_answer_and_the_owner_sends_it_edited() {
    let Some((_driver, c)) = start_driver().await else { return };
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Northwind Coffee").await;
    s.member(&ana, "carl@example.com", socialdesk_core::Role::Contributor).await;
    let actor = s.actor(&ana).await;
    s.synced_sandbox(&ana, "Northwind Coffee").await;
    let sign_in = |email: &'static str| {
        let c = c.clone();
        let url = s.url("/login");
        async move {
            c.delete_all_cookies().await.unwrap();
            c.goto(&url).await.unwrap();
            fill(&c, "#email", email).await;
            fill(&c, "#password", PASSWORD).await;
            submit(&c, "form button[type=submit]").await;
        }
    };

    // Carl, a contributor, may only propose.
    sign_in("carl@example.com").await;
    c.goto(&s.url("/w/northwind-coffee/inbox")).await.unwrap();
    let first = c.find(Locator::Css("[data-inbox] > li")).await.unwrap();
    assert!(first.find(Locator::Css("[data-action=done]")).await.is_err(), "contributors do not triage");
    first.find(Locator::Css("[data-action=reply] summary")).await.unwrap().click().await.unwrap();
    let hint = first.find(Locator::Css("[data-action=reply] .muted")).await.unwrap().text().await.unwrap();
    assert!(hint.contains("wait for approval"), "{hint}");
    first
        .find(Locator::Css("[data-action=reply] textarea"))
        .await
        .unwrap()
        .send_keys("Sorry! We will fix it")
        .await
        .unwrap();
    submit(&c, "[data-inbox] > li:first-child [data-action=reply] button[type=submit]").await;
    assert!(text(&c).await.contains("Answer proposed"), "{}", text(&c).await);

    // Ana finds it among the answers to approve, edits and sends it.
    sign_in("ana@example.com").await;
    c.goto(&s.url("/w/northwind-coffee/inbox?status=pending&awaiting=1")).await.unwrap();
    let items = c.find_all(Locator::Css("[data-inbox] > li")).await.unwrap();
    assert_eq!(items.len(), 1);
    let proposed = c.find(Locator::Css("[data-proposed]")).await.unwrap().text().await.unwrap();
    assert!(proposed.contains("carl's proposed answer") && proposed.contains("Sorry! We will fix it"), "{proposed}");
    c.execute("document.querySelector('[data-proposed]').scrollIntoView({block: 'center'})", vec![]).await.unwrap();
    shot(&c, "inbox-answer-to-approve").await;
    let field = c.find(Locator::Css("[data-proposed] textarea")).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys("Sorry! We will fix it today.").await.unwrap();
    submit(&c, "[data-proposed] button[value=approve]").await;
    assert!(text(&c).await.contains("Answer approved and sent."));
    let stored = s.app.inbox(&actor, &socialdesk_store::InboxFilter::default(), 500).await.unwrap();
    let sent = stored.iter().find(|i| i.reply_text.is_some()).unwrap();
    assert_eq!(sent.reply_text.as_deref(), Some("Sorry! We will fix it today."));

    // Editors' answers can be made to wait too, from Settings.
    c.goto(&s.url("/w/northwind-coffee/settings#reply-approval")).await.unwrap();
    c.find(Locator::Css("#reply-approval input[value=editor]")).await.unwrap().click().await.unwrap();
    submit(&c, "#reply-approval button[type=submit]").await;
    assert!(text(&c).await.contains("Settings saved."));
    assert_eq!(
        s.app.reply_approval(&actor).await.unwrap(),
        [socialdesk_core::Role::Editor, socialdesk_core::Role::Contributor]
    );
    c.execute("document.querySelector('#reply-approval').scrollIntoView()", vec![]).await.unwrap();
    shot(&c, "settings-reply-approval").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_composer_shows_the_link_card_a_network_will_show() {
    let Some((_driver, c)) = start_driver().await else { return };
    // The page's picture: a real PNG the browser made.
    let art = "<body style='margin:0;height:100vh;display:grid;place-items:center;\
               background:linear-gradient(135deg,#fbcfe8,#c7d2fe);font:700 96px sans-serif'>Spring menu</body>";
    c.goto(&format!("data:text/html;charset=utf-8,{}", art.replace('#', "%23"))).await.unwrap();
    let site = crate::harness::cafe_site(c.screenshot().await.unwrap()).await;
    let s = Server::with_cards(&[(crate::harness::CAFE, site)]).await;
    let ana = s.person("ana@example.com", "Northwind Coffee").await;
    let actor = s.actor(&ana).await;
    for network in ["cards", "sandbox"] {
        let account = socialdesk_app::ConnectAccount {
            network: network.into(),
            identifier: "Northwind Coffee".into(),
            ..Default::default()
        };
        s.app.connect_account(&actor, account).await.unwrap();
    }
    c.goto(&s.url("/login")).await.unwrap();
    fill(&c, "#email", "ana@example.com").await;
    fill(&c, "#password", PASSWORD).await;
    submit(&c, "form button[type=submit]").await;

    c.goto(&s.url("/w/northwind-coffee/compose")).await.unwrap();
    let card = c.find(Locator::Css("#link-card")).await.unwrap();
    let link = format!("http://{}:{}/spring", crate::harness::CAFE, site.port());
    fill(&c, "#text", &format!("Our spring menu is here: {link} — come by!")).await;
    assert!(!card.is_displayed().await.unwrap(), "no account that takes cards is picked yet");
    c.find(Locator::Css("input[name=account][data-network=cards]")).await.unwrap().click().await.unwrap();
    let mut seen = String::new();
    for _ in 0..100 {
        seen = card.text().await.unwrap_or_default();
        if seen.contains("Spring menu") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(seen.contains("Link card on Cards"), "{seen}");
    assert!(
        seen.contains("Café Lumen") && seen.contains("Spring menu — été 🌸") && seen.contains("새로운 메뉴"),
        "{seen}"
    );
    let mut width = 0;
    for _ in 0..100 {
        let loaded = c
            .execute(
                "const i = document.querySelector('#link-card img'); return i && i.complete ? i.naturalWidth : 0",
                vec![],
            )
            .await
            .unwrap();
        width = loaded.as_u64().unwrap_or(0);
        if width > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(width > 0, "the page's picture shows, read through this server");
    let src = c.execute("return document.querySelector('#link-card img').getAttribute('src')", vec![]).await.unwrap();
    assert!(src.as_str().unwrap().starts_with("/w/northwind-coffee/compose/link-picture?url="), "{src}");
    let height = c
        .execute(
            "const card = document.querySelector('#link-card'); card.scrollIntoView({block: 'center'}); \
             return card.querySelector('img').getBoundingClientRect().height",
            vec![],
        )
        .await
        .unwrap();
    assert!(height.as_f64().unwrap() < 300.0, "the picture is cut to a card's shape: {height}");
    shot(&c, "compose-link-card").await;

    // Ticking "post without link cards" takes the card away, and the post keeps the choice.
    c.find(Locator::Css("input[name=no_link_card]")).await.unwrap().click().await.unwrap();
    for _ in 0..100 {
        if !card.is_displayed().await.unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!card.is_displayed().await.unwrap(), "no card when the post goes without");
    shot(&c, "compose-without-card").await;
    c.find(Locator::Css("input[name=no_link_card]")).await.unwrap().click().await.unwrap();

    // A link that is no page says so; a text without links has no card.
    fill(&c, "#text", &format!("The menu: http://{}:{}/menu.pdf", crate::harness::CAFE, site.port())).await;
    for _ in 0..100 {
        seen = card.text().await.unwrap_or_default();
        if seen.contains("No card") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(seen.contains("No card: the link is not a web page (application/pdf)"), "{seen}");
    fill(&c, "#text", "No link today").await;
    for _ in 0..100 {
        if !card.is_displayed().await.unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!card.is_displayed().await.unwrap(), "no link, no card");
}

#[tokio::test]
async fn a_mastodon_mention_arrives_live_in_the_inbox() {
    let Some((_driver, c)) = start_driver().await else { return };
    let mastodon = crate::harness::FakeMastodon::start().await;
    let mut networks = socialdesk_networks::Registry::default();
    networks.add(std::sync::Arc::new(socialdesk_networks::sandbox::Sandbox::new()));
    networks.add(std::sync::Arc::new(socialdesk_networks::mastodon::Mastodon::new(socialdesk_networks::http_client())));
    let s = Server::with_networks(networks).await;
    let ana = s.person("ana@example.com", "Northwind Coffee").await;
    let actor = s.actor(&ana).await;
    let account = mastodon.connect(&s.app, &actor).await;
    s.synced_sandbox(&ana, "Northwind Coffee").await;
    s.run_worker();
    for _ in 0..500 {
        if !s.app.live_inboxes(&actor).await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(s.app.live_inboxes(&actor).await.unwrap().contains_key(&account.id), "the stream opened");

    c.goto(&s.url("/login")).await.unwrap();
    fill(&c, "#email", "ana@example.com").await;
    fill(&c, "#password", PASSWORD).await;
    submit(&c, "form button[type=submit]").await;
    c.goto(&s.url("/w/northwind-coffee/inbox")).await.unwrap();
    let sources = c.find(Locator::Css("#inbox-sources")).await.unwrap().text().await.unwrap();
    assert!(
        sources.contains("Arriving live: @ana@social.test")
            && sources.contains("Checked every 2 minutes: @northwind_coffee.sandbox"),
        "{sources}"
    );

    // Someone mentions the account; the worker's two-minute round is far
    // off, so only the stream can bring it in this soon, and the open page
    // says so without being reloaded.
    let banner = c.find(Locator::Css("#inbox-arrivals")).await.unwrap();
    assert!(!banner.is_displayed().await.unwrap(), "nothing new yet");
    mastodon.mention("is the Sunday brunch on this week?");
    for _ in 0..500 {
        if banner.is_displayed().await.unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let said = banner.text().await.unwrap();
    assert_eq!(said.split_whitespace().collect::<Vec<_>>().join(" "), "1 new message arrived. Show them");
    assert!(c.title().await.unwrap().starts_with("(1) Inbox"), "the tab says so too");
    shot(&c, "inbox-arrived").await;
    c.find(Locator::Css("[data-show-arrivals]")).await.unwrap().click().await.unwrap();
    for _ in 0..500 {
        if text(&c).await.contains("is the Sunday brunch on this week?") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let page = text(&c).await;
    assert!(page.contains("is the Sunday brunch on this week?") && page.contains("@bo@elsewhere.social"), "{page}");
    assert!(!c.find(Locator::Css("#inbox-arrivals")).await.unwrap().is_displayed().await.unwrap());
    shot(&c, "inbox-live").await;

    // The API says so too.
    let token = s.token(&ana, socialdesk_core::Role::Viewer).await;
    let accounts: serde_json::Value =
        crate::harness::api(&token).get(s.url("/api/v1/accounts")).send().await.unwrap().json().await.unwrap();
    let live: Vec<(&str, bool)> = accounts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["network"].as_str().unwrap(), a["inbox_live_since"].is_string()))
        .collect();
    assert!(live.contains(&("mastodon", true)) && live.contains(&("sandbox", false)), "{live:?}");
}
