//! `bulwark serve --log-format json --metrics-listen ADDR` as an operator runs it: log lines
//! a collector can read, each carrying its request's id, and metrics on the second address.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

/// Kills the server when the test ends, even when it fails.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The address in a line like `... at http://127.0.0.1:PORT/...`.
fn address(line: &str) -> String {
    let after = line.split("http://").nth(1).expect("an address");
    after.split('/').next().unwrap().to_string()
}

/// A GET over plain HTTP/1.1: the status, the headers (names in lower case) and the body.
fn get(addr: &str, path: &str, headers: &[(&str, &str)]) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    &headers.iter().find(|(k, _)| k == name).expect(name).1
}

#[test]
fn json_logs_carry_the_request_id_and_metrics_are_served_apart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("b.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_bulwark"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(["--metrics-listen", "127.0.0.1:0", "--log-format", "json"])
        .args(["--database-url", &url])
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("Bulwark is running at"), "{line}");
    let app = address(&line);
    line.clear();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("Metrics for Prometheus at"), "{line}");
    let metrics = address(&line);

    // Not behind a proxy: the caller's id is not trusted; the server makes its own.
    let (status, headers, _) = get(&app, "/login", &[("x-request-id", "from-the-caller")]);
    assert_eq!(status, 200);
    let id = header(&headers, "x-request-id").to_string();
    assert_ne!(id, "from-the-caller");
    let (status, _, _) = get(&app, "/metrics", &[]);
    assert_eq!(status, 404, "no metrics on the app's address");
    let (status, headers, body) = get(&metrics, "/metrics", &[]);
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type").starts_with("application/openmetrics-text"));
    assert!(
        body.contains(r#"bulwark_http_requests_total{route="/login",method="GET",status="2xx"} 1"#),
        "{body}"
    );

    // Stop the server, then read everything it logged.
    drop(server);
    let logged: Vec<Value> = BufReader::new(stderr)
        .lines()
        .map(|l| {
            let l = l.unwrap();
            serde_json::from_str(&l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))
        })
        .collect();
    let ended = logged
        .iter()
        .find(|l| l["span"]["request_id"] == id.as_str() && l["message"] == "answered")
        .unwrap_or_else(|| panic!("no line for request {id}: {logged:#?}"));
    assert_eq!(ended["span"]["route"], "/login");
    assert_eq!(ended["span"]["method"], "GET");
    assert_eq!(ended["status"], 200);
    assert_eq!(ended["level"], "INFO");
}
