//! The console: the page and its assets (served from the binary, nothing fetched from the
//! network, small and quick), and the JSON it reads: both clouds' invitations paged newest first
//! through cursors and offsets, filtered by status and searched by id, organization, account or
//! text; the id-ordered tables; the journal newest first with its change counter; a journal
//! entry as a signed curl command the gateways accept; and the admin token as Bearer or Basic.

use crate::helpers::*;
use base64::Engine;
use resourcemanager_emulator::cli::{CloudArg, SignArgs, SignMethod, sign};
use resourcemanager_emulator::control::console::{PAGE, SCRIPT, STYLE};
use serde_json::Value;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// A GET with extra headers: status, the head as text, and the body.
fn get(app: &TestApp, target: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    let mut request = format!(
        "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        app.host()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", app.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stream, &mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_ascii_lowercase(), body.to_owned())
}

fn json(app: &TestApp, target: &str) -> Value {
    let reply = app.control("GET", target, None);
    assert_eq!(reply.status, 200, "{target}: {}", reply.body);
    reply.json()
}

fn ids(page: &Value) -> Vec<String> {
    page["handshakes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            format!(
                "{}/{}",
                h["cloud"].as_str().unwrap(),
                h["id"].as_str().unwrap()
            )
        })
        .collect()
}

/// Every page of `query` (limit `limit`), following `next` to the end.
fn every_page(app: &TestApp, query: &str, limit: usize) -> Vec<String> {
    every_page_after(app, query, limit, None)
}

/// The same, starting after the cursor `start`.
fn every_page_after(app: &TestApp, query: &str, limit: usize, start: Option<&str>) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after = start.map(|s| format!("&after={s}")).unwrap_or_default();
    for _ in 0..100 {
        let page = json(
            app,
            &format!("/_emulator/handshakes?limit={limit}{query}{after}"),
        );
        let items = ids(&page);
        assert!(items.len() <= limit);
        seen.extend(items);
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => return seen,
        }
    }
    panic!("more than 100 pages");
}

#[test]
fn the_page_and_its_assets_are_served_from_the_binary_small_and_fetch_nothing_from_the_network() {
    let app = spawn_app();
    for (path, content_type, body) in [
        ("/_emulator/ui", "text/html; charset=utf-8", PAGE),
        (
            "/_emulator/ui/console.js",
            "text/javascript; charset=utf-8",
            SCRIPT,
        ),
        (
            "/_emulator/ui/console.css",
            "text/css; charset=utf-8",
            STYLE,
        ),
    ] {
        let (status, head, served) = get(&app, path, &[]);
        assert_eq!(status, 200, "{path}");
        assert!(
            head.contains(&format!("content-type: {content_type}")),
            "{head}"
        );
        assert!(
            head.contains("content-security-policy: default-src 'none'; script-src 'self'"),
            "{head}"
        );
        assert_eq!(served, body);
        for scheme in ["http://", "https://", "//cdn", "@import"] {
            assert!(!body.contains(scheme), "{path} names {scheme}");
        }
    }
    assert!(PAGE.contains(r#"<script src="/_emulator/ui/console.js" defer></script>"#));
    assert!(PAGE.contains(r#"href="/_emulator/ui/console.css""#));
    let size = PAGE.len() + SCRIPT.len() + STYLE.len();
    assert!(size < 100_000, "the console's assets are {size} bytes");
}

#[test]
fn the_page_answers_in_under_50_ms() {
    let app = spawn_app();
    let best = (0..5)
        .map(|_| {
            let started = Instant::now();
            assert_eq!(get(&app, "/_emulator/ui", &[]).0, 200);
            started.elapsed()
        })
        .min()
        .unwrap();
    assert!(best < Duration::from_millis(50), "{best:?}");
}

#[test]
fn both_clouds_invitations_page_newest_first_and_a_cursor_visits_each_once() {
    let app = spawn_app();
    let whole = json(&app, "/_emulator/handshakes?limit=500");
    assert_eq!(whole["total"], 21);
    assert_eq!(whole["next"], Value::Null);
    assert_eq!(whole["now"], "2026-11-22T08:00:00Z");
    let all = ids(&whole);
    assert_eq!(all.len(), 21);
    assert!(all.iter().any(|id| id.starts_with("huawei/")));
    let created: Vec<&str> = whole["handshakes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["created"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "{created:?}");
    for limit in [1, 4, 7, 20] {
        assert_eq!(every_page(&app, "", limit), all, "limit {limit}");
    }
    // An offset skips what earlier pages showed, across the merge and within one cloud.
    let offset = json(&app, "/_emulator/handshakes?limit=4&offset=6");
    assert_eq!(ids(&offset), all[6..10]);
    let mut rest = ids(&offset);
    rest.extend(every_page_after(&app, "", 5, offset["next"].as_str()));
    assert_eq!(rest, all[6..]);
    let alibaba: Vec<_> = all
        .iter()
        .filter(|id| id.starts_with("alibaba/"))
        .cloned()
        .collect();
    let one_cloud = json(&app, "/_emulator/handshakes?cloud=alibaba&limit=3&offset=2");
    assert_eq!(ids(&one_cloud), alibaba[2..5]);
    assert_eq!(one_cloud["total"], 13);
    assert_eq!(every_page(&app, "&cloud=huawei", 3).len(), 8);
}

#[test]
fn status_and_search_filter_the_invitations_as_of_the_emulator_clock() {
    let app = spawn_app();
    let statuses = |query: &str| -> Vec<(String, String)> {
        json(&app, &format!("/_emulator/handshakes?limit=500{query}"))["handshakes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["id"].as_str().unwrap().to_owned(),
                    h["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let pending = statuses("&cloud=alibaba&status=pending");
    assert_eq!(pending.len(), 9);
    assert!(pending.iter().all(|(_, s)| s == "pending"));
    let expired = statuses("&status=expired");
    let mut expired_ids: Vec<&str> = expired.iter().map(|(id, _)| id.as_str()).collect();
    expired_ids.sort_unstable();
    assert_eq!(
        expired_ids,
        ["h-Exp1redAlready10", "h-expired00000000000000000000001"]
    );
    // Filtered pages page too, with no total (it would need a scan).
    let filtered = every_page(&app, "&status=pending", 2);
    assert_eq!(filtered.len(), 9 + 3);
    assert_eq!(
        json(&app, "/_emulator/handshakes?status=pending")["total"],
        Value::Null
    );

    // Search: a handshake id, an organization, an account by id, email or name, or text.
    let one = json(&app, "/_emulator/handshakes?q=h-Ih8IuPfvV0t0abcd");
    assert_eq!(ids(&one), ["alibaba/h-Ih8IuPfvV0t0abcd"]);
    assert_eq!(one["matched"]["alibaba"], "handshake");
    assert_eq!(one["total"], 1);
    let handshake = &one["handshakes"][0];
    assert_eq!(
        (
            handshake["wire_status"].as_str(),
            handshake["target_type"].as_str()
        ),
        (Some("Pending"), Some("Account"))
    );
    assert_eq!(handshake["manager_name"], "CompanyA");
    assert_eq!(handshake["expires"], "2026-12-06T07:00:00Z");
    let sent = json(&app, "/_emulator/handshakes?q=rd-3G6zcw&limit=500");
    assert_eq!(sent["matched"]["alibaba"], "organization");
    assert_eq!(sent["handshakes"].as_array().unwrap().len(), 12);
    for q in ["1772422852740000", "ops@partner.example", "Partner"] {
        let received = json(
            &app,
            &format!("/_emulator/handshakes?cloud=alibaba&limit=500&q={q}"),
        );
        assert_eq!(received["matched"]["alibaba"], "account", "{q}");
        let found = ids(&received);
        assert!(
            found.contains(&"alibaba/h-Pend1ngEma1l0003".to_owned()),
            "{q}: {found:?}"
        );
        assert!(
            found.contains(&"alibaba/h-Ih8IuPfvV0t0abcd".to_owned()),
            "{q}"
        );
    }
    let text = json(&app, "/_emulator/handshakes?q=EMA1L&limit=500");
    assert_eq!(text["matched"]["huawei"], "text");
    assert_eq!(sent["matched"]["huawei"], "nothing");
    assert_eq!(ids(&text), ["alibaba/h-Pend1ngEma1l0003"]);
    let huawei = json(&app, "/_emulator/handshakes?q=paas_iam_573332&cloud=huawei");
    assert_eq!(huawei["matched"]["huawei"], "account");
    assert!(ids(&huawei).contains(&"huawei/h-cancelme000000000000000000000001".to_owned()));

    for (query, problem) in [
        ("status=gone", "unknown status"),
        ("limit=0", "limit must be"),
        ("after=alibaba", "invalid cursor"),
        ("after=mars:h-x", "invalid cursor"),
        ("offset=20000", "offset over both clouds"),
        ("offset=1&after=alibaba:", "offset or after"),
        ("colour=red", "invalid query"),
    ] {
        let reply = app.control("GET", &format!("/_emulator/handshakes?{query}"), None);
        assert_eq!(reply.status, 400, "{query}");
        assert!(
            reply.json()["error"].as_str().unwrap().contains(problem),
            "{query}: {}",
            reply.body
        );
    }
}

#[test]
fn an_accept_and_the_clock_change_what_the_console_shows() {
    let app = spawn_app();
    let show =
        |id: &str| json(&app, &format!("/_emulator/handshakes?q={id}"))["handshakes"][0].clone();
    let accepted = app
        .call(INVITEE, "AcceptHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .send();
    assert_eq!(accepted.status, 200);
    assert_eq!(show("h-Ih8IuPfvV0t0abcd")["status"], "accepted");
    app.control(
        "POST",
        "/_emulator/clock",
        Some(r#"{"action":"advance","by":"15d"}"#),
    );
    let expired = show("h-Pend1ngAcc0unt02");
    assert_eq!(
        (
            &expired["status"],
            &expired["wire_status"],
            &expired["stored_status"]
        ),
        (&"expired".into(), &"Expired".into(), &"pending".into())
    );
    assert_eq!(expired["modified"], expired["expires"]);
    let huawei = show("h-awjp43m7bz3b8jgy5v61jrfwakt3og8w");
    assert_eq!(huawei["wire_status"], "expired");
    // Past Huawei's 30-day retention the purged one is kept but shown by no API.
    let purged = show("h-purged000000000000000000000001");
    assert_eq!(purged["retained"], false);
    assert_eq!(show("h-Canc3lledAlrdy08")["retained"], true);
}

#[test]
fn organizations_accounts_and_access_keys_page_across_both_clouds_in_id_order() {
    let app = spawn_app();
    let table = |path: &str, key: &str| -> (Vec<String>, u64) {
        let page = json(&app, path);
        let items = page[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                format!(
                    "{}/{}",
                    i["cloud"].as_str().unwrap(),
                    i["id"].as_str().unwrap()
                )
            })
            .collect();
        (items, page["total"].as_u64().unwrap())
    };
    let (organizations, total) = table("/_emulator/organizations", "organizations");
    assert_eq!(total, 4);
    assert_eq!(
        organizations,
        [
            "alibaba/rd-3G6zcw",
            "alibaba/rd-Ot8erd",
            "huawei/o-fhkmi6mek7wlqdp6nideqhb47qwtjdsv",
            "huawei/o-otherorganization0000000000001"
        ]
    );
    let (accounts, total) = table("/_emulator/accounts?limit=500", "accounts");
    assert_eq!((accounts.len(), total), (15, 15));
    let mut sorted = accounts[..9].to_vec();
    sorted.sort();
    assert_eq!(sorted, accounts[..9]);
    // A page across the boundary between the clouds.
    let (across, _) = table("/_emulator/accounts?offset=7&limit=4", "accounts");
    assert_eq!(across, accounts[7..11]);
    let (keys, total) = table("/_emulator/access_keys?limit=500", "access_keys");
    assert_eq!((keys.len(), total), (19, 19));
    let (huawei_keys, total) = table(
        "/_emulator/access_keys?cloud=huawei&offset=6",
        "access_keys",
    );
    assert_eq!((huawei_keys, total), (keys[17..].to_vec(), 8));

    let partner = json(&app, "/_emulator/accounts?q=ops@partner.example");
    assert_eq!(partner["total"], 1);
    assert_eq!(partner["accounts"][0]["name"], "Partner");
    assert_eq!(partner["accounts"][0]["received"], 7);
    let directory = json(&app, "/_emulator/organizations?q=rd-3G6zcw");
    assert_eq!(directory["organizations"][0]["manager_name"], "CompanyA");
    assert_eq!(directory["organizations"][0]["members"], 2);
    let sts = json(&app, "/_emulator/access_keys?q=STS.EmuExpired000001");
    let key = &sts["access_keys"][0];
    assert_eq!(key["secret"], "EmuStsSecretExpired01");
    assert_eq!(key["security_token"], "EmuStsTokenExpired01");
    assert_eq!(key["expired"], true);
    assert_eq!(json(&app, "/_emulator/access_keys?q=nobody")["total"], 0);
}

#[test]
fn the_journal_lists_newest_first_filters_by_key_and_says_when_nothing_changed() {
    let app = spawn_app();
    let empty = json(&app, "/_emulator/journal");
    let version = empty["version"].as_u64().unwrap();
    assert_eq!(empty["requests"].as_array().unwrap().len(), 0);
    assert_eq!(
        json(&app, &format!("/_emulator/journal?since={version}")),
        serde_json::json!({ "version": version, "unchanged": true })
    );
    app.call(INVITEE, "AcceptHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .send();
    app.call(MANAGEMENT, "CancelHandshake")
        .handshake("h-Ih8IuPfvV0t0abcd")
        .send();
    let changed = json(&app, &format!("/_emulator/journal?since={version}"));
    assert!(changed["version"].as_u64().unwrap() > version);
    let actions: Vec<&str> = changed["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["CancelHandshake", "AcceptHandshake"]);
    let by_key = json(&app, "/_emulator/journal?key=LTAI5tEmuInvitee00001");
    assert_eq!(by_key["requests"].as_array().unwrap().len(), 1);
    assert_eq!(by_key["requests"][0]["code"], Value::Null);
    let mismatch = json(
        &app,
        "/_emulator/journal?code=HandshakeStatusMismatch&cloud=alibaba",
    );
    assert_eq!(mismatch["requests"][0]["action"], "CancelHandshake");
    assert_eq!(
        json(&app, "/_emulator/journal?limit=1")["requests"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// The parts of a curl command as `presign` prints it: method, headers, body and URL.
fn parse_curl(curl: &str) -> (String, Vec<(String, String)>, String, String) {
    let mut words = Vec::new();
    let mut rest = curl;
    while !rest.is_empty() {
        rest = rest.trim_start();
        if let Some(quoted) = rest.strip_prefix('\'') {
            let end = quoted.find('\'').unwrap();
            words.push(quoted[..end].to_owned());
            rest = &quoted[end + 1..];
        } else {
            let end = rest.find(' ').unwrap_or(rest.len());
            words.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    let (mut method, mut headers, mut body) = ("GET".to_owned(), Vec::new(), String::new());
    let mut words = words.into_iter().skip(1);
    let mut url = String::new();
    while let Some(word) = words.next() {
        match word.as_str() {
            "-sS" => {}
            "-X" => method = words.next().unwrap(),
            "-H" => {
                let header = words.next().unwrap();
                let (name, value) = header.split_once(": ").unwrap();
                headers.push((name.to_owned(), value.to_owned()));
            }
            "--data" => body = words.next().unwrap(),
            _ => url = word,
        }
    }
    (method, headers, body, url)
}

/// Sends what a curl command would send.
fn send_curl(app: &TestApp, curl: &str) -> (u16, String) {
    let (method, headers, body, url) = parse_curl(curl);
    let target = url.split_once(&app.host()).unwrap().1.to_owned();
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        app.host(),
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    let reply = app.raw(request.as_bytes());
    (reply.status, reply.body)
}

fn console_curl(app: &TestApp, request_id: &str) -> Value {
    app.control(
        "GET",
        &format!("/_emulator/journal/{request_id}/curl"),
        None,
    )
    .json()
}

#[test]
fn a_journal_entry_becomes_a_curl_command_signed_afresh_that_each_gateway_accepts() {
    let app = spawn_app();
    for transport in [Transport::PostForm, Transport::Get] {
        let accepted = app
            .call(INVITEE, "AcceptHandshake")
            .handshake("h-Ih8IuPfvV0t0abcd")
            .transport(transport)
            .send();
        assert!(accepted.status == 200 || accepted.status == 409);
        let curl = console_curl(&app, &accepted.request_id)["curl"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(curl.starts_with("curl -sS "), "{curl}");
        assert!(curl.contains(&format!("http://{}/", app.host())), "{curl}");
        // Judged by the world (accepted already), not refused as badly signed or replayed.
        let (status, body) = send_curl(&app, &curl);
        assert_eq!(status, 409, "{body}");
        assert!(body.contains("HandshakeStatusMismatch"), "{body}");
    }

    // Huawei: a request signed by `sign`, then the console's curl of its journal entry.
    let args = SignArgs {
        action: "AcceptHandshake".into(),
        params: vec!["handshake_id=h-awjp43m7bz3b8jgy5v61jrfwakt3og8w".into()],
        cloud: CloudArg::Huawei,
        access_key_id: None,
        access_key_secret: None,
        security_token: None,
        fixtures: None,
        endpoint: format!("http://{}", app.host()),
        method: SignMethod::Get,
        format: "JSON".into(),
        curl: false,
    };
    let (status, body) = send_curl(&app, &sign(&args).unwrap());
    assert_eq!(status, 200, "{body}");
    let journal = json(&app, "/_emulator/journal?cloud=huawei&limit=1");
    let entry = &journal["requests"][0];
    let curl = console_curl(&app, entry["request_id"].as_str().unwrap())["curl"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        curl.contains("SDK-HMAC-SHA256 Access=EMUHWINVITEE00000001"),
        "{curl}"
    );
    let (status, body) = send_curl(&app, &curl);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("Organizations.1402"), "{body}");

    let missing = app.control("GET", "/_emulator/journal/nope/curl", None);
    assert_eq!(missing.status, 404);
    let unsigned = app.raw_request("GET", "/?Action=AcceptHandshake", None, b"");
    let refused = app.control(
        "GET",
        &format!("/_emulator/journal/{}/curl", unsigned.request_id),
        None,
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
}

#[test]
fn with_an_admin_token_the_console_needs_it_as_bearer_or_as_a_basic_password() {
    let app = spawn_app_with(Options {
        admin_token: Some("s3cret".into()),
        ..Options::default()
    });
    let basic = |pair: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    };
    let seen: HashSet<&str> = [
        "/_emulator/ui",
        "/_emulator/handshakes",
        "/_emulator/journal",
    ]
    .into_iter()
    .collect();
    for path in seen {
        let (status, head, _) = get(&app, path, &[]);
        assert_eq!(status, 401, "{path}");
        assert!(
            head.contains("www-authenticate: basic realm=\"resourcemanager-emulator\""),
            "{head}"
        );
        assert_eq!(
            get(&app, path, &[("Authorization", "Bearer s3cret")]).0,
            200
        );
        assert_eq!(
            get(&app, path, &[("Authorization", &basic("admin:s3cret"))]).0,
            200
        );
        assert_eq!(
            get(&app, path, &[("Authorization", &basic(":s3cret"))]).0,
            200
        );
        for wrong in [
            basic("admin:guess"),
            basic("s3cret"),
            "Basic !!!".to_owned(),
        ] {
            assert_eq!(
                get(&app, path, &[("Authorization", &wrong)]).0,
                401,
                "{wrong}"
            );
        }
    }
    // The rest of the control plane takes the Basic form too.
    assert_eq!(
        get(
            &app,
            "/_emulator/health",
            &[("Authorization", &basic("x:s3cret"))]
        )
        .0,
        200
    );
}

#[test]
fn a_filter_over_a_large_world_answers_within_its_scan_budget_and_its_cursor_goes_on_in_order() {
    use resourcemanager_emulator::app::{DEFAULT_WORLD, WorldDoc};
    use resourcemanager_emulator::control::console::SCAN_BUDGET;
    // 60,000 Pending Alibaba invitations (all sent an hour ago) beside the default Huawei world.
    let mut doc = WorldDoc::generate(SCAN_BUDGET + 10_000, false, true, false);
    doc.huawei = toml::from_str::<WorldDoc>(DEFAULT_WORLD).unwrap().huawei;
    let app = spawn_app_with(Options {
        world: doc.to_toml(),
        ..Options::default()
    });
    let page = |query: &str| json(&app, &format!("/_emulator/handshakes?limit=10{query}"));

    // Nothing of Alibaba's is cancelled: the first answer stops at the budget, shows none of
    // Huawei's older cancelled ones yet (they sort after where Alibaba's scan stopped), and
    // goes on; the second finishes both.
    let first = page("&status=cancelled");
    assert_eq!(
        (first["partial"].clone(), ids(&first).len()),
        (true.into(), 0)
    );
    let after = first["next"].as_str().unwrap().to_owned();
    assert!(after.starts_with("alibaba:h-Bench"), "{after}");
    let second = page(&format!("&status=cancelled&after={after}"));
    assert_eq!(second["partial"], false);
    assert_eq!(
        ids(&second),
        [
            "huawei/h-cancelled000000000000000000001",
            "huawei/h-purged000000000000000000000001"
        ]
    );
    assert_eq!(second["next"], Value::Null);

    // A text search finds what lies past the budget on a later page.
    let first = page("&cloud=alibaba&q=bench00000055555");
    assert_eq!(
        (first["partial"].clone(), ids(&first).len()),
        (true.into(), 0)
    );
    let found = page(&format!(
        "&cloud=alibaba&q=bench00000055555&after={}",
        first["next"].as_str().unwrap()
    ));
    assert_eq!(ids(&found), ["alibaba/h-Bench00000055555"]);
    // Unfiltered, the same world pages at once, with its total.
    let unfiltered = page("&offset=59990&cloud=alibaba");
    assert_eq!(unfiltered["total"], SCAN_BUDGET + 10_000);
    assert_eq!(ids(&unfiltered).len(), 10);
}
