//! What the live figures stream sends an open dashboard (`GET /live/figures`): the whole
//! dashboard first, then after each burst of events only what changed (the totals, the trend's
//! changed days, the cut rows that changed, appeared or went), computed once per slice and sent
//! to every dashboard showing it. `apply(old, diff(old, new)) == new`, tested below.
use super::model::{Cut, CutRow, Dashboard, Dimension, Figures, TrendDay};
use serde::{Deserialize, Serialize};

/// A cut row that changed or appeared, and its place in its cut's new rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowChange {
    pub dimension: Dimension,
    pub at: i64,
    pub row: CutRow,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patch {
    pub totals: Option<Figures>,
    pub trend: Vec<TrendDay>,
    pub rows: Vec<RowChange>,
    /// Rows no longer shown: (dimension, key).
    pub gone: Vec<(Dimension, String)>,
}

/// One message of the stream: the live stream's latest event it includes (`seq`), and either
/// the whole dashboard or a patch of the previous message's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pushed {
    pub seq: i64,
    pub full: Option<Dashboard>,
    pub patch: Option<Patch>,
}

/// What turns `old` into `new`; `None` when only the whole will do (the period, the targets,
/// the filter choices, the trend's days or the cuts themselves differ).
pub fn diff(old: &Dashboard, new: &Dashboard) -> Option<Patch> {
    let same_frame = old.from == new.from
        && old.to == new.to
        && old.targets == new.targets
        && old.campaigns == new.campaigns
        && old.departments == new.departments
        && old.trend.len() == new.trend.len()
        && old.trend.iter().zip(&new.trend).all(|(a, b)| a.day == b.day)
        && old.cuts.len() == new.cuts.len()
        && old.cuts.iter().zip(&new.cuts).all(|(a, b)| a.dimension == b.dimension);
    if !same_frame {
        return None;
    }
    let mut patch = Patch {
        totals: (old.totals != new.totals).then(|| new.totals.clone()),
        trend: old.trend.iter().zip(&new.trend).filter(|(a, b)| a != b).map(|(_, b)| b.clone()).collect(),
        ..Patch::default()
    };
    for (a, b) in old.cuts.iter().zip(&new.cuts) {
        for r in &a.rows {
            if !b.rows.iter().any(|n| n.key == r.key) {
                patch.gone.push((a.dimension, r.key.clone()));
            }
        }
        for (at, r) in b.rows.iter().enumerate() {
            if a.rows.iter().find(|o| o.key == r.key) != Some(r) {
                patch.rows.push(RowChange { dimension: b.dimension, at: at as i64, row: r.clone() });
            }
        }
    }
    Some(patch)
}

/// `d` with `patch` applied.
pub fn apply(d: &mut Dashboard, patch: &Patch) {
    if let Some(t) = &patch.totals {
        d.totals = t.clone();
    }
    for day in &patch.trend {
        if let Some(t) = d.trend.iter_mut().find(|t| t.day == day.day) {
            *t = day.clone();
        }
    }
    for cut in &mut d.cuts {
        apply_cut(cut, patch);
    }
}

fn apply_cut(cut: &mut Cut, patch: &Patch) {
    cut.rows.retain(|r| !patch.gone.iter().any(|(dim, key)| *dim == cut.dimension && *key == r.key));
    // In the order of their new places: each appears where it belongs among the rows kept.
    let mut changes: Vec<&RowChange> = patch.rows.iter().filter(|c| c.dimension == cut.dimension).collect();
    changes.sort_by_key(|c| c.at);
    for c in changes {
        match cut.rows.iter_mut().find(|r| r.key == c.row.key) {
            Some(r) => *r = c.row.clone(),
            None => {
                let at = usize::try_from(c.at).unwrap_or(0).min(cut.rows.len());
                cut.rows.insert(at, c.row.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dashboard(rows: &[(u8, u8, i64)], totals: i64, trend: &[i64]) -> Dashboard {
        let mut cuts: Vec<Cut> = Dimension::ALL.iter().map(|&dimension| Cut { dimension, rows: Vec::new() }).collect();
        // Keys in a fixed order per dimension, as the cuts list them; each at most once.
        let mut seen = std::collections::BTreeSet::new();
        let mut sorted: Vec<_> = rows.iter().filter(|(d, k, _)| seen.insert((*d % 4, *k % 6))).collect();
        sorted.sort_by_key(|(d, k, _)| (*d % 4, *k % 6));
        for (d, k, clicks) in sorted {
            cuts[*d as usize % 4].rows.push(CutRow {
                key: format!("k{}", k % 6),
                label: format!("K{}", k % 6),
                figures: Figures { clicks: *clicks, ..Figures::default() },
            });
        }
        Dashboard {
            from: "2026-12-01".into(),
            to: "2026-12-03".into(),
            totals: Figures { leads: totals, ..Figures::default() },
            trend: trend
                .iter()
                .enumerate()
                .map(|(i, n)| TrendDay { day: format!("2026-12-0{}", i + 1), clicks: *n, leads: 0, deals: 0 })
                .collect(),
            cuts,
            targets: Vec::new(),
            campaigns: Vec::new(),
            departments: Vec::new(),
        }
    }

    proptest! {
        #[test]
        fn a_patch_turns_the_old_dashboard_into_the_new(
            old_rows in proptest::collection::vec((0u8..4, 0u8..6, 0i64..3), 0..20),
            new_rows in proptest::collection::vec((0u8..4, 0u8..6, 0i64..3), 0..20),
            totals in (0i64..3, 0i64..3),
            trend in (proptest::collection::vec(0i64..3, 3), proptest::collection::vec(0i64..3, 3)),
        ) {
            let old = dashboard(&old_rows, totals.0, &trend.0);
            let new = dashboard(&new_rows, totals.1, &trend.1);
            let patch = diff(&old, &new).expect("same frame");
            let mut patched = old.clone();
            apply(&mut patched, &patch);
            prop_assert_eq!(patched, new);
        }
    }

    #[test]
    fn another_period_or_other_choices_need_the_whole() {
        let a = dashboard(&[], 1, &[1, 2, 3]);
        assert_eq!(diff(&a, &a), Some(Patch::default()));
        let b = Dashboard { to: "2026-12-04".into(), ..a.clone() };
        assert_eq!(diff(&a, &b), None);
        let c = dashboard(&[], 1, &[1, 2]);
        assert_eq!(diff(&a, &c), None);
    }
}
