//! The live figures (`GET /live/figures`): an open dashboard gets its slice's whole dashboard,
//! then after events patches that turn it into what a load shows; one computation serves every
//! dashboard of the slice; marketing and admin only.
mod common;
use app::features::dashboard::patch::{apply, Pushed};
use app::features::dashboard::Dashboard;
use common::*;
use reqwest::StatusCode;

/// The next `want` messages of a figures stream (or fewer after `ms`).
async fn read_pushed(res: &mut reqwest::Response, buffer: &mut String, want: usize, ms: u64) -> Vec<Pushed> {
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(ms);
    while got.len() < want {
        while let Some(end) = buffer.find("\n\n") {
            let message: String = buffer.drain(..end + 2).collect();
            for line in message.lines() {
                if let Some(data) = line.strip_prefix("data: ").or_else(|| line.strip_prefix("data:")) {
                    if let Ok(p) = serde_json::from_str::<Pushed>(data) {
                        got.push(p);
                    }
                }
            }
        }
        if got.len() >= want {
            break;
        }
        let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, res.chunk()).await else { break };
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
    got
}

#[tokio::test]
async fn open_dashboards_get_the_figures_then_what_changed() {
    let s = TestServer::start().await;
    let m = s.signed_in(MARKETING).await;
    let mut streams = Vec::new();
    for _ in 0..3 {
        let res = m.get(s.url("/live/figures?range=month")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        streams.push((res, String::new()));
    }
    let mut shown: Vec<Dashboard> = Vec::new();
    for (res, buffer) in &mut streams {
        let first = read_pushed(res, buffer, 1, 10_000).await;
        shown.push(first[0].full.clone().expect("the whole dashboard first"));
    }
    let before = shown[0].totals.leads;
    let code = s.employee_code().await;
    let prospect = s.client();
    s.submit_lead(&prospect, "13911117777", Some(&code)).await;
    s.submit_lead(&prospect, "13911118888", None).await;
    let loaded: Dashboard = s.call_json(&m, "load_dashboard", &[("query[range]", "month")]).await;
    assert_eq!(loaded.totals.leads, before + 2);
    for ((res, buffer), d) in streams.iter_mut().zip(&mut shown) {
        // Patches (or the whole) until the dashboard shows both leads.
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        while d.totals.leads < before + 2 && tokio::time::Instant::now() < deadline {
            for p in read_pushed(res, buffer, 1, 2_000).await {
                match (p.full, p.patch) {
                    (Some(full), _) => *d = full,
                    (None, Some(patch)) => apply(d, &patch),
                    _ => panic!("a message with neither the whole nor a patch"),
                }
            }
        }
        assert_eq!(*d, loaded, "the patched dashboard equals a load");
    }
    assert_eq!(
        s.signed_in(EMPLOYEE).await.get(s.url("/live/figures?range=month")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(s.client().get(s.url("/live/figures")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let bad = m.get(s.url("/live/figures?range=someday")).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY, "an unknown period names its field");
}
