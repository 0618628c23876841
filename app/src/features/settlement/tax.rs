//! Withholding tax on a statement (one promoter, one period), PRODUCT.md §4. Computed on the
//! period's gross, exactly, and rounded once to the fen, half away from zero.
use crate::shared::money::round_fen;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

crate::closed_set! {
    /// How a promoter's rewards are taxed; a setting per promoter kind, overridable per promoter.
    pub enum TaxTreatment("tax treatment") {
        /// 偶然所得: 20% of gross, the company policy's default for employees.
        Incidental = "incidental",
        /// 工资薪金: nothing withheld here; the gross goes to payroll with the month's salary.
        Wages = "wages",
        /// 劳务报酬 (individual partners), resident withholding.
        Labour = "labour",
        /// Companies invoice: nothing withheld.
        Company = "company",
        /// 个体工商户 (经营所得) file themselves: nothing withheld.
        SoleProprietor = "sole_proprietor",
    }
}

impl TaxTreatment {
    /// Withheld on a statement's gross (fen). Nothing is withheld on a gross of zero or less.
    pub fn withholding(self, gross_fen: i64) -> i64 {
        if gross_fen <= 0 {
            return 0;
        }
        let gross = Decimal::from(gross_fen);
        match self {
            TaxTreatment::Incidental => round_fen(gross * dec!(0.20)),
            TaxTreatment::Labour => labour_remuneration(gross_fen),
            TaxTreatment::Wages | TaxTreatment::Company | TaxTreatment::SoleProprietor => 0,
        }
    }
}

/// 劳务报酬 withholding: taxable = gross − ¥800 up to ¥4,000, else gross × 80%; then 20% up to
/// ¥20,000 taxable, 30% − ¥2,000 up to ¥50,000, 40% − ¥7,000 above.
fn labour_remuneration(gross_fen: i64) -> i64 {
    let gross = Decimal::from(gross_fen);
    let taxable = if gross_fen <= 400_000 { (gross - dec!(80_000)).max(Decimal::ZERO) } else { gross * dec!(0.8) };
    let tax = if taxable <= dec!(2_000_000) {
        taxable * dec!(0.20)
    } else if taxable <= dec!(5_000_000) {
        taxable * dec!(0.30) - dec!(200_000)
    } else {
        taxable * dec!(0.40) - dec!(700_000)
    };
    round_fen(tax.max(Decimal::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_example_1_incidental_income() {
        // gross ¥1,246.91 → tax 20% = ¥249.38, net ¥997.53
        let tax = TaxTreatment::Incidental.withholding(124_691);
        assert_eq!(tax, 24_938);
        assert_eq!(124_691 - tax, 99_753);
    }

    #[test]
    fn worked_example_5_partner_quarter() {
        // gross ¥7,400.00 → taxable 5,920 → tax ¥1,184.00, net ¥6,216.00
        assert_eq!(TaxTreatment::Labour.withholding(740_000), 118_400);
    }

    #[test]
    fn worked_example_6_labour_remuneration_bands() {
        assert_eq!(TaxTreatment::Labour.withholding(300_000), 44_000);
        assert_eq!(TaxTreatment::Labour.withholding(3_000_000), 520_000);
        assert_eq!(TaxTreatment::Labour.withholding(8_000_000), 1_860_000);
    }

    #[test]
    fn labour_band_edges() {
        // ¥800 or less: nothing taxable.
        assert_eq!(TaxTreatment::Labour.withholding(80_000), 0);
        // ¥4,000 exactly: 3,200 × 20%; ¥4,000.01: 80% rule.
        assert_eq!(TaxTreatment::Labour.withholding(400_000), 64_000);
        assert_eq!(TaxTreatment::Labour.withholding(400_001), 64_000);
        // taxable ¥20,000 exactly (gross ¥25,000) is still 20%.
        assert_eq!(TaxTreatment::Labour.withholding(2_500_000), 400_000);
    }

    #[test]
    fn nothing_withheld_for_wages_companies_sole_proprietors_or_no_gross() {
        for t in [TaxTreatment::Wages, TaxTreatment::Company, TaxTreatment::SoleProprietor] {
            assert_eq!(t.withholding(1_000_000), 0);
        }
        assert_eq!(TaxTreatment::Incidental.withholding(-5_000), 0);
        assert_eq!(TaxTreatment::Labour.withholding(0), 0);
    }

    #[test]
    fn treatments_round_trip_their_keys() {
        for &t in TaxTreatment::ALL {
            assert_eq!(TaxTreatment::parse(t.as_str()), Some(t));
        }
    }

    proptest! {
        #[test]
        fn tax_is_never_negative_nor_above_gross(gross in -1_000_000i64..100_000_000_000) {
            for &t in TaxTreatment::ALL {
                let tax = t.withholding(gross);
                prop_assert!(tax >= 0);
                prop_assert!(tax <= gross.max(0));
            }
        }

        #[test]
        fn labour_tax_never_falls_as_gross_rises(a in 0i64..20_000_000, d in 0i64..1_000_000) {
            prop_assert!(TaxTreatment::Labour.withholding(a + d) >= TaxTreatment::Labour.withholding(a));
        }
    }
}
