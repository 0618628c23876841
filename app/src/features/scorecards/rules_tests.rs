//! The scorecard's arithmetic on worked examples.
use super::*;

fn line(indicator: Indicator, actual: Decimal, target: Option<Decimal>) -> Measured {
    Measured { indicator, actual, target }
}

/// Li Na, November: ¥90,000 of ¥100,000 sold; 12 of 15 new customers; 18% of 20% conversion;
/// 30% repurchase against 25%; ¥250 per new customer against ¥200; ROI 3.0 against 4.0; 4,500
/// of 5,000 reached.
fn li_na(reach_target: Option<Decimal>) -> Vec<Measured> {
    vec![
        line(Indicator::Sales, dec!(9000000), Some(dec!(10000000))),
        line(Indicator::NewCustomers, dec!(12), Some(dec!(15))),
        line(Indicator::Conversion, dec!(0.18), Some(dec!(0.20))),
        line(Indicator::Repurchase, dec!(0.30), Some(dec!(0.25))),
        line(Indicator::AcquisitionCost, dec!(25000), Some(dec!(20000))),
        line(Indicator::CampaignRoi, dec!(3.0), Some(dec!(4.0))),
        line(Indicator::ContentReach, dec!(4500), reach_target),
    ]
}

#[test]
fn the_weights_are_the_seeds_sixty_and_forty() {
    let q: Decimal = Indicator::QUANTITATIVE.iter().map(|i| i.weight()).sum();
    let l: Decimal = Indicator::QUALITATIVE.iter().map(|i| i.weight()).sum();
    assert_eq!((q, l), (dec!(60), dec!(40)));
    let sales = Indicator::Sales.weight();
    let growth: Decimal =
        [Indicator::NewCustomers, Indicator::Conversion, Indicator::Repurchase].iter().map(|i| i.weight()).sum();
    let efficiency: Decimal =
        [Indicator::AcquisitionCost, Indicator::CampaignRoi, Indicator::ContentReach].iter().map(|i| i.weight()).sum();
    assert_eq!((sales, growth, efficiency), (dec!(30), dec!(20), dec!(10)));
}

#[test]
fn the_curve_is_linear_to_the_target_and_capped_at_the_setting() {
    let sales = |actual, cap| achievement(Indicator::Sales, actual, dec!(100000), cap);
    assert_eq!(sales(dec!(90000), dec!(1)), Some(dec!(0.9)));
    assert_eq!(sales(dec!(130000), dec!(1)), Some(dec!(1)), "no credit above the target by default");
    assert_eq!(sales(dec!(130000), dec!(1.2)), Some(dec!(1.2)), "up to the organization's cap");
    assert_eq!(sales(dec!(150000), dec!(1.2)), Some(dec!(1.2)));
    assert_eq!(sales(dec!(-5), dec!(1)), Some(dec!(0)));
    // A cost: at or under the target is full marks; above it, target ÷ actual.
    let cost = |actual| achievement(Indicator::AcquisitionCost, actual, dec!(200), dec!(1));
    assert_eq!(cost(dec!(250)), Some(dec!(0.8)));
    assert_eq!(cost(dec!(150)), Some(dec!(1)));
    assert_eq!(cost(dec!(0)), Some(dec!(1)), "no cost at all");
    assert_eq!(achievement(Indicator::Sales, dec!(5), dec!(0), dec!(1)), None, "no target");
}

#[test]
fn li_na_scores_86_20_an_a() {
    let q = quantitative(&li_na(Some(dec!(5000))), dec!(1));
    let points: Vec<Decimal> = q.iter().map(|(_, p)| p.unwrap().normalize()).collect();
    // 30×0.9, 8×0.8, 6×0.9, 6×1, 4×0.8, 3×0.75, 3×0.9
    assert_eq!(points, [dec!(27), dec!(6.4), dec!(5.4), dec!(6), dec!(3.2), dec!(2.25), dec!(2.7)]);
    assert_eq!(total(q.iter().filter_map(|(_, p)| *p)), dec!(52.95));
    // Innovation 80, execution 90; collaboration 70 from the manager and 90, 80 from peers in
    // other departments: (70 + 85) / 2 = 77.5.
    let innovation = qualitative(Indicator::Innovation, dec!(80), &[]);
    let collaboration = qualitative(Indicator::Collaboration, dec!(70), &[dec!(90), dec!(80)]);
    let execution = qualitative(Indicator::Execution, dec!(90), &[dec!(10)]);
    assert_eq!(
        (innovation, collaboration, execution),
        (dec!(12), dec!(7.75), dec!(13.5)),
        "peers only on collaboration"
    );
    let score = total(q.iter().filter_map(|(_, p)| *p).chain([innovation, collaboration, execution]));
    assert_eq!(score, dec!(86.20));
    assert_eq!(Bands::default().grade(score), (Grade::A, 120));
}

#[test]
fn a_line_without_a_target_gives_its_weight_to_the_others() {
    let q = quantitative(&li_na(None), dec!(1));
    assert_eq!(q[6], (Indicator::ContentReach, None));
    // Sales weighs 30 × 60 / 57 now: 28.421052… × 0.9.
    assert_eq!(total([q[0].1.unwrap()]), dec!(28.42));
    // Every target met: still 60 in all.
    let met: Vec<Measured> =
        li_na(None).into_iter().map(|l| Measured { actual: l.target.unwrap_or(dec!(1)), ..l }).collect();
    let met: Vec<Measured> = met
        .into_iter()
        .map(|l| if l.indicator.lower_is_better() { Measured { actual: dec!(1), ..l } } else { l })
        .collect();
    assert_eq!(total(quantitative(&met, dec!(1)).iter().filter_map(|(_, p)| *p)), dec!(60.00));
    // No target at all: nothing to reach, no points.
    let none: Vec<Measured> = li_na(None).into_iter().map(|l| Measured { target: None, ..l }).collect();
    assert!(quantitative(&none, dec!(1)).iter().all(|(_, p)| p.is_none()));
}

#[test]
fn grade_bands_and_the_s_factor() {
    let bands = Bands::default();
    let at = |s: Decimal| bands.grade(s);
    assert_eq!(at(dec!(90)), (Grade::S, 150), "S from 90: 150% of the performance bonus");
    assert_eq!(at(dec!(100.5)), (Grade::S, 150));
    assert_eq!(at(dec!(89.99)), (Grade::A, 120));
    assert_eq!(at(dec!(80)), (Grade::A, 120));
    assert_eq!(at(dec!(79.99)), (Grade::B, 100));
    assert_eq!(at(dec!(60)), (Grade::C, 80));
    assert_eq!(at(dec!(59.99)), (Grade::D, 0));
    // The organization's own bands.
    let own = Bands::parse("85:130， 75:100、 65：70%, 20").unwrap();
    assert_eq!(own.grade(dec!(86)), (Grade::A, 130));
    assert_eq!(own.grade(dec!(64.99)), (Grade::D, 20));
    assert_eq!(own.format(), "85:130, 75:100, 65:70, 20");
    assert_eq!(Bands::parse(&Bands::default().format()), Some(Bands::default()));
    for wrong in [
        "95:130, 75:100, 65:70, 0",
        "70:130, 75:100, 65:70, 0",
        "85:160, 75:100, 65:70, 0",
        "85:100, 75:120, 65:70, 0",
        "85:130, 75:100",
    ] {
        assert_eq!(Bands::parse(wrong), None, "{wrong}");
    }
}

#[test]
fn two_consecutive_months_below_60_open_a_coaching_plan() {
    let m = |y, mo, s: Decimal| (y, mo, s);
    assert_eq!(coaching_due(&[m(2026, 10, dec!(58)), m(2026, 11, dec!(55.5))]), Some([(2026, 10), (2026, 11)]));
    assert_eq!(coaching_due(&[m(2026, 11, dec!(40))]), None, "one month");
    assert_eq!(coaching_due(&[m(2026, 9, dec!(50)), m(2026, 11, dec!(55))]), None, "not consecutive");
    assert_eq!(
        coaching_due(&[m(2026, 9, dec!(50)), m(2026, 10, dec!(70)), m(2026, 11, dec!(55))]),
        None,
        "one in between"
    );
    assert_eq!(coaching_due(&[m(2026, 10, dec!(60)), m(2026, 11, dec!(55))]), None, "60 is not below 60");
    assert_eq!(
        coaching_due(&[m(2027, 1, dec!(40)), m(2026, 12, dec!(50))]),
        Some([(2026, 12), (2027, 1)]),
        "over the year end, any order"
    );
}

#[test]
fn year_end_lists_the_top_three_teams_and_the_bottom_fifth() {
    let teams = [("华东", dec!(81)), ("华南", dec!(92)), ("华北", dec!(77)), ("西南", dec!(88)), ("东北", dec!(60))];
    let members: Vec<(i64, Decimal)> = (1..=11).map(|i| (i, Decimal::from(50 + i))).collect();
    let (top, bottom) = year_review(&teams, &members);
    assert_eq!(top, ["华南", "西南", "华东"]);
    assert_eq!(bottom, [1, 2, 3], "20% of 11, rounded up");
    assert_eq!(year_review::<&str, i64>(&[], &[(7, dec!(99))]).1, [7]);
}
