//! The scorecard's arithmetic (PRODUCT.md §7, seed 003), pure: each indicator's weight, the
//! scoring curve (linear to the target, capped at a setting), the weighting into a score out of
//! 100, the grade bands and the bonus factor, the two-months-below-60 coaching trigger, the
//! year-end lists. (All-staff participation is the dashboard's.)
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

crate::closed_set! {
    /// A line of the scorecard; the spelling is its key in the database.
    pub enum Indicator("indicator") {
        /// Deal amount signed in the member's campaigns against the target (30%).
        Sales = "sales",
        /// Customer growth (20%): new customers signed, lead → deal conversion, repurchase rate.
        NewCustomers = "new_customers",
        Conversion = "conversion",
        Repurchase = "repurchase",
        /// Efficiency (10%): acquisition cost at or under target, campaign ROI, content reach.
        AcquisitionCost = "acquisition_cost",
        CampaignRoi = "campaign_roi",
        ContentReach = "content_reach",
        /// Qualitative (40%), scored by the direct manager with a concrete example each.
        Innovation = "innovation",
        Collaboration = "collaboration",
        Execution = "execution",
    }
}

impl Indicator {
    pub const QUANTITATIVE: [Indicator; 7] = [
        Indicator::Sales,
        Indicator::NewCustomers,
        Indicator::Conversion,
        Indicator::Repurchase,
        Indicator::AcquisitionCost,
        Indicator::CampaignRoi,
        Indicator::ContentReach,
    ];
    pub const QUALITATIVE: [Indicator; 3] = [Indicator::Innovation, Indicator::Collaboration, Indicator::Execution];

    /// Points out of 100: the seed's 30 / 20 / 10 quantitative, 15 / 10 / 15 qualitative; the
    /// seed's groups shared among their indicators.
    pub fn weight(self) -> Decimal {
        match self {
            Indicator::Sales => dec!(30),
            Indicator::NewCustomers => dec!(8),
            Indicator::Conversion | Indicator::Repurchase => dec!(6),
            Indicator::AcquisitionCost => dec!(4),
            Indicator::CampaignRoi | Indicator::ContentReach => dec!(3),
            Indicator::Innovation | Indicator::Execution => dec!(15),
            Indicator::Collaboration => dec!(10),
        }
    }

    pub fn is_qualitative(self) -> bool {
        Indicator::QUALITATIVE.contains(&self)
    }

    /// A cost: at or under the target is full marks.
    pub fn lower_is_better(self) -> bool {
        self == Indicator::AcquisitionCost
    }
}

/// The organization setting: the curve's cap in percent of the target (100: no credit above).
pub const CAP_SETTING: &str = "scorecard_cap_percent";
pub const CAP_DEFAULT: i64 = 100;

/// How far a figure reached its target, through the curve: linear up to the target, then on up
/// to `cap` (1 = no credit above the target). Nothing to reach (no target) is `None`.
pub fn achievement(indicator: Indicator, actual: Decimal, target: Decimal, cap: Decimal) -> Option<Decimal> {
    if target <= Decimal::ZERO {
        return None;
    }
    let ratio = if indicator.lower_is_better() {
        if actual <= Decimal::ZERO {
            cap
        } else {
            target / actual
        }
    } else {
        actual.max(Decimal::ZERO) / target
    };
    Some(ratio.min(cap))
}

/// One quantitative line as scored: its figure, target, achievement and points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measured {
    pub indicator: Indicator,
    pub actual: Decimal,
    /// `None`: the manager set none; its weight goes to the other figures.
    pub target: Option<Decimal>,
}

/// Points of each quantitative line: weight × achievement, where the weight of a line without a
/// target is shared among the lines with one, pro rata, so the figures still weigh 60. Exact
/// (rounded only in the total).
pub fn quantitative(lines: &[Measured], cap: Decimal) -> Vec<(Indicator, Option<Decimal>)> {
    let reach: Vec<Option<Decimal>> =
        lines.iter().map(|l| l.target.and_then(|t| achievement(l.indicator, l.actual, t, cap))).collect();
    let all: Decimal = lines.iter().map(|l| l.indicator.weight()).sum();
    let scored: Decimal =
        lines.iter().zip(&reach).filter(|(_, r)| r.is_some()).map(|(l, _)| l.indicator.weight()).sum();
    if scored.is_zero() {
        // No target at all: the figures score nothing.
        return lines.iter().map(|l| (l.indicator, None)).collect();
    }
    lines.iter().zip(reach).map(|(l, r)| (l.indicator, r.map(|a| l.indicator.weight() * all / scored * a))).collect()
}

/// A qualitative item's points: its weight × the score (0–100) / 100. Collaboration takes the
/// peers' average from other departments, when there is one, half and half with the manager's.
pub fn qualitative(indicator: Indicator, manager: Decimal, peers: &[Decimal]) -> Decimal {
    let score = if indicator == Indicator::Collaboration && !peers.is_empty() {
        let mean = peers.iter().copied().sum::<Decimal>() / Decimal::from(peers.len());
        (manager + mean) / dec!(2)
    } else {
        manager
    };
    indicator.weight() * score / dec!(100)
}

/// A score to the hundredth, half away from zero: rounded once, from the exact points.
pub fn total(points: impl IntoIterator<Item = Decimal>) -> Decimal {
    let mut sum = points
        .into_iter()
        .sum::<Decimal>()
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    // Always two decimals, as shown and stored: 20.00, not 20.0.
    sum.rescale(2);
    sum
}

crate::closed_set! {
    pub enum Grade("grade") {
        S = "S",
        A = "A",
        B = "B",
        C = "C",
        D = "D",
    }
}

/// The grade bands: S from 90 with a 150% performance-bonus factor (seed 003); A, B and C from
/// the organization's thresholds, with their factors; D below C.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bands {
    /// (grade, lowest score, bonus factor in percent), A, B, C in that order.
    pub steps: [(Grade, Decimal, u32); 3],
    pub d_factor: u32,
}

pub const S_FROM: Decimal = dec!(90);
pub const S_FACTOR: u32 = 150;

impl Default for Bands {
    fn default() -> Self {
        Bands { steps: [(Grade::A, dec!(80), 120), (Grade::B, dec!(70), 100), (Grade::C, dec!(60), 80)], d_factor: 0 }
    }
}

impl Bands {
    /// The organization setting: `80:120, 70:100, 60:80, 0` (A, B, C from score:factor%, and D's
    /// factor). Thresholds fall from below 90; factors do not rise as grades fall.
    pub const SETTING: &str = "scorecard_grades";

    pub fn grade(&self, score: Decimal) -> (Grade, u32) {
        if score >= S_FROM {
            return (Grade::S, S_FACTOR);
        }
        self.steps.iter().find(|(_, from, _)| score >= *from).map_or((Grade::D, self.d_factor), |(g, _, f)| (*g, *f))
    }

    pub fn parse(typed: &str) -> Option<Bands> {
        let folded = crate::shared::text::fold_width(typed.trim());
        let parts: Vec<&str> = folded.split([',', '，', '、', ';', '；']).map(str::trim).collect();
        let [a, b, c, d] = parts.as_slice() else { return None };
        let step = |p: &str| -> Option<(Decimal, u32)> {
            let (from, factor) = p.split_once([':', '：'])?;
            Some((from.trim().parse().ok()?, factor.trim().trim_end_matches('%').parse().ok()?))
        };
        let (a, b, c) = (step(a)?, step(b)?, step(c)?);
        let d_factor: u32 = d.trim_end_matches('%').parse().ok()?;
        let falling = S_FROM > a.0 && a.0 > b.0 && b.0 > c.0 && c.0 > Decimal::ZERO;
        let factors = S_FACTOR >= a.1 && a.1 >= b.1 && b.1 >= c.1 && c.1 >= d_factor;
        (falling && factors)
            .then_some(Bands { steps: [(Grade::A, a.0, a.1), (Grade::B, b.0, b.1), (Grade::C, c.0, c.1)], d_factor })
    }

    pub fn format(&self) -> String {
        let s: Vec<String> = self.steps.iter().map(|(_, from, f)| format!("{}:{f}", from.normalize())).collect();
        format!("{}, {}", s.join(", "), self.d_factor)
    }
}

/// Below this a monthly score counts toward a coaching plan.
pub const COACHING_BELOW: Decimal = dec!(60);

/// Monthly scores as (year, month, score): a coaching plan is due when the two latest are of
/// consecutive months and both below 60. Returns those two months.
pub fn coaching_due(monthly: &[(i32, u32, Decimal)]) -> Option<[(i32, u32); 2]> {
    let mut sorted = monthly.to_vec();
    sorted.sort_by_key(|(y, m, _)| (*y, *m));
    let [.., (y1, m1, s1), (y2, m2, s2)] = sorted.as_slice() else { return None };
    let next = if *m1 == 12 { (y1 + 1, 1) } else { (*y1, m1 + 1) };
    (next == (*y2, *m2) && *s1 < COACHING_BELOW && *s2 < COACHING_BELOW).then_some([(*y1, *m1), (*y2, *m2)])
}

/// Year end (seed 003): the top 3 teams by score, and the bottom 20% of members (at least one
/// of any non-empty list), lowest first. Ties keep the given order.
pub fn year_review<T: Clone, M: Clone>(teams: &[(T, Decimal)], members: &[(M, Decimal)]) -> (Vec<T>, Vec<M>) {
    let mut t = teams.to_vec();
    t.sort_by_key(|x| std::cmp::Reverse(x.1));
    let mut m = members.to_vec();
    m.sort_by_key(|x| x.1);
    let bottom = m.len().div_ceil(5);
    (t.into_iter().take(3).map(|(x, _)| x).collect(), m.into_iter().take(bottom).map(|(x, _)| x).collect())
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
