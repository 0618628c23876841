//! The lead response rate (线索响应率): the share of assigned leads whose first contact came
//! within the first-contact window (24 hours by default, a lead-policy setting) of assignment.
//! A lead still inside its window and not yet contacted is not counted either way.
use rust_decimal::Decimal;

/// `assigned` holds (assigned_at, first_contact_at) in milliseconds; `window_ms` is the
/// first-contact window. `None` when nothing is decided yet.
pub fn response_rate(assigned: &[(i64, Option<i64>)], now_ms: i64, window_ms: i64) -> Option<Decimal> {
    let mut decided = 0i64;
    let mut in_time = 0i64;
    for (assigned_at, contacted) in assigned {
        let deadline = assigned_at + window_ms;
        match contacted {
            Some(at) if *at <= deadline => {
                decided += 1;
                in_time += 1;
            }
            Some(_) => decided += 1,
            None if now_ms > deadline => decided += 1,
            None => {}
        }
    }
    (decided > 0).then(|| Decimal::from(in_time) / Decimal::from(decided))
}

/// True when the first contact is overdue at `now_ms`.
pub fn is_overdue(assigned_at: i64, first_contact_at: Option<i64>, now_ms: i64, window_ms: i64) -> bool {
    first_contact_at.is_none() && now_ms > assigned_at + window_ms
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    const H: i64 = 3_600_000;

    #[test]
    fn counts_contacts_within_24_hours() {
        let now = 100 * H;
        let leads = [
            (0, Some(2 * H)),      // in time
            (0, Some(24 * H)),     // exactly at the deadline: in time
            (0, Some(24 * H + 1)), // late
            (0, None),             // overdue, never contacted
            (90 * H, None),        // still inside its 24 hours: not counted
        ];
        assert_eq!(response_rate(&leads, now, 24 * H), Some(dec!(0.5)));
        assert_eq!(response_rate(&[(90 * H, None)], now, 24 * H), None);
        // A 2-hour window: only the first counts in time, the one still open is now late.
        assert_eq!(response_rate(&leads, now, 2 * H), Some(dec!(0.2)));
    }

    #[test]
    fn overdue_after_the_window_without_contact() {
        assert!(!is_overdue(0, None, 24 * H, 24 * H));
        assert!(is_overdue(0, None, 24 * H + 1, 24 * H));
        assert!(!is_overdue(0, Some(30 * H), 40 * H, 24 * H));
        assert!(is_overdue(0, None, 4 * H + 1, 4 * H));
    }

    proptest! {
        #[test]
        fn rate_is_a_share(leads in prop::collection::vec((0i64..100, prop::option::of(0i64..100)), 0..40)) {
            let leads: Vec<(i64, Option<i64>)> = leads.into_iter().map(|(a, c)| (a * H, c.map(|c| (a + c) * H))).collect();
            if let Some(r) = response_rate(&leads, 200 * H, 24 * H) {
                prop_assert!(r >= Decimal::ZERO && r <= Decimal::ONE);
            }
        }
    }
}
