//! All-staff participation (全员参与度, seed 000): each employee's monthly score from their own
//! shares, valid leads and deals against their department's targets, its weight in the
//! performance review (an organization setting, 10–20%), the CSV for payroll and HR, and the
//! month's marketing star (营销达人).
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

/// The organization setting: participation's weight in the performance review, in percent.
pub const WEIGHT_SETTING: &str = "participation_weight";
pub const WEIGHT_DEFAULT: i64 = 10;

/// An employee's month: their own shares, valid leads and deals, and their department's
/// targets per employee (`None`: the department set none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    pub shares: i64,
    pub valid_leads: i64,
    pub deals: i64,
    pub shares_target: Option<Decimal>,
    pub leads_target: Option<Decimal>,
    pub deals_target: Option<Decimal>,
}

/// 0–100 to the hundredth: shares 40, valid leads 30, deals 30, each reached up to its target
/// (no credit above it); a figure without a target gives its weight to the others; no target
/// at all scores 0.
pub fn score(p: &Participation) -> Decimal {
    let parts = [
        (p.shares, p.shares_target, dec!(40)),
        (p.valid_leads, p.leads_target, dec!(30)),
        (p.deals, p.deals_target, dec!(30)),
    ];
    let set = |t: Option<Decimal>| t.filter(|t| *t > Decimal::ZERO);
    let weighed: Decimal = parts.iter().filter(|(_, t, _)| set(*t).is_some()).map(|(_, _, w)| *w).sum();
    if weighed.is_zero() {
        return dec!(0.00);
    }
    let exact: Decimal = parts
        .iter()
        .filter_map(|(actual, target, w)| {
            let target = set(*target)?;
            let reached = (Decimal::from((*actual).max(0)) / target).min(Decimal::ONE);
            Some(dec!(100) * *w / weighed * reached)
        })
        .sum();
    let mut s = exact.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    s.rescale(2);
    s
}

/// A department's monthly target spread per employee: shares are already per employee; valid
/// leads and deals are the department's, shared among its active employees.
pub fn per_employee(department_total: Option<i64>, employees: i64) -> Option<Decimal> {
    let total = department_total.filter(|t| *t > 0)?;
    Some(Decimal::from(total) / Decimal::from(employees.max(1)))
}

/// The score's part of the performance review: score × weight%, to the hundredth.
pub fn weighted(score: Decimal, weight_percent: i64) -> Decimal {
    let mut w = (score * Decimal::from(weight_percent) / dec!(100))
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    w.rescale(2);
    w
}

/// One employee's row of the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipationRow {
    pub user_id: i64,
    pub name: String,
    pub department: String,
    pub figures: Participation,
    pub score: Decimal,
}

/// The month's marketing star: the highest participation score; ties go to more deals, then
/// more valid leads, then more shares, then the lower id. Nobody with a score of 0.
pub fn star(rows: &[ParticipationRow]) -> Option<&ParticipationRow> {
    rows.iter().filter(|r| r.score > Decimal::ZERO).max_by(|a, b| {
        let key = |r: &ParticipationRow| (r.score, r.figures.deals, r.figures.valid_leads, r.figures.shares);
        key(a).cmp(&key(b)).then(b.user_id.cmp(&a.user_id))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(shares: i64, valid_leads: i64, deals: i64, targets: [Option<i64>; 3]) -> Participation {
        let [s, l, d] = targets.map(|t| t.map(Decimal::from));
        Participation { shares, valid_leads, deals, shares_target: s, leads_target: l, deals_target: d }
    }

    #[test]
    fn own_figures_against_the_departments_targets() {
        // 40 × 1 (no credit above) + 30 × 0.5 + 30 × 0.
        assert_eq!(score(&month(12, 2, 0, [Some(10), Some(4), Some(1)])), dec!(55.00));
        // No deals target: shares and leads share the 100: 100 × 40/70 + 100 × 30/70 × 0.5.
        assert_eq!(score(&month(12, 2, 0, [Some(10), Some(4), None])), dec!(78.57));
        assert_eq!(score(&month(12, 2, 0, [None, Some(0), None])), dec!(0));
        assert_eq!(score(&month(12, 2, 0, [None, Some(0), None])).to_string(), "0.00");
        // A department's 30 valid leads among 4 employees: 7.5 each; 6 of them reach 80%.
        assert_eq!(per_employee(Some(30), 4), Some(dec!(7.5)));
        assert_eq!(per_employee(Some(0), 4), None);
        let p = Participation { leads_target: per_employee(Some(30), 4), ..month(0, 6, 0, [None, None, None]) };
        assert_eq!(score(&p), dec!(80.00));
    }

    #[test]
    fn its_weight_in_the_review_and_the_months_star() {
        assert_eq!(weighted(dec!(78.57), 15), dec!(11.79));
        assert_eq!(weighted(dec!(55), 10).to_string(), "5.50");
        let row = |user_id, score: Decimal, deals| ParticipationRow {
            user_id,
            name: String::new(),
            department: String::new(),
            figures: month(0, 0, deals, [None, None, None]),
            score,
        };
        let rows = [row(1, dec!(80), 1), row(2, dec!(90), 0), row(3, dec!(90), 2), row(4, dec!(90), 2)];
        assert_eq!(star(&rows).map(|r| r.user_id), Some(3), "more deals, then the lower id");
        assert_eq!(star(&[row(5, dec!(0), 3)]), None);
    }
}
