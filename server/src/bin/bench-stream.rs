//! `bench/run stream`: SUBSCRIBERS server-sent-event subscribers on `/live` of a running server
//! (BASE, its process SERVER_PID) while referral-form submissions arrive at RATE a second for
//! SECONDS. Measures each lead event's latency from when the server published it to when each
//! subscriber read it, and the server's memory. Prints `key: value` figures; the verdict is
//! bench/stream.sh's. With FIGURES=1 each subscriber is an open dashboard: it follows its
//! figures on `/live/figures` as the page does, and the latency is from a lead event's
//! publication (read on `/live`) to the arrival of the first figures that include it.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

fn rss_mb(pid: &str, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

/// One HTTP/1.1 request on a fresh connection; returns the response head and body.
async fn request(addr: &str, head: &str, body: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(addr).await?;
    s.write_all(format!("{head}Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).as_bytes()).await?;
    let mut out = String::new();
    s.read_to_string(&mut out).await?;
    Ok(out)
}

/// Lead events' publication times (µs) in one SSE data line: `"kind":"lead"` then `"at_us":N`.
fn lead_times(line: &str, out: &mut Vec<i64>) {
    let mut rest = line;
    while let Some(i) = rest.find("\"kind\":\"lead\"") {
        rest = &rest[i + 13..];
        if let Some(j) = rest.find("\"at_us\":") {
            let digits: String = rest[j + 8..].chars().take_while(|c| c.is_ascii_digit()).collect();
            if let Ok(at) = digits.parse() {
                out.push(at);
            }
        }
    }
}

/// Follows the server-sent-event stream at `path`, giving each line to `on_line`, until it
/// ends or `stopped` changes; `connected` counts the stream once the server accepts it.
async fn follow(
    addr: &str,
    path: &str,
    cookie: &str,
    connected: &AtomicUsize,
    mut stopped: tokio::sync::watch::Receiver<bool>,
    mut on_line: impl FnMut(&str),
) {
    let Ok(mut s) = TcpStream::connect(addr).await else { return };
    let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n");
    if s.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let mut lines = BufReader::new(s).lines();
    loop {
        let line = tokio::select! {
            line = lines.next_line() => match line { Ok(Some(l)) => l, _ => break },
            _ = stopped.changed() => break,
        };
        if line.starts_with("HTTP/1.1 200") {
            connected.fetch_add(1, Ordering::Relaxed);
        }
        on_line(&line);
    }
}

/// An open dashboard's figures: when each message arrived (µs) and the latest event it includes.
async fn figures(
    addr: String,
    cookie: String,
    connected: Arc<AtomicUsize>,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> Vec<(i64, i64)> {
    let mut arrivals = Vec::new();
    follow(&addr, "/live/figures?range=month", &cookie, &connected, stopped, |line| {
        if let Some(i) =
            line.strip_prefix("data:").and_then(|d| d.find("\"seq\":").map(|i| (d, i))).map(|(d, i)| &d[i + 6..])
        {
            let digits: String = i.chars().take_while(|c| c.is_ascii_digit()).collect();
            if let Ok(seq) = digits.parse() {
                arrivals.push((now_us(), seq));
            }
        }
    })
    .await;
    arrivals
}

/// Every lead event on `/live`: its sequence number and publication time (µs).
async fn lead_events(addr: String, cookie: String, stopped: tokio::sync::watch::Receiver<bool>) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let (mut id, mut data) = (None::<i64>, String::new());
    follow(&addr, "/live", &cookie, &AtomicUsize::new(0), stopped, |line| {
        if let Some(v) = line.strip_prefix("id:") {
            id = v.trim().rsplit('-').next().and_then(|n| n.parse().ok());
        } else if let Some(v) = line.strip_prefix("data:") {
            data = v.to_string();
        } else if line.is_empty() {
            // A batch of events whose last is `id`: each event's number counts back from it.
            if let Some(last) = id.take() {
                let kinds: Vec<&str> = data.split("\"kind\":").skip(1).collect();
                for (i, k) in kinds.iter().enumerate() {
                    if k.starts_with("\"lead\"") {
                        let mut at = Vec::new();
                        lead_times(&format!("\"kind\":{k}"), &mut at);
                        if let Some(at) = at.first() {
                            out.push((last - (kinds.len() - 1 - i) as i64, *at));
                        }
                    }
                }
            }
            data.clear();
        }
    })
    .await;
    out
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let base = std::env::var("BASE")?;
    let addr = base.trim_start_matches("http://").to_string();
    let server_pid = std::env::var("SERVER_PID")?;
    let subscribers = env("SUBSCRIBERS", 5000) as usize;
    let rate = env("RATE", 200);
    let seconds = env("SECONDS", 10);
    let figures_mode = env("FIGURES", 0) == 1;

    // Marketing's session, shared by every subscriber.
    let signed_in = request(
        &addr,
        &format!(
            "POST /api/sign_in HTTP/1.1\r\nHost: {addr}\r\nOrigin: {base}\r\nAccept: application/json\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n"
        ),
        "login=marketing%40demo.allhands.cn&password=demo1234",
    )
    .await?;
    let cookie = signed_in
        .lines()
        .filter_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
        .collect::<Vec<_>>()
        .join("; ");
    if cookie.is_empty() {
        return Err(format!("sign-in failed: {}", signed_in.lines().next().unwrap_or_default()).into());
    }

    let connected = Arc::new(AtomicUsize::new(0));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut readers = Vec::with_capacity(subscribers);
    let mut dashboards = Vec::new();
    let events = figures_mode.then(|| tokio::spawn(lead_events(addr.clone(), cookie.clone(), stopped.clone())));
    for _ in 0..subscribers {
        let (addr, cookie, connected, stopped) = (addr.clone(), cookie.clone(), connected.clone(), stopped.clone());
        if figures_mode {
            dashboards.push(tokio::spawn(figures(addr, cookie, connected, stopped)));
            continue;
        }
        readers.push(tokio::spawn(async move {
            // Latencies in tenths of a millisecond.
            let mut latencies: Vec<u32> = Vec::new();
            let mut times = Vec::new();
            follow(&addr, "/live", &cookie, &connected, stopped, |line| {
                if line.starts_with("data:") {
                    times.clear();
                    lead_times(line, &mut times);
                    let now = now_us();
                    latencies.extend(times.iter().map(|at| ((now - at).max(0) / 100) as u32));
                }
            })
            .await;
            latencies
        }));
    }
    // Everyone connected before the first lead.
    let wait = Instant::now();
    while connected.load(Ordering::Relaxed) < subscribers && wait.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let subscribed = connected.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Leads at RATE a second, each its own connection like a phone's.
    let total = rate * seconds;
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    let mut submits = Vec::with_capacity(total as usize);
    for i in 0..total {
        ticker.tick().await;
        let (addr, base, acknowledged) = (addr.clone(), base.clone(), acknowledged.clone());
        submits.push(tokio::spawn(async move {
            let body = format!("name=%E5%AE%A2%E6%88%B7&phone=139{:08}&consent=1", 30_000_000 + i);
            let head = format!(
                "POST /c/winter-home/lead HTTP/1.1\r\nHost: {addr}\r\nOrigin: {base}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nX-Forwarded-For: 10.0.{}.{}\r\n",
                i / 250,
                i % 250
            );
            if let Ok(res) = request(&addr, &head, &body).await {
                if res.starts_with("HTTP/1.1 303") {
                    acknowledged.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for s in submits {
        let _ = s.await;
    }
    // Let the last events arrive, then read the server's memory while everyone is connected.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss = rss_mb(&server_pid, "VmRSS:");
    let peak = rss_mb(&server_pid, "VmHWM:");
    let _ = stop.send(true);
    let mut all: Vec<u32> = Vec::new();
    for r in readers {
        if let Ok(l) = r.await {
            all.extend(l);
        }
    }
    // Each lead event, on each dashboard: from its publication to the first figures including it.
    let events = match events {
        Some(e) => e.await.unwrap_or_default(),
        None => Vec::new(),
    };
    for d in dashboards {
        let arrivals = d.await.unwrap_or_default();
        let Some(&(_, first_seq)) = arrivals.first() else { continue };
        for &(seq, at) in events.iter().filter(|(seq, _)| *seq > first_seq) {
            if let Some(&(arrived, _)) = arrivals.iter().find(|(_, s)| *s >= seq) {
                all.push(((arrived - at).max(0) / 100) as u32);
            }
        }
    }
    all.sort_unstable();
    let p = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1))).map_or(0.0, |v| *v as f64 / 10.0)
    };
    let acknowledged = acknowledged.load(Ordering::Relaxed);
    println!("subscribers: {subscribed}");
    println!("events: {acknowledged}");
    println!("expected_deliveries: {}", acknowledged * subscribed);
    println!("delivered: {}", all.len());
    println!("p50_ms: {:.1}", p(0.50));
    println!("p95_ms: {:.1}", p(0.95));
    println!("p99_ms: {:.1}", p(0.99));
    println!("max_ms: {:.1}", all.last().map_or(0.0, |v| *v as f64 / 10.0));
    println!("rss_mb: {rss:.0}");
    println!("peak_rss_mb: {peak:.0}");
    Ok(())
}
