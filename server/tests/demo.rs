//! The demo organization tells its story: weeks of activity made through the real code
//! paths, so the dashboard, hero board, settlement and "my rewards" show figures that agree.
mod common;
use app::features::dashboard::{Dashboard, HeroBoard};
use app::features::settlement::{MyRewards, RunRow, RunStatus};
use common::*;

#[tokio::test]
async fn the_demo_shows_agreeing_non_zero_figures_on_every_screen() {
    let db = TestDb::fresh().await;
    let build = server::Build { demo_activity: true, ..build() };
    let s = TestServer::start_built(config(&db), db, build).await;
    let marketing = s.signed_in(MARKETING).await;
    let month: Dashboard = s.call_json(&marketing, "load_dashboard", &[("query[range]", "month")]).await;
    let t = &month.totals;
    assert!(t.clicks > 0 && t.unique_visitors > 0 && t.shares > 0, "{t:?}");
    assert!(
        t.leads_valid > 0 && t.leads_duplicate > 0 && t.leads_invalid > 0 && t.leads_held > 0 && t.leads_pending > 0,
        "{t:?}"
    );
    assert!(t.deals > 0 && t.deal_amount_fen > 0, "{t:?}");
    let heroes: HeroBoard = s.call_json(&marketing, "load_hero_board", &[]).await;
    assert!(!heroes.quarterly.is_empty(), "{heroes:?}");
    let employee_on_board = heroes.quarterly.iter().find(|h| h.name == "员工 张伟").expect("the employee is a hero");
    let finance = s.signed_in("finance@demo.allhands.cn").await;
    let runs: Vec<RunRow> = s.call_json(&finance, "settlement_runs", &[]).await;
    let paid = runs.iter().find(|r| r.status == RunStatus::Paid).expect("last month settled and paid");
    assert!(paid.net_fen > 0, "{paid:?}");
    assert!(runs.iter().any(|r| r.status == RunStatus::Draft), "this month's run is a draft");
    // The employee's own page agrees with finance's run.
    let employee = s.signed_in(EMPLOYEE).await;
    let mine: MyRewards = s.call_json(&employee, "load_my_rewards", &[]).await;
    let paid_to_me: i64 = mine.statements.iter().filter(|st| st.run_id == paid.id).map(|st| st.net_fen).sum();
    assert!(paid_to_me > 0);
    assert_eq!(mine.paid_fen, paid_to_me);
    assert!(employee_on_board.deals > 0);
    s.stop().await;
}
