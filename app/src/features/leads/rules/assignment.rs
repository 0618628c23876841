//! Which sales rep gets a valid lead (PRODUCT.md §2.6): a demand-tag rule of the campaign if
//! one matches, otherwise round-robin within the campaign's sales team (all active reps when
//! the campaign has no team).

/// 按需求标签分配: leads with this demand tag go to this rep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRule {
    pub demand_tag: String,
    pub rep: i64,
}

/// Everything the choice depends on.
#[derive(Debug, Clone, Default)]
pub struct Pool<'a> {
    /// The campaign's rules, in the order they were made; the first match wins.
    pub rules: &'a [TagRule],
    /// The campaign's sales team, or every active rep when it has none; ascending ids.
    pub team: &'a [i64],
    /// Reps that can take leads now (active sales users).
    pub active: &'a [i64],
    /// The rep who got the campaign's last round-robin lead.
    pub last_round_robin: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// A demand-tag rule named this rep.
    Rule(i64),
    /// The next rep of the team after the last one.
    RoundRobin(i64),
    /// Nobody can take it; the lead waits, valid and unassigned, for marketing to assign.
    Nobody,
}

impl Choice {
    pub fn rep(self) -> Option<i64> {
        match self {
            Choice::Rule(r) | Choice::RoundRobin(r) => Some(r),
            Choice::Nobody => None,
        }
    }
}

pub fn choose(lead_tags: &[String], pool: &Pool) -> Choice {
    // A rule naming a rep who has left falls through to round-robin rather than stranding leads.
    if let Some(rule) = pool.rules.iter().find(|r| lead_tags.contains(&r.demand_tag) && pool.active.contains(&r.rep)) {
        return Choice::Rule(rule.rep);
    }
    let team: Vec<i64> = pool.team.iter().copied().filter(|r| pool.active.contains(r)).collect();
    if team.is_empty() {
        return Choice::Nobody;
    }
    // The first rep with a higher id than the last one, wrapping around; a last rep who left
    // the team still has a place in the order.
    let next = match pool.last_round_robin {
        Some(last) => team.iter().copied().find(|r| *r > last).unwrap_or(team[0]),
        None => team[0],
    };
    Choice::RoundRobin(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tags(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn round_robin_goes_around_the_team() {
        let team = [3, 5, 9];
        let mut last = None;
        let mut got = Vec::new();
        for _ in 0..7 {
            let c = choose(&[], &Pool { rules: &[], team: &team, active: &team, last_round_robin: last });
            last = c.rep();
            got.push(last.unwrap());
        }
        assert_eq!(got, [3, 5, 9, 3, 5, 9, 3]);
    }

    #[test]
    fn a_matching_demand_tag_rule_wins() {
        let rules =
            [TagRule { demand_tag: "改善型装修".into(), rep: 9 }, TagRule { demand_tag: "刚需".into(), rep: 5 }];
        let pool = Pool { rules: &rules, team: &[3, 5], active: &[3, 5, 9], last_round_robin: Some(3) };
        assert_eq!(choose(&tags(&["刚需", "改善型装修"]), &pool), Choice::Rule(9));
        assert_eq!(choose(&tags(&["刚需"]), &pool), Choice::Rule(5));
        assert_eq!(choose(&tags(&["其他"]), &pool), Choice::RoundRobin(5));
    }

    #[test]
    fn inactive_reps_are_skipped() {
        let rules = [TagRule { demand_tag: "刚需".into(), rep: 9 }];
        let pool = Pool { rules: &rules, team: &[3, 5, 9], active: &[3, 9], last_round_robin: Some(3) };
        // 5 has left: after 3 comes 9; the rule still names active 9.
        assert_eq!(choose(&[], &pool), Choice::RoundRobin(9));
        let pool = Pool { active: &[3], ..pool };
        assert_eq!(choose(&tags(&["刚需"]), &pool), Choice::RoundRobin(3));
    }

    #[test]
    fn the_last_rep_having_left_the_team_keeps_the_order() {
        let pool = Pool { rules: &[], team: &[3, 9], active: &[3, 9], last_round_robin: Some(5) };
        assert_eq!(choose(&[], &pool), Choice::RoundRobin(9));
    }

    #[test]
    fn nobody_when_no_rep_can_take_it() {
        assert_eq!(choose(&[], &Pool::default()), Choice::Nobody);
        assert_eq!(choose(&[], &Pool { team: &[4], active: &[], ..Pool::default() }), Choice::Nobody);
    }

    proptest! {
        /// n·k round-robin leads give every one of n reps exactly k.
        #[test]
        fn round_robin_is_even(mut team in proptest::collection::btree_set(1i64..1000, 1..12), k in 1usize..6) {
            let team: Vec<i64> = std::mem::take(&mut team).into_iter().collect();
            let mut last = None;
            let mut counts = std::collections::BTreeMap::new();
            for _ in 0..team.len() * k {
                let rep = choose(&[], &Pool { rules: &[], team: &team, active: &team, last_round_robin: last }).rep().unwrap();
                *counts.entry(rep).or_insert(0usize) += 1;
                last = Some(rep);
            }
            prop_assert_eq!(counts.len(), team.len());
            prop_assert!(counts.values().all(|c| *c == k));
        }
    }
}
