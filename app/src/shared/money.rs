//! Money is integer fen (分, 1/100 yuan). Rates and intermediate results are exact decimals;
//! a reward line is rounded once, half away from zero; a split hands out the rounded pool by
//! largest remainder so the parts always add up to the pool.
use rust_decimal::prelude::*;
use rust_decimal::RoundingStrategy;

/// Rounds an exact amount in fen to whole fen, half away from zero.
pub fn round_fen(amount_fen: Decimal) -> i64 {
    amount_fen
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(if amount_fen.is_sign_negative() { i64::MIN } else { i64::MAX })
}

/// `rate × basis`, exact, in fen (not yet rounded).
pub fn apply_rate(basis_fen: i64, rate: Decimal) -> Decimal {
    Decimal::from(basis_fen) * rate
}

/// Splits `pool_fen` by `weights` (any non-negative numbers, e.g. 70 and 30) so that the parts
/// add up exactly to the pool: every part gets the floor of its exact share and the fen left
/// over go, one each, to the largest remainders (ties to the earlier part).
pub fn split_largest_remainder(pool_fen: i64, weights: &[Decimal]) -> Vec<i64> {
    let total: Decimal = weights.iter().copied().sum();
    if weights.is_empty() {
        return Vec::new();
    }
    // One share (or none with weight) takes the whole pool: no division to make.
    if total <= Decimal::ZERO || weights.len() == 1 {
        let mut parts = vec![0; weights.len()];
        parts[0] = pool_fen;
        return parts;
    }
    let sign = if pool_fen < 0 { -1 } else { 1 };
    let pool = Decimal::from(pool_fen.unsigned_abs());
    let exact: Vec<Decimal> = weights.iter().map(|w| pool * *w / total).collect();
    let mut parts: Vec<i64> = exact.iter().map(|e| e.floor().to_i64().unwrap_or(0)).collect();
    let handed_out: i64 = parts.iter().sum();
    let mut left = pool.to_i64().unwrap_or(0) - handed_out;
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Stable sort keeps the earlier part first among equal remainders.
    order.sort_by(|a, b| (exact[*b] - exact[*b].floor()).cmp(&(exact[*a] - exact[*a].floor())));
    for i in order.iter().cycle() {
        if left <= 0 {
            break;
        }
        parts[*i] += 1;
        left -= 1;
    }
    parts.into_iter().map(|p| p * sign).collect()
}

/// What a first-order benefit takes off an order of `order_fen`: `amount_fen`, or with
/// `percent`, that share of the order rounded once to the fen, at most `amount_fen`; never
/// more than the order.
pub fn benefit_off(order_fen: i64, amount_fen: i64, percent: Option<Decimal>) -> i64 {
    let off = percent.map_or(amount_fen, |p| round_fen(apply_rate(order_fen, p)).min(amount_fen));
    off.clamp(0, order_fen.max(0))
}

/// `¥1,246.91`; negative amounts as `-¥12.00`.
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let yuan = abs / 100;
    let cents = abs % 100;
    let digits = yuan.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}¥{grouped}.{cents:02}")
}

/// Fen as plain decimal yuan, as `parse_yuan` reads it back: `12345.67`, `-0.05`.
pub fn fen_text(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MoneyError {
    Empty,
    NotANumber,
    TooManyDecimals,
    OutOfRange,
}

/// Parses a yuan amount as typed by a person (`12345.67`, `¥12,345.67`, `１２３`) into fen.
pub fn parse_yuan(input: &str) -> Result<i64, MoneyError> {
    let cleaned: String =
        super::text::fold_width(input).chars().filter(|c| !matches!(c, ',' | '¥' | '￥' | ' ')).collect();
    if cleaned.is_empty() {
        return Err(MoneyError::Empty);
    }
    let value = Decimal::from_str_exact(&cleaned).map_err(|_| MoneyError::NotANumber)?;
    if value.scale() > 2 {
        return Err(MoneyError::TooManyDecimals);
    }
    (value * Decimal::ONE_HUNDRED).to_i64().ok_or(MoneyError::OutOfRange)
}

/// `num ÷ den` in basis points (10000 = 100%), rounded half up; `None` when `den` is 0.
pub fn ratio_bp(num: i64, den: i64) -> Option<i64> {
    scaled(num, den, 10_000)
}

/// Deal profit ÷ reward cost, in hundredths; `None` without reward cost.
pub fn roi_centi(profit_fen: i64, reward_cost_fen: i64) -> Option<i64> {
    scaled(profit_fen, reward_cost_fen, 100)
}

/// `num × scale ÷ den`, rounded half away from zero; `None` when `den` is 0.
pub fn scaled(num: i64, den: i64, scale: i64) -> Option<i64> {
    if den == 0 {
        return None;
    }
    (Decimal::from(num) * Decimal::from(scale) / Decimal::from(den))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
}

/// A basis-point ratio as a percentage with one decimal: 1234 → "12.3%".
pub fn format_bp(bp: Option<i64>) -> String {
    match bp {
        Some(bp) => {
            let tenths = (Decimal::from(bp) / Decimal::from(10))
                .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
                .to_i64()
                .unwrap_or(0);
            format!("{}.{}%", tenths / 10, (tenths % 10).abs())
        }
        None => "—".to_string(),
    }
}

/// Hundredths as a decimal number: 1234 → "12.34".
pub fn format_centi(c: Option<i64>) -> String {
    match c {
        Some(c) => format!("{}{}.{:02}", if c < 0 { "-" } else { "" }, c.abs() / 100, c.abs() % 100),
        None => "—".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_first_order_benefit_takes_a_share_up_to_its_cap() {
        // 10% up to ¥300: ¥2,500 → ¥250; ¥5,000 → ¥300 (the cap); ¥123.45 → ¥12.35 (half up).
        assert_eq!(benefit_off(250_000, 30_000, Some(dec!(0.1))), 25_000);
        assert_eq!(benefit_off(500_000, 30_000, Some(dec!(0.1))), 30_000);
        assert_eq!(benefit_off(12_345, 30_000, Some(dec!(0.1))), 1_235);
        // A fixed ¥200, never more than the order.
        assert_eq!(benefit_off(500_000, 20_000, None), 20_000);
        assert_eq!(benefit_off(15_000, 20_000, None), 15_000);
    }

    proptest! {
        #[test]
        fn fen_text_reads_back(fen in -10_000_000_000i64..10_000_000_000) {
            prop_assert_eq!(parse_yuan(&fen_text(fen)), Ok(fen));
        }
    }

    #[test]
    fn worked_example_1_lines_round_once() {
        // 2% of ¥12,345.67 = 246.9134 yuan → ¥246.91
        let exact = apply_rate(1_234_567, dec!(0.02));
        assert_eq!(exact, dec!(24691.34));
        assert_eq!(round_fen(exact), 24_691);
        assert_eq!(round_fen(apply_rate(5_000_000, dec!(0.02))), 100_000);
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_fen(dec!(0.5)), 1);
        assert_eq!(round_fen(dec!(-0.5)), -1);
        assert_eq!(round_fen(dec!(2.5)), 3);
        assert_eq!(round_fen(dec!(2.4999)), 2);
    }

    #[test]
    fn worked_example_7_split() {
        // 70/30 of ¥100.01 → referrer ¥70.01, sales ¥30.00
        assert_eq!(split_largest_remainder(10_001, &[dec!(70), dec!(30)]), vec![7_001, 3_000]);
        // 10/10/80 of ¥0.01 → the one fen goes to the largest remainder
        assert_eq!(split_largest_remainder(1, &[dec!(10), dec!(10), dec!(80)]), vec![0, 0, 1]);
        // One share, whatever its weight, takes the whole pool, a refund's too.
        assert_eq!(split_largest_remainder(10_001, &[dec!(0.3)]), vec![10_001]);
        assert_eq!(split_largest_remainder(-10_001, &[dec!(1)]), vec![-10_001]);
    }

    #[test]
    fn formats_and_parses_yuan() {
        assert_eq!(format_yuan(124_691), "¥1,246.91");
        assert_eq!(format_yuan(0), "¥0.00");
        assert_eq!(format_yuan(-1_200), "-¥12.00");
        assert_eq!(format_yuan(123_456_789), "¥1,234,567.89");
        assert_eq!(parse_yuan("¥12,345.67"), Ok(1_234_567));
        assert_eq!(parse_yuan("１２３"), Ok(12_300));
        assert_eq!(parse_yuan("1.234"), Err(MoneyError::TooManyDecimals));
        assert_eq!(parse_yuan("abc"), Err(MoneyError::NotANumber));
        assert_eq!(parse_yuan(" "), Err(MoneyError::Empty));
    }

    proptest! {
        #[test]
        fn split_always_adds_up(pool in -10_000_000i64..10_000_000, ws in prop::collection::vec(0u32..1000, 1..6)) {
            let weights: Vec<Decimal> = ws.iter().map(|w| Decimal::from(*w)).collect();
            let parts = split_largest_remainder(pool, &weights);
            prop_assert_eq!(parts.iter().sum::<i64>(), pool);
            prop_assert_eq!(parts.len(), weights.len());
        }

        #[test]
        fn format_then_parse_round_trips(fen in 0i64..1_000_000_000_000) {
            prop_assert_eq!(parse_yuan(&format_yuan(fen)), Ok(fen));
        }
    }
}
