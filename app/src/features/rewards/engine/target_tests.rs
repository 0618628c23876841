//! Flat rewards per event and activity targets; a target scoped to a campaign counts that
//! campaign's activity only.
use super::tests::{day, deal, employee, paid};
use super::*;
use chrono::NaiveDate;

fn target(id: i64, campaign_id: Option<i64>, threshold: i64, amount_fen: i64) -> Rule {
    Rule {
        id,
        version: 1,
        name: "target".into(),
        promoter_kind: PromoterKind::Employee,
        department_id: None,
        campaign_id,
        effective_from: "2026-01-01".parse().unwrap(),
        effective_to: None,
        attribution: Attribution::FirstOrder,
        upline: Vec::new(),
        spec: RuleSpec::ActivityTarget { metric: Metric::Shares, threshold, amount_fen },
    }
}

fn shares(campaign_id: Option<i64>, shares: i64) -> Activity {
    Activity {
        promoter_id: 1,
        year: 2026,
        month: 11,
        campaign_id,
        shares,
        unique_visitors: 0,
        valid_leads: 0,
        stories: 0,
    }
}

fn earned(activity: Vec<Activity>) -> Vec<(i64, i64)> {
    // Campaign 10's own target (5 shares → ¥300) and the organization's (7 shares → ¥500).
    let rules = vec![target(1, Some(10), 5, 30_000), target(2, None, 7, 50_000)];
    let promoters = vec![Promoter { id: 1, kind: PromoterKind::Employee, department_id: None, recruiter_id: None }];
    let lines = activity_lines(&rules, &Facts { promoters, activity, ..Facts::default() });
    let last: NaiveDate = "2026-11-30".parse().unwrap();
    assert!(lines.iter().all(|l| l.vests_on == Some(last)));
    lines.iter().map(|l| (l.rule_id, l.amount_fen)).collect()
}

#[test]
fn a_campaigns_target_counts_its_own_shares_and_the_organizations_counts_all() {
    // 4 shares for campaign 10 and 4 for campaign 20: only the organization's target (8 ≥ 7).
    assert_eq!(earned(vec![shares(Some(10), 4), shares(Some(20), 4)]), vec![(2, 50_000)]);
    // 5 for campaign 10 alone: its target, not the organization's (5 < 7).
    assert_eq!(earned(vec![shares(Some(10), 5)]), vec![(1, 30_000)]);
    // 5 for campaign 20 and 3 outside any campaign: the organization's only.
    assert_eq!(earned(vec![shares(Some(20), 5), shares(None, 3)]), vec![(2, 50_000)]);
    // Both reached.
    assert_eq!(earned(vec![shares(Some(10), 6), shares(Some(20), 1)]), vec![(1, 30_000), (2, 50_000)]);
}

#[test]
fn flat_per_event_and_activity_targets() {
    let flat = |id, event, amount_fen| Rule {
        id,
        version: 1,
        name: "flat".into(),
        promoter_kind: PromoterKind::Employee,
        department_id: None,
        campaign_id: None,
        effective_from: day("2026-01-01"),
        effective_to: None,
        attribution: Attribution::FirstOrder,
        upline: Vec::new(),
        spec: RuleSpec::FlatPerEvent { event, amount_fen },
    };
    let target = |id, threshold, amount_fen| Rule {
        spec: RuleSpec::ActivityTarget { metric: Metric::Shares, threshold, amount_fen },
        ..flat(id, FlatEvent::Deal, 0)
    };
    let all = vec![
        flat(1, FlatEvent::ValidLead, 5_000),
        flat(2, FlatEvent::Deal, 30_000),
        target(3, 5, 50_000),
        target(4, 6, 20_000),
    ];
    let facts = Facts {
        promoters: vec![employee(1)],
        deals: vec![deal(1, 1_000_000, "2026-11-01")],
        payments: vec![paid(1, 1, "2026-11-03", 1_000_000)],
        valid_leads: vec![ValidLead { id: 8, promoter_id: 1, campaign_id: None, valid_on: day("2026-11-02") }],
        activity: vec![
            Activity {
                promoter_id: 1,
                year: 2026,
                month: 11,
                campaign_id: None,
                shares: 5,
                unique_visitors: 0,
                valid_leads: 1,
                stories: 0,
            },
            Activity {
                promoter_id: 1,
                year: 2026,
                month: 10,
                campaign_id: None,
                shares: 6,
                unique_visitors: 0,
                valid_leads: 0,
                stories: 0,
            },
        ],
        ..Facts::default()
    };
    let lines = compute(&all, &facts, Terms::default());
    let got: Vec<(&str, i64)> = lines.iter().map(|l| (l.key.split(':').next().unwrap(), l.amount_fen)).collect();
    assert_eq!(
        got,
        vec![("target", 50_000), ("target", 20_000), ("lead", 5_000), ("deal", 30_000), ("target", 50_000)]
    );
}

/// Seed 000: ten approved customer stories in a month → ¥800; nine earn nothing.
#[test]
fn ten_customer_stories_a_month_earn_the_story_target() {
    let mut rule = target(1, None, 10, 80_000);
    rule.spec = RuleSpec::ActivityTarget { metric: Metric::CustomerStories, threshold: 10, amount_fen: 80_000 };
    let promoters = vec![Promoter { id: 1, kind: PromoterKind::Employee, department_id: None, recruiter_id: None }];
    let month = |stories| Activity { stories, ..shares(None, 0) };
    let paid = |stories| {
        activity_lines(
            &[rule.clone()],
            &Facts { promoters: promoters.clone(), activity: vec![month(stories)], ..Facts::default() },
        )
    };
    let lines = paid(10);
    assert_eq!(lines.iter().map(|l| l.amount_fen).collect::<Vec<_>>(), [80_000]);
    assert_eq!(
        lines[0].explain(crate::plumbing::i18n::Locale::ZhCn),
        "2026-11 审核通过的客户故事 10（目标 10）达标奖励"
    );
    assert!(paid(9).is_empty());
}
