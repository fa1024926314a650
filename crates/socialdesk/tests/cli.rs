//! The real binary, as a newcomer and an operator run it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_socialdesk");

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sd-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    Command::new(BIN).args(args).current_dir(dir).env_remove("SOCIALDESK_DATABASE_URL").output().unwrap()
}

#[test]
fn help_documents_every_command_and_flag_with_its_environment_variable() {
    let dir = temp_dir("help");
    let top = String::from_utf8(run(&["--help"], &dir).stdout).unwrap();
    for command in ["serve", "worker", "migrate", "demo"] {
        assert!(top.contains(command), "--help lists {command}:\n{top}");
    }
    let serve = String::from_utf8(run(&["serve", "--help"], &dir).stdout).unwrap();
    for (flag, env) in [
        ("--bind", "SOCIALDESK_BIND"),
        ("--database-url", "SOCIALDESK_DATABASE_URL"),
        ("--data-dir", "SOCIALDESK_DATA_DIR"),
        ("--config", "SOCIALDESK_CONFIG"),
        ("--public-url", "SOCIALDESK_PUBLIC_URL"),
        ("--signup", "SOCIALDESK_SIGNUP"),
        ("--secret-key-file", "SOCIALDESK_SECRET_KEY_FILE"),
        ("--no-worker", "SOCIALDESK_NO_WORKER"),
        ("--log-format", "SOCIALDESK_LOG_FORMAT"),
        ("--bluesky-jetstream", "SOCIALDESK_BLUESKY_JETSTREAM"),
    ] {
        assert!(serve.contains(flag) && serve.contains(env), "serve --help documents {flag} and {env}:\n{serve}");
    }
}

#[test]
fn mistakes_end_in_one_clear_line_and_a_failure_code() {
    let dir = temp_dir("mistakes");
    std::fs::write(dir.join("bad.toml"), "bind = 8080\n").unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["migrate", "--config", "bad.toml"], "bad.toml"),
        (&["migrate", "--database-url", "mysql://x"], "unsupported database URL"),
        (&["serve", "--public-url", "social.example.com"], "--public-url must start with http"),
        (&["worker", "--bluesky-jetstream", "https://jetstream.example/subscribe"], "must be a WebSocket address"),
    ];
    for (args, expected) in cases {
        let out = run(args, &dir);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(!out.status.success(), "{args:?} must fail");
        let last = stderr.lines().last().unwrap_or_default();
        assert!(last.starts_with("socialdesk: ") && last.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
#[allow(clippy::print_stderr)] // Says which check was skipped, and why.
fn migrate_then_demo_seed_a_fresh_sqlite_database_once() {
    let dir = temp_dir("demo");
    assert!(run(&["migrate"], &dir).status.success());
    assert!(dir.join("socialdesk.db").exists(), "SQLite is the default, in the current directory");
    let first = run(&["demo"], &dir);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8(first.stdout).unwrap().contains("Demo ready: sign in as owner@demo.socialdesk.test"));
    let second = run(&["demo"], &dir);
    assert!(String::from_utf8(second.stdout).unwrap().contains("already exists"));

    // The demo arrives with weeks of measured history, which `report` reads.
    let json = run(&["report", "--workspace", "northwind-coffee", "--period", "last-30-days"], &dir);
    assert!(json.status.success(), "{}", String::from_utf8_lossy(&json.stderr));
    let overview: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let figure = |key: &str| {
        overview["figures"].as_array().unwrap().iter().find(|f| f["key"] == key).unwrap()["current"].clone()
    };
    assert!(figure("posts").as_f64().unwrap() >= 20.0, "{overview}");
    assert!(figure("engagements").as_f64().unwrap() > 0.0);
    assert!(figure("follower_growth").as_f64().unwrap() > 0.0);
    let rate = figure("response_rate").as_f64().unwrap();
    assert!(rate > 0.5 && rate < 1.0, "the demo team answers most questions, not all: {rate}");
    let csv = run(&["report", "--workspace", "northwind-coffee", "--period", "last-30-days", "--format", "csv"], &dir);
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(csv.starts_with("published_at,network,handle,text,url,impressions,"), "{csv}");
    assert!(csv.lines().count() > 20);
    // The month's PDF: text that can be extracted, as a stakeholder's reader would.
    let pdf = run(
        &[
            "report",
            "--workspace",
            "northwind-coffee",
            "--period",
            "last-30-days",
            "--format",
            "pdf",
            "-o",
            "report.pdf",
        ],
        &dir,
    );
    assert!(pdf.status.success(), "{}", String::from_utf8_lossy(&pdf.stderr));
    match Command::new("pdftotext").args(["-layout", "report.pdf", "-"]).current_dir(&dir).output() {
        Ok(text) => {
            let text = String::from_utf8_lossy(&text.stdout);
            assert!(
                text.contains("Northwind Coffee") && text.contains("In short") && text.contains("Best posts"),
                "{text}"
            );
            assert!(text.contains("Page 1 of"), "{text}");
            // The demo listens too: the report says what people said, with share of voice.
            assert!(text.contains("What people said") && text.contains("Share of voice: Northwind"), "{text}");
            // And it follows two competitors: the report sets the accounts next to them.
            assert!(text.contains("Against competitors") && text.contains("@globex_coffee.sandbox"), "{text}");
        }
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "CI must check the PDF's text, but pdftotext: {e}");
            eprintln!("SKIPPED (pdftotext): {e}");
        }
    }
    // Competitors from the shell: the benchmark, following one more, and a wrong handle in one line.
    let bench = run(&["competitors", "--workspace", "northwind-coffee", "--period", "last-30-days"], &dir);
    assert!(bench.status.success(), "{}", String::from_utf8_lossy(&bench.stderr));
    let table = String::from_utf8(bench.stdout).unwrap();
    assert!(
        table.contains("@northwind_coffee.sandbox (you)") && table.contains("@bluebird_roasters.sandbox"),
        "{table}"
    );
    assert!(table.contains("Against competitors:"), "{table}");
    let add = ["competitors", "--workspace", "northwind-coffee", "--network", "sandbox", "--add", "@initech"];
    let added = run(&add, &dir);
    assert!(String::from_utf8(added.stdout).unwrap().contains("following @initech.sandbox (Initech) on sandbox"));
    let again = run(&add, &dir);
    assert!(!again.status.success());
    let stderr = String::from_utf8(again.stderr).unwrap();
    assert!(
        stderr.lines().last().unwrap().contains("@initech.sandbox is already one of this workspace's competitors"),
        "{stderr}"
    );
    let removed = run(&["competitors", "--workspace", "northwind-coffee", "--remove", "initech.sandbox"], &dir);
    assert!(String::from_utf8(removed.stdout).unwrap().contains("stopped following"));
    for (args, expected) in [
        (["report", "--workspace", "northwind-coffee", "--period", "2026-13"], "--period: \"2026-13\" is not a period"),
        (["report", "--workspace", "nowhere", "--period", "2026-10"], "--workspace: there is no workspace \"nowhere\""),
    ] {
        let out = run(&args, &dir);
        assert!(!out.status.success());
        let stderr = String::from_utf8(out.stderr).unwrap();
        let last = stderr.lines().last().unwrap_or_default();
        assert!(last.starts_with("socialdesk: ") && last.contains(expected), "one line says what is wrong: {stderr}");
    }
    // An account's queue: a bad slot is one clear line; good ones are set and shown; pause and resume.
    let queue = ["queue", "--workspace", "northwind-coffee", "--account", "@northwind_coffee.sandbox"];
    let bad = run(&[&queue[..], &["--set", "mon 9am"]].concat(), &dir);
    assert!(!bad.status.success());
    let stderr = String::from_utf8(bad.stderr).unwrap();
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("socialdesk: --set: \"mon 9am\" is not a slot"), "{stderr}");
    let set = run(&[&queue[..], &["--set", "wed 12:30, mon 09:00", "--pause"]].concat(), &dir);
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let out = String::from_utf8(set.stdout).unwrap();
    assert!(out.contains("@northwind_coffee.sandbox (Europe/Rome): slots mon 09:00, wed 12:30"), "{out}");
    assert!(out.contains("paused since"), "{out}");
    let resumed = String::from_utf8(run(&[&queue[..], &["--resume"]].concat(), &dir).stdout).unwrap();
    assert!(resumed.contains("resumed; 0 overdue post(s) moved") && !resumed.contains("paused since"), "{resumed}");
    // The media library: a file that is not an image is one clear line; an image is added with its alt text, once.
    std::fs::write(dir.join("notes.png"), "not a picture").unwrap();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x04\xb0\0\0\x02\xa3\x08\x06\0\0\0".to_vec();
    png.extend([0; 64]);
    std::fs::write(dir.join("latte.png"), &png).unwrap();
    let media = ["media", "--workspace", "northwind-coffee"];
    let bad = run(&[&media[..], &["notes.png"]].concat(), &dir);
    assert!(!bad.status.success());
    let stderr = String::from_utf8(bad.stderr).unwrap();
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("socialdesk: notes.png: not a file we can post"), "{stderr}");
    let added = run(&[&media[..], &["latte.png", "--alt", "A latte"]].concat(), &dir);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let out = String::from_utf8(added.stdout).unwrap();
    assert!(
        out.starts_with("added ") && out.contains("latte.png  1200x675 image/png") && out.contains("alt \"A latte\""),
        "{out}"
    );
    let again = String::from_utf8(run(&[&media[..], &["latte.png"]].concat(), &dir).stdout).unwrap();
    assert!(again.starts_with("already there "), "{again}");
    let listed = String::from_utf8(run(&media, &dir).stdout).unwrap();
    assert_eq!(listed.lines().count(), 1, "{listed}");
    // Inbox rules: a broken one is named by its place and field, and none of the file is added.
    std::fs::write(
        dir.join("rules.json"),
        r#"[{"name": "Refunds", "conditions": [{"type": "keywords", "any": ["refund", "환불"]}], "actions": [{"type": "tag", "tag": "billing"}]},
            {"name": "Late", "conditions": [{"type": "query", "query": "late AND (delivery"}], "actions": [{"type": "hide"}]}]"#,
    )
    .unwrap();
    // Contacts: the demo saved three; listed, shown by handle, exported.
    let contacts = ["contacts", "--workspace", "northwind-coffee"];
    let listed = String::from_utf8(run(&contacts, &dir).stdout).unwrap();
    assert_eq!(listed.lines().count(), 3, "{listed}");
    let vip = String::from_utf8(run(&[&contacts[..], &["--tag", "VIP"]].concat(), &dir).stdout).unwrap();
    assert_eq!(vip.lines().count(), 1, "{vip}");
    let handle = vip.split_whitespace().find(|w| w.starts_with('@')).unwrap().to_owned();
    let shown = run(&[&contacts[..], &["--show", &handle]].concat(), &dir);
    assert!(shown.status.success(), "{}", String::from_utf8_lossy(&shown.stderr));
    let shown = String::from_utf8(shown.stdout).unwrap();
    assert!(
        shown.contains("tags: vip") && shown.contains("prefers direct messages") && shown.contains(&handle),
        "{shown}"
    );
    let csv = String::from_utf8(run(&[&contacts[..], &["--csv"]].concat(), &dir).stdout).unwrap();
    assert!(
        csv.starts_with("name,handles,tags,messages,last_message_at,saved_at\n") && csv.lines().count() == 4,
        "{csv}"
    );
    let missing = run(&[&contacts[..], &["--show", "@nobody.sandbox"]].concat(), &dir);
    assert!(!missing.status.success());
    let stderr = String::from_utf8(missing.stderr).unwrap();
    assert!(
        stderr.lines().last().unwrap_or_default().contains("no contact has the handle @nobody.sandbox"),
        "{stderr}"
    );
    // A link's card, from a page on this machine (allowed only when the operator says so).
    let page = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let link = format!("http://{}/menu", page.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in page.incoming().take(1) {
            let mut stream = stream.unwrap();
            let mut request = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            while reader.read_line(&mut request).unwrap() > 2 {
                request.clear();
            }
            let body = "<html><head><title>Café Lumen</title><meta property=\"og:title\" content=\"Spring menu\">\
                        <meta name=\"description\" content=\"새로운 메뉴\"></head></html>";
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(body.as_bytes()).unwrap();
        }
    });
    let card = ["link-card", "--workspace", "northwind-coffee"];
    let refused = run(&[&card[..], &[&link]].concat(), &dir);
    assert!(!refused.status.success());
    let stderr = String::from_utf8(refused.stderr).unwrap();
    assert!(stderr.lines().last().unwrap_or_default().contains("private network"), "{stderr}");
    let read = run(&[&card[..], &["--allow-private-addresses", &link]].concat(), &dir);
    assert!(read.status.success(), "{}", String::from_utf8_lossy(&read.stderr));
    assert_eq!(
        String::from_utf8(read.stdout).unwrap(),
        "title: Spring menu\ndescription: 새로운 메뉴\npicture: none\nsite: 127.0.0.1\n"
    );
    let rules = ["rules", "--workspace", "northwind-coffee"];
    let bad = run(&[&rules[..], &["--add", "rules.json"]].concat(), &dir);
    assert!(!bad.status.success());
    let stderr = String::from_utf8(bad.stderr).unwrap();
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("socialdesk: rules.json: rule 2 (Late): /conditions/0/query: at character"), "{stderr}");
    assert_eq!(String::from_utf8(run(&rules, &dir).stdout).unwrap(), "", "all or none");
    std::fs::write(dir.join("rules.json"), r#"{"name": "Refunds", "conditions": [{"type": "kinds"}], "actions": []}"#)
        .unwrap();
    let bad = run(&[&rules[..], &["--add", "rules.json"]].concat(), &dir);
    let stderr = String::from_utf8(bad.stderr).unwrap();
    assert!(stderr.lines().last().unwrap_or_default().contains("rule 1: /conditions[0]"), "{stderr}");
    std::fs::write(
        dir.join("rules.json"),
        r#"{"name": "Refunds", "stop": true, "conditions": [{"type": "keywords", "any": ["refund", "환불"]}], "actions": [{"type": "tag", "tag": "Billing"}]}"#,
    )
    .unwrap();
    let added = run(&[&rules[..], &["--add", "rules.json"]].concat(), &dir);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let listed = String::from_utf8(run(&rules, &dir).stdout).unwrap();
    assert_eq!(listed, "1. Refunds [stop]: when says any of: refund, 환불; then tag billing\n");
    let deleted = run(&[&rules[..], &["--delete", "Refunds"]].concat(), &dir);
    assert!(deleted.status.success());
    assert_eq!(String::from_utf8(run(&rules, &dir).stdout).unwrap(), "");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("socialdesk.key")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the key file is private");
    }
}

fn get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn serve_answers_and_stops_gracefully_on_sigterm() {
    let dir = temp_dir("serve");
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0", "--log-format", "json"])
        .current_dir(&dir)
        .env_remove("SOCIALDESK_DATABASE_URL")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let address = loop {
        let line = lines.next().expect("serve logs its address").unwrap();
        if line.contains("socialdesk is serving") {
            let log: serde_json::Value = serde_json::from_str(&line).unwrap();
            break log["address"].as_str().unwrap().to_owned();
        }
    };
    assert!(
        get(&address, "/readyz").starts_with("HTTP/1.0 200") || get(&address, "/readyz").starts_with("HTTP/1.1 200")
    );
    assert!(get(&address, "/").contains("location: /signup"));

    let started = Instant::now();
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exits 0 after SIGTERM");
    assert!(started.elapsed() < Duration::from_secs(10));
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("worker stopped")), "the worker drained: {rest:?}");
    assert!(rest.iter().any(|l| l.contains("bye")));
}

#[test]
fn import_reports_every_problem_by_row_and_column_and_fails() {
    let dir = temp_dir("import");
    assert!(run(&["demo"], &dir).status.success());
    std::fs::write(
        dir.join("posts.csv"),
        "text,accounts,date,time\nGood one,@northwind_coffee.sandbox,2031-05-04,09:00\nBad one,@nobody,2031-05-04,25:00\n",
    )
    .unwrap();
    let args = ["import", "posts.csv", "--workspace", "northwind-coffee", "--as", "owner@demo.socialdesk.test"];
    let out = run(&args, &dir);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("posts.csv: row 3, column accounts: no account \"@nobody\" in this workspace"), "{stderr}");
    assert!(stderr.contains("posts.csv: row 3, column time: \"25:00\" is not a time"), "{stderr}");
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("2 rows read, 0 imported (0 scheduled, 0 drafts), 2 problems; nothing imported")
    );

    std::fs::write(
        dir.join("good.csv"),
        "text,accounts,date,time\nGood one,@northwind_coffee.sandbox,2031-05-04,09:00\n",
    )
    .unwrap();
    let args = ["import", "good.csv", "--workspace", "northwind-coffee", "--as", "owner@demo.socialdesk.test"];
    let out = run(&args, &dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8(out.stdout).unwrap().contains("1 rows read, 1 imported (1 scheduled, 0 drafts), 0 problems")
    );
}

#[test]
fn listen_check_prints_the_canonical_query_or_where_it_is_wrong() {
    let dir = temp_dir("listen");
    let ok = run(&["listen", "check", "(\"northwind coffee\" OR #northwind) -job*"], &dir);
    assert!(ok.status.success());
    assert_eq!(
        String::from_utf8(ok.stdout).unwrap(),
        "(\"northwind coffee\" OR #northwind) AND NOT job*\nnetwork searches: \"northwind coffee\", #northwind\n"
    );
    let prefix = run(&["listen", "check", "north*"], &dir);
    assert!(String::from_utf8(prefix.stdout).unwrap().contains("network searches: none (a network's search needs"));
    let bad = run(&["listen", "check", "coffee AND (tea OR"], &dir);
    assert!(!bad.status.success());
    let stderr = String::from_utf8(bad.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("at character 19: expected a term after OR"), "{stderr}");
}

#[test]
fn listen_import_streams_a_file_resumes_and_reports_broken_lines() {
    let dir = temp_dir("listen-import");
    assert!(run(&["demo"], &dir).status.success());
    let lines = [
        r#"{"id":"cli-1","network":"bluesky","text":"Northwind coffee is lovely","created_at":"2026-11-01T10:00:00Z"}"#,
        "{ broken",
        r#"{"id":"cli-2","network":"mastodon","text":"Globex coffee again","created_at":"2026-11-01T10:01:00Z"}"#,
        r#"{"id":"cli-3","network":"myspace","text":"northwind","created_at":"2026-11-01T10:02:00Z"}"#,
    ];
    std::fs::write(dir.join("posts.jsonl"), lines.join("\n")).unwrap();
    let import = |extra: &[&str]| {
        let mut args = vec!["listen", "import", "posts.jsonl", "--workspace", "northwind-coffee"];
        args.extend_from_slice(extra);
        let out = run(&args, &dir);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let first = import(&[]);
    assert!(first.contains("import:posts.jsonl: 2 posts read, 2 matched a query, 2 new, 2 lines skipped"), "{first}");
    assert!(
        first.contains("skipped line 2: not a JSON object") && first.contains("skipped line 4: \"network\""),
        "{first}"
    );
    let again = import(&[]);
    assert!(again.contains("went on after line 4") && again.contains("0 posts read"), "{again}");
    let restart = import(&["--restart"]);
    assert!(restart.contains("2 posts read, 2 matched a query, 0 new"), "{restart}");
    let wrong = run(&["listen", "import", "posts.jsonl", "--workspace", "nowhere"], &dir);
    assert!(!wrong.status.success());
    assert_eq!(String::from_utf8(wrong.stderr).unwrap().lines().filter(|l| l.starts_with("socialdesk:")).count(), 1);

    // Looking back needs an account that can search: the demo's sandbox accounts cannot.
    let look_back = |query: &str, days: &str| {
        let out =
            run(&["listen", "look-back", "--workspace", "northwind-coffee", "--query", query, "--days", days], &dir);
        assert!(!out.status.success());
        let stderr = String::from_utf8(out.stderr).unwrap();
        stderr.lines().filter(|l| l.starts_with("socialdesk:")).map(str::to_owned).collect::<Vec<_>>()
    };
    let said = look_back("Northwind", "7");
    assert!(said.len() == 1 && said[0].contains("connect a Bluesky or Mastodon account"), "{said:?}");
    let said = look_back("Northwind", "45");
    assert!(said.len() == 1 && said[0].contains("1 to 30 days"), "{said:?}");
    let said = look_back("Nobody", "7");
    assert!(said.len() == 1 && said[0].contains("--query"), "{said:?}");
}

#[test]
fn bench_listen_measures_a_small_corpus() {
    let dir = temp_dir("bench-listen");
    let out =
        run(&["bench", "listen", "--posts", "2000", "--queries", "10", "--python-posts", "0", "--dir", "."], &dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for line in
        ["corpus: 2000 posts", "full pipeline:", "matching only:", "every post enriched:", "memory while streaming"]
    {
        assert!(text.contains(line), "{line}: {text}");
    }
    assert!(dir.join("corpus-2000.jsonl").exists() && dir.join("queries-10.txt").exists());
}
