//! A rule as the editor holds it: what was typed, field by field (rates in percent, money in
//! yuan), and the checks that turn it into a rule or name the field that is wrong. The same
//! checks refuse a rule sent to the server.
use crate::features::rewards::engine::*;
use crate::features::rewards::i18n::K;
use crate::features::rewards::model::{Field, RuleKind};
use crate::plumbing::errors::{FieldError, Label, Problem};
use crate::plumbing::i18n::Locale;
use crate::shared::money::{fen_text, parse_yuan};
use crate::shared::text::{self, fold_width};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One row of a list: a band (a: from ¥, b: %), a tier (a: up to ¥, empty for the last; b: %),
/// a coupon step (a: ¥, perk), a pool share (role, b: %).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRow {
    pub a: String,
    pub b: String,
    pub perk: bool,
    pub role: SplitRole,
}

impl DraftRow {
    fn new(a: &str, b: &str) -> DraftRow {
        DraftRow { a: a.into(), b: b.into(), perk: false, role: SplitRole::Referrer }
    }

    fn share(role: SplitRole, b: &str) -> DraftRow {
        DraftRow { role, ..DraftRow::new("", b) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDraft {
    pub id: i64,
    pub version: i64,
    pub name: String,
    pub promoter_kind: PromoterKind,
    pub department_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub starts_on: String,
    /// Empty: the first order only; N: every order within N months of the first.
    pub months: String,
    pub kind: RuleKind,
    /// Percent: of collected money, or the pool of a split.
    pub rate: String,
    /// Percent, later orders of a band rule.
    pub later_rate: String,
    pub per: PeriodKind,
    pub event: FlatEvent,
    pub metric: Metric,
    /// Yuan: per event, for a target, the benefit.
    pub amount: String,
    pub threshold: String,
    /// Bands, tiers, coupon steps or the first order's shares.
    pub rows: Vec<DraftRow>,
    /// The later orders' shares of a split.
    pub repeat: Vec<DraftRow>,
    /// The coupon after the last step.
    pub later: DraftRow,
    /// Percent paid one level above the referrer; empty for none.
    pub upline: String,
}

pub const SPLIT_ROLES: [SplitRole; 3] = [SplitRole::Referrer, SplitRole::Sales, SplitRole::Service];
/// Recruiting is listed so that choosing it says why it is never paid (禁止传销条例 art. 7).
pub const EVENTS: [FlatEvent; 4] = [FlatEvent::ValidLead, FlatEvent::Deal, FlatEvent::Recruit, FlatEvent::SignUp];
pub const METRICS: [Metric; 5] =
    [Metric::ValidLeads, Metric::Shares, Metric::UniqueVisitors, Metric::CustomerStories, Metric::Recruits];
pub const PERIODS: [PeriodKind; 2] = [PeriodKind::Month, PeriodKind::Quarter];

/// A rate as typed: `2` for 2%.
pub fn percent_text(rate: Decimal) -> String {
    (rate * Decimal::ONE_HUNDRED).normalize().to_string()
}

fn yuan_text(fen: i64) -> String {
    fen_text(fen).trim_end_matches(".00").to_string()
}

impl RuleDraft {
    /// A new rule `id` of `kind`, from `starts_on`, with example figures to change.
    pub fn new(id: i64, kind: RuleKind, starts_on: NaiveDate) -> RuleDraft {
        let mut d = RuleDraft {
            id,
            version: 1,
            name: String::new(),
            promoter_kind: PromoterKind::Employee,
            department_id: None,
            campaign_id: None,
            starts_on: starts_on.to_string(),
            months: String::new(),
            kind,
            rate: String::new(),
            later_rate: String::new(),
            per: PeriodKind::Quarter,
            event: FlatEvent::ValidLead,
            metric: Metric::ValidLeads,
            amount: String::new(),
            threshold: String::new(),
            rows: Vec::new(),
            repeat: Vec::new(),
            later: DraftRow::new("", ""),
            upline: String::new(),
        };
        d.set_kind(kind);
        d
    }

    /// Another kind: its own figures start from an example.
    pub fn set_kind(&mut self, kind: RuleKind) {
        use SplitRole::*;
        self.kind = kind;
        self.rows.clear();
        self.repeat.clear();
        match kind {
            RuleKind::PercentOfDeal => self.rate = "2".into(),
            RuleKind::PercentBand => {
                self.rows = vec![DraftRow::new("0", "2"), DraftRow::new("100000", "3")];
                self.later_rate = "1".into();
            }
            RuleKind::MarginalTiers => self.rows = vec![DraftRow::new("100000", "5"), DraftRow::new("", "8")],
            RuleKind::FlatPerEvent => self.amount = "50".into(),
            RuleKind::ActivityTarget => (self.threshold, self.amount) = ("10".into(), "800".into()),
            RuleKind::Split => {
                self.rate = "3".into();
                self.rows =
                    vec![DraftRow::share(Referrer, "50"), DraftRow::share(Sales, "30"), DraftRow::share(Service, "20")];
                self.repeat =
                    vec![DraftRow::share(Referrer, "30"), DraftRow::share(Sales, "40"), DraftRow::share(Service, "30")];
            }
            RuleKind::CouponLadder => {
                self.rows = vec![
                    DraftRow::new("200", ""),
                    DraftRow::new("200", ""),
                    DraftRow { perk: true, ..DraftRow::new("800", "") },
                ];
                self.later = DraftRow::new("200", "");
            }
            RuleKind::NewCustomerBenefit => (self.amount, self.rate) = ("200".into(), String::new()),
        }
    }

    /// The rule's fields as typed, for a new version: it starts on `starts_on` and stays open.
    pub fn from_rule(r: &Rule, starts_on: NaiveDate) -> RuleDraft {
        let mut d = RuleDraft::new(r.id, RuleKind::of(&r.spec), starts_on);
        d.version = r.version;
        d.name = r.name.clone();
        d.promoter_kind = r.promoter_kind;
        (d.department_id, d.campaign_id) = (r.department_id, r.campaign_id);
        d.months = match r.attribution {
            Attribution::FirstOrder => String::new(),
            Attribution::Months(n) => n.to_string(),
        };
        (d.rows, d.repeat) = (Vec::new(), Vec::new());
        d.upline = r.upline.iter().map(|r| percent_text(*r)).collect::<Vec<_>>().join(", ");
        let shares = |s: &[(SplitRole, Decimal)]| {
            s.iter().map(|(role, w)| DraftRow::share(*role, &w.normalize().to_string())).collect()
        };
        let step = |s: &Step| DraftRow { perk: s.perk, ..DraftRow::new(&yuan_text(s.amount_fen), "") };
        match &r.spec {
            RuleSpec::PercentOfDeal { rate } => d.rate = percent_text(*rate),
            RuleSpec::PercentBand { bands, later_rate } => {
                d.rows = bands.iter().map(|b| DraftRow::new(&yuan_text(b.min_fen), &percent_text(b.rate))).collect();
                d.later_rate = percent_text(*later_rate);
            }
            RuleSpec::MarginalTiers { per, tiers } => {
                d.per = *per;
                d.rows = tiers
                    .iter()
                    .map(|t| DraftRow::new(&t.up_to_fen.map(yuan_text).unwrap_or_default(), &percent_text(t.rate)))
                    .collect();
            }
            RuleSpec::FlatPerEvent { event, amount_fen } => (d.event, d.amount) = (*event, yuan_text(*amount_fen)),
            RuleSpec::ActivityTarget { metric, threshold, amount_fen } => {
                (d.metric, d.threshold, d.amount) = (*metric, threshold.to_string(), yuan_text(*amount_fen));
            }
            RuleSpec::Split { rate, first_order, repeat } => {
                d.rate = percent_text(*rate);
                (d.rows, d.repeat) = (shares(first_order), shares(repeat));
            }
            RuleSpec::CouponLadder { steps, later } => {
                d.rows = steps.iter().map(step).collect();
                d.later = step(later);
            }
            RuleSpec::NewCustomerBenefit { amount_fen, percent } => {
                d.amount = yuan_text(*amount_fen);
                d.rate = percent.map(percent_text).unwrap_or_default();
            }
        }
        d
    }

    /// The rule, or every field that is wrong (each named, in the order of the form).
    pub fn to_rule(&self) -> Result<Rule, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut bad = |field: Field, problem: Problem| errors.push(FieldError::new(field, problem));
        let name = text::clean(&self.name, 1, 50).map_err(|e| bad(Field::Name, e.into())).unwrap_or_default();
        let starts_on =
            fold_width(self.starts_on.trim()).parse::<NaiveDate>().map_err(|_| bad(Field::StartsOn, Problem::Date));
        let attribution = match fold_width(self.months.trim()).as_str() {
            "" => Attribution::FirstOrder,
            n => match n.parse::<u32>() {
                Ok(n @ 1..=120) => Attribution::Months(n),
                _ => {
                    bad(Field::Months, Problem::OutOfRange { min: 1, max: 120 });
                    Attribution::FirstOrder
                }
            },
        };
        let mut rate = |field: Field, typed: &str| rate(typed).map_err(|p| bad(field, p)).unwrap_or_default();
        // More than one rate is more than one level: typed to be refused with the reason.
        let upline = fold_width(self.upline.trim())
            .split([',', '，', '、'])
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| rate(Field::Upline, r))
            .collect::<Vec<_>>();
        let spec = match self.kind {
            RuleKind::PercentOfDeal => RuleSpec::PercentOfDeal { rate: rate(Field::Rate, &self.rate) },
            RuleKind::Split => {
                let pool = rate(Field::Rate, &self.rate);
                let first_order =
                    rows(&self.rows, Field::FirstOrderShares, &mut errors, |r| Ok((r.role, share(&r.b)?)));
                let repeat = rows(&self.repeat, Field::RepeatShares, &mut errors, |r| Ok((r.role, share(&r.b)?)));
                RuleSpec::Split { rate: pool, first_order, repeat }
            }
            RuleKind::PercentBand => {
                let later_rate = rate(Field::LaterRate, &self.later_rate);
                let bands = rows(&self.rows, Field::Bands, &mut errors, |r| {
                    Ok(Band { min_fen: parse_yuan(&r.a).map_err(Problem::from)?, rate: self::rate(&r.b)? })
                });
                RuleSpec::PercentBand { bands, later_rate }
            }
            RuleKind::MarginalTiers => {
                let tiers = rows(&self.rows, Field::Tiers, &mut errors, |r| {
                    let up_to_fen = (!r.a.trim().is_empty()).then(|| parse_yuan(&r.a)).transpose()?;
                    Ok(Tier { up_to_fen, rate: self::rate(&r.b)? })
                });
                RuleSpec::MarginalTiers { per: self.per, tiers }
            }
            RuleKind::FlatPerEvent => {
                let amount_fen = money(&self.amount).map_err(|p| bad(Field::Amount, p)).unwrap_or_default();
                RuleSpec::FlatPerEvent { event: self.event, amount_fen }
            }
            RuleKind::ActivityTarget => {
                let amount_fen = money(&self.amount).map_err(|p| bad(Field::Amount, p)).unwrap_or_default();
                let threshold = match fold_width(self.threshold.trim()).parse::<i64>() {
                    Ok(n @ 1..=1_000_000) => n,
                    _ => {
                        bad(Field::Threshold, Problem::OutOfRange { min: 1, max: 1_000_000 });
                        0
                    }
                };
                RuleSpec::ActivityTarget { metric: self.metric, threshold, amount_fen }
            }
            RuleKind::CouponLadder => {
                let step = |r: &DraftRow| Ok(Step { amount_fen: money(&r.a)?, perk: r.perk });
                let steps = rows(&self.rows, Field::Steps, &mut errors, step);
                let later = step(&self.later).map_err(|p| errors.push(FieldError::new(Field::LaterStep, p)));
                RuleSpec::CouponLadder { steps, later: later.unwrap_or(Step { amount_fen: 0, perk: false }) }
            }
            RuleKind::NewCustomerBenefit => {
                // Empty: a fixed amount off; a percentage: that share of the first order, capped.
                let percent = (!self.rate.trim().is_empty()).then(|| rate(Field::Rate, &self.rate));
                let amount_fen = money(&self.amount).map_err(|p| bad(Field::Amount, p)).unwrap_or_default();
                RuleSpec::NewCustomerBenefit { amount_fen, percent }
            }
        };
        let Ok(effective_from) = starts_on else { return Err(errors) };
        if !errors.is_empty() {
            return Err(errors);
        }
        let rule = Rule {
            id: self.id,
            version: self.version,
            name,
            promoter_kind: self.promoter_kind,
            department_id: self.department_id,
            campaign_id: self.campaign_id,
            effective_from,
            effective_to: None,
            attribution,
            spec,
            upline,
        };
        let errors = check(&rule);
        if errors.is_empty() {
            Ok(rule)
        } else {
            Err(errors)
        }
    }
}

/// `2`, `2.5%`, `２` → 0.02, 0.025: from 0 to 100 percent.
fn rate(typed: &str) -> Result<Decimal, Problem> {
    let folded = fold_width(typed.trim());
    let number = folded.trim_end_matches(['%', '％']).trim();
    if number.is_empty() {
        return Err(Problem::Text(text::TextError::Required));
    }
    let percent = Decimal::from_str_exact(number).map_err(|_| said(K::ProblemPercent))?;
    if percent < Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
        return Err(said(K::ProblemPercent));
    }
    Ok((percent / Decimal::ONE_HUNDRED).normalize())
}

/// A role's weight in a pool (50 / 30 / 20, or 7 / 3): not negative.
fn share(typed: &str) -> Result<Decimal, Problem> {
    let folded = fold_width(typed.trim());
    let number = folded.trim_end_matches(['%', '％']).trim();
    if number.is_empty() {
        return Err(Problem::Text(text::TextError::Required));
    }
    match Decimal::from_str_exact(number) {
        Ok(w) if w >= Decimal::ZERO && w <= Decimal::from(1_000_000) => Ok(w.normalize()),
        _ => Err(Problem::OutOfRange { min: 0, max: 1_000_000 }),
    }
}

fn money(typed: &str) -> Result<i64, Problem> {
    let fen = parse_yuan(typed)?;
    if fen < 0 {
        return Err(Problem::NotPositive);
    }
    Ok(fen)
}

/// Parses each row; a wrong row is named by its number ("第 2 行：…").
fn rows<T>(
    rows: &[DraftRow],
    field: Field,
    errors: &mut Vec<FieldError>,
    parse: impl Fn(&DraftRow) -> Result<T, Problem>,
) -> Vec<T> {
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        match parse(r) {
            Ok(v) => out.push(v),
            Err(p) => errors.push(FieldError::new(field, row_problem(i + 1, &p))),
        }
    }
    out
}

fn row_problem(n: usize, p: &Problem) -> Problem {
    Problem::Said(Label {
        zh: format!("第 {n} 行：{}", p.message(Locale::ZhCn)).into(),
        en: format!("row {n}: {}", p.message(Locale::En)).into(),
    })
}

fn said(key: K) -> Problem {
    Problem::said(key)
}

/// What a rule must be, however it was written: rates 0–100%, amounts not negative, bands and
/// tiers in order, a pool's shares adding up to something. Empty: the rule is sound.
pub fn check(rule: &Rule) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut bad = |field: Field, problem: Problem| errors.push(FieldError::new(field, problem));
    let rate_ok = |r: &Decimal| *r >= Decimal::ZERO && *r <= Decimal::ONE;
    let range = said(K::ProblemPercent);
    if rule.id <= 0 || rule.version <= 0 {
        bad(Field::Rule, said(K::ProblemRule));
    }
    if let Err(e) = text::clean(&rule.name, 1, 50) {
        bad(Field::Name, e.into());
    }
    if rule.effective_to.is_some_and(|to| to < rule.effective_from) {
        bad(Field::StartsOn, Problem::EndsBeforeStart);
    }
    if matches!(rule.attribution, Attribution::Months(n) if n == 0 || n > 120) {
        bad(Field::Months, Problem::OutOfRange { min: 1, max: 120 });
    }
    // The multi-level guard (禁止传销条例 art. 7): one level above at most, on commissions only.
    if rule.upline.len() > MAX_LEVELS_ABOVE {
        bad(Field::Upline, said(K::ProblemThirdLevel));
    } else if !rule.upline.is_empty() && !rule.spec.is_commission() {
        bad(Field::Upline, said(K::ProblemUplineKind));
    } else if rule.upline.iter().any(|r| !rate_ok(r)) {
        bad(Field::Upline, range.clone());
    }
    match &rule.spec {
        RuleSpec::FlatPerEvent { event, .. } if event.is_recruiting() => bad(Field::Event, said(K::ProblemRecruiting)),
        RuleSpec::ActivityTarget { metric: Metric::Recruits, .. } => bad(Field::Metric, said(K::ProblemRecruiting)),
        RuleSpec::PercentOfDeal { rate } if !rate_ok(rate) => bad(Field::Rate, range),
        RuleSpec::PercentBand { bands, later_rate } => {
            if !rate_ok(later_rate) {
                bad(Field::LaterRate, range.clone());
            }
            if bands.is_empty() || bands.iter().any(|b| !rate_ok(&b.rate) || b.min_fen < 0) {
                bad(Field::Bands, said(K::ProblemRows));
            } else if bands.windows(2).any(|w| w[0].min_fen >= w[1].min_fen) {
                bad(Field::Bands, said(K::ProblemBandsOrder));
            }
        }
        RuleSpec::MarginalTiers { tiers, .. } => {
            let bounds: Vec<Option<i64>> = tiers.iter().map(|t| t.up_to_fen).collect();
            if tiers.is_empty() || tiers.iter().any(|t| !rate_ok(&t.rate) || t.up_to_fen.is_some_and(|u| u <= 0)) {
                bad(Field::Tiers, said(K::ProblemRows));
            } else if bounds.last() != Some(&None)
                || bounds[..bounds.len() - 1].iter().any(Option::is_none)
                || bounds.windows(2).any(|w| matches!(w, [Some(a), Some(b)] if a >= b))
            {
                bad(Field::Tiers, said(K::ProblemTiersOrder));
            }
        }
        RuleSpec::FlatPerEvent { amount_fen, .. } | RuleSpec::NewCustomerBenefit { amount_fen, percent: None }
            if *amount_fen < 0 =>
        {
            bad(Field::Amount, Problem::NotPositive)
        }
        RuleSpec::NewCustomerBenefit { amount_fen, percent: Some(p) } => {
            if *p <= Decimal::ZERO || *p > Decimal::ONE {
                bad(Field::Rate, range);
            }
            // A share of the order with no cap gives nothing: the cap is what is spent at most.
            if *amount_fen <= 0 {
                bad(Field::Amount, Problem::NotPositive);
            }
        }
        RuleSpec::ActivityTarget { threshold, amount_fen, .. } => {
            if *threshold <= 0 {
                bad(Field::Threshold, Problem::NotPositive);
            }
            if *amount_fen < 0 {
                bad(Field::Amount, Problem::NotPositive);
            }
        }
        RuleSpec::Split { rate, first_order, repeat } => {
            if !rate_ok(rate) {
                bad(Field::Rate, range);
            }
            for (field, shares) in [(Field::FirstOrderShares, first_order), (Field::RepeatShares, repeat)] {
                let sum: Decimal = shares.iter().map(|(_, w)| *w).sum();
                let roles: std::collections::BTreeSet<_> = shares.iter().map(|(r, _)| *r).collect();
                if shares.iter().any(|(_, w)| *w < Decimal::ZERO) || sum <= Decimal::ZERO || roles.len() != shares.len()
                {
                    bad(field, said(K::ProblemShares));
                }
            }
        }
        RuleSpec::CouponLadder { steps, later } => {
            if steps.iter().any(|s| s.amount_fen < 0) {
                bad(Field::Steps, Problem::NotPositive);
            }
            if later.amount_fen < 0 {
                bad(Field::LaterStep, Problem::NotPositive);
            }
        }
        _ => {}
    }
    errors
}

/// The first error about `field`, in `locale`.
pub fn error_for(errors: &[FieldError], field: Field, locale: Locale) -> Option<String> {
    errors.iter().find(|e| e.is(field)).map(|e| e.problem.message(locale))
}

/// A label in words, for selects.
pub fn role_label(r: SplitRole) -> K {
    match r {
        SplitRole::Referrer => K::RoleReferrer,
        SplitRole::Sales => K::RoleSales,
        SplitRole::Service => K::RoleService,
    }
}

pub fn event_label(e: FlatEvent) -> K {
    match e {
        FlatEvent::ValidLead => K::EventValidLead,
        FlatEvent::Deal => K::EventDeal,
        FlatEvent::Recruit => K::EventRecruit,
        FlatEvent::SignUp => K::EventSignUp,
    }
}

pub fn metric_label(m: Metric) -> K {
    match m {
        Metric::ValidLeads => K::MetricValidLeads,
        Metric::Shares => K::MetricShares,
        Metric::UniqueVisitors => K::MetricUniqueVisitors,
        Metric::CustomerStories => K::MetricStories,
        Metric::Recruits => K::MetricRecruits,
    }
}

pub fn period_label(p: PeriodKind) -> K {
    match p {
        PeriodKind::Month => K::PerMonth,
        PeriodKind::Quarter => K::PerQuarter,
    }
}

#[cfg(test)]
#[path = "draft_tests.rs"]
mod tests;
