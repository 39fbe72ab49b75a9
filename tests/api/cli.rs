//! The binary itself: `errors`, `sign`, serving the embedded world, and refusing a bad world file.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_resourcemanager-emulator");

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env_remove("RM_EMULATOR_PORT")
        .output()
        .unwrap()
}

#[test]
fn errors_prints_the_catalog_that_the_readme_shows() {
    let out = run(&["errors"]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.starts_with(
            "### Alibaba Cloud Resource Manager\n\n| Code | HTTP | Message | When |\n"
        )
    );
    assert!(table.contains("| `HandshakeStatusMismatch` | 409 | The invitation is invalid. |"));
    assert!(
        table.contains(
            "### Huawei Cloud Organizations\n\n| Code | HTTP | Message | When | Source |\n"
        )
    );
    assert!(table.contains("| `Organizations.1401` | 400 | The invitation has been canceled. |"));
    let huawei = String::from_utf8(run(&["errors", "--cloud", "huawei"]).stdout).unwrap();
    assert!(huawei.starts_with("| Code | HTTP | Message | When | Source |\n"));
    assert!(huawei.contains("no public source — placeholder"));
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("<!-- errors:start -->\n")
        .expect("README marks the catalog")
        + "<!-- errors:start -->\n".len();
    let end = readme.find("<!-- errors:end -->").unwrap();
    assert!(
        readme[start..end] == table,
        "README's error catalog differs from `resourcemanager-emulator errors`: run .ci/sync-readme"
    );
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("rm-emulator-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_world_file_with_an_invalid_id_stops_start_up_naming_file_line_and_problem() {
    let path = temp_file(
        "bad.toml",
        "[[accounts]]\nname = \"x\"\nid = \"15126668769100\"\n",
    );
    let out = run(&["--port", "0", "--fixtures", path.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!("{}:3:", path.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("invalid account id (16 digits): \"15126668769100\""),
        "{stderr}"
    );
}

#[test]
fn a_world_file_with_a_time_beyond_the_calendar_stops_start_up_naming_its_line() {
    let path = temp_file(
        "far.toml",
        "[[resource_directories]]\nid = \"rd-3G6zcw\"\nmaster_account_id = \"1512666876910000\"\n\n[[accounts]]\nid = \"1512666876910000\"\nname = \"A\"\nlogon_email = \"a@a.example\"\ntype = \"enterprise\"\nreal_name_type = \"enterprise\"\n\n[[handshakes]]\nid = \"h-Ih8IuPfvV0t0abcd\"\nresource_directory_id = \"rd-3G6zcw\"\ntarget_entity = \"b@b.example\"\ntarget_type = \"Email\"\nstatus = \"Pending\"\ncreate_time = \"now+100000000d\"\n",
    );
    let out = run(&["--port", "0", "--fixtures", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!("{}:13:", path.display())),
        "{stderr}"
    );
    assert!(stderr.contains("out of range"), "{stderr}");
}

#[test]
fn a_malformed_or_missing_world_file_stops_start_up() {
    let path = temp_file("syntax.toml", "[[handshakes]\n");
    let out = run(&["serve", "--port", "0", "--fixtures", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains(&format!("{}:1:", path.display()))
    );

    let out = run(&["--port", "0", "--fixtures", "/nonexistent/world.toml"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("/nonexistent/world.toml:1:1: cannot read the file")
    );
}

#[test]
fn the_binary_serves_the_embedded_world_and_sign_prints_a_url_it_accepts() {
    let mut child = Command::new(BIN)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let endpoint = first
        .split("listening at ")
        .nth(1)
        .expect("the banner names the endpoint")
        .trim()
        .to_owned();
    let port: u16 = endpoint.rsplit(':').next().unwrap().parse().unwrap();

    let out = run(&[
        "sign",
        "--endpoint",
        &endpoint,
        "AcceptHandshake",
        "HandshakeId=h-Ih8IuPfvV0t0abcd",
    ]);
    assert!(out.status.success());
    let url = String::from_utf8(out.stdout).unwrap();
    let target = url.trim().strip_prefix(&endpoint).unwrap().to_owned();

    let request =
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
    let mut reply = String::new();
    std::io::Read::read_to_string(&mut stream, &mut reply).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains(r#""Status":"Accepted""#), "{reply}");
}

#[test]
fn sign_for_huawei_prints_a_curl_command_the_organizations_endpoint_accepts() {
    let mut child = Command::new(BIN)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let endpoint = first
        .split("listening at ")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    let port: u16 = endpoint.rsplit(':').next().unwrap().parse().unwrap();

    let out = run(&[
        "sign",
        "--cloud",
        "huawei",
        "--endpoint",
        &endpoint,
        "AcceptHandshake",
        "handshake_id=h-awjp43m7bz3b8jgy5v61jrfwakt3og8w",
    ]);
    assert!(out.status.success());
    let curl = String::from_utf8(out.stdout).unwrap();
    assert!(curl.starts_with("curl -sS -X POST "), "{curl}");
    // Replay what curl would send: its -H headers, the method and the URL's path.
    let quoted: Vec<&str> = curl.split('\'').skip(1).step_by(2).collect();
    let (url, headers) = quoted.split_last().unwrap();
    let path = url.strip_prefix(&endpoint).unwrap();
    let mut request = format!("POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    for header in headers {
        request.push_str(&format!("{header}\r\n"));
    }
    request.push_str("Content-Length: 0\r\nConnection: close\r\n\r\n");
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
    let mut reply = String::new();
    std::io::Read::read_to_string(&mut stream, &mut reply).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains(r#""status":"accepted""#), "{reply}");
}

#[test]
fn sign_post_prints_a_curl_command_with_a_form_body() {
    let out = run(&[
        "sign",
        "--method",
        "post",
        "--access-key-id",
        "LTAI5tEmuManagement01",
        "CancelHandshake",
        "HandshakeId=h-Ih8IuPfvV0t0abcd",
    ]);
    assert!(out.status.success());
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(line.starts_with("curl -sS -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data 'AccessKeyId=LTAI5tEmuManagement01&Action=CancelHandshake&"), "{line}");
    assert!(line.contains("&Signature="));
}

#[test]
fn sign_refuses_an_unknown_key_without_a_secret() {
    let out = run(&["sign", "--access-key-id", "nobody", "AcceptHandshake"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("access key nobody is not in the world")
    );
}

#[test]
fn a_host_other_hosts_can_reach_is_refused_without_a_token_unless_exposure_is_asked_for() {
    for host in ["0.0.0.0", "::"] {
        let out = run(&["--host", host, "--port", "0"]);
        assert!(!out.status.success());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains("refusing to serve the control plane")
                && stderr.contains("--admin-token")
                && stderr.contains("--expose-control-plane"),
            "{stderr}"
        );
    }
}

#[test]
fn an_empty_admin_token_is_refused_as_a_flag_or_in_the_environment() {
    let flag = run(&["--admin-token", "", "--port", "0"]);
    let env = Command::new(BIN)
        .args(["--port", "0"])
        .env("RM_EMULATOR_ADMIN_TOKEN", "")
        .output()
        .unwrap();
    for out in [flag, env] {
        assert!(!out.status.success());
        assert!(
            String::from_utf8(out.stderr)
                .unwrap()
                .contains("the admin token is empty")
        );
    }
}

#[test]
fn more_workers_than_64_or_none_are_refused_at_start() {
    for workers in ["5000", "65", "0"] {
        let out = run(&["--workers", workers, "--port", "0"]);
        assert!(!out.status.success(), "--workers {workers}");
        assert!(
            String::from_utf8(out.stderr)
                .unwrap()
                .contains("is not in 1..=64")
        );
    }
}

#[test]
fn when_file_descriptors_run_out_the_server_keeps_serving_and_then_recovers() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;
    let mut child = Command::new("sh")
        .args([
            "-c",
            &format!(
                "ulimit -n 64 && exec {BIN} --port 0 --workers 1 --read-timeout 60 --keep-alive 60"
            ),
        ])
        .env_remove("RM_EMULATOR_PORT")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let port: u16 = first.trim().rsplit(':').next().unwrap().parse().unwrap();
    let health = b"GET /_emulator/health HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    let answer = |stream: &mut TcpStream, wait: u64| {
        stream
            .set_read_timeout(Some(Duration::from_secs(wait)))
            .unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).map(|_| bytes)
    };

    // Far more connections than 64 descriptors: the last ones wait in the listen backlog.
    let mut held: Vec<_> = (0..100)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    held[0].write_all(health).unwrap();
    let served = answer(&mut held[0], 10).expect("a connection it has is served");
    assert!(served.starts_with(b"HTTP/1.1 200"));
    let mut waiting = TcpStream::connect(("127.0.0.1", port)).unwrap();
    waiting.write_all(health).unwrap();
    assert!(
        answer(&mut waiting, 1).is_err(),
        "no descriptor is left to accept it"
    );
    held.clear();
    let recovered = answer(&mut waiting, 10).expect("served once descriptors are free");
    assert!(recovered.starts_with(b"HTTP/1.1 200"));
    child.kill().unwrap();
    child.wait().unwrap();
}
