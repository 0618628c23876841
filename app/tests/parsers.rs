//! Every parser that reads outside input, fed arbitrary strings (and strings made of the
//! characters each one looks for, to reach past its first check): none panics, each answers
//! a value or an error, and what it accepts reads back as itself.
#![cfg(feature = "ssr")]
use app::features::admin::org_settings::SettingKey;
use app::features::admin::staff_rows;
use app::features::admin::store::staff_import;
use app::features::campaigns::rules::parse_boosts;
use app::features::dashboard::model::Range;
use app::features::dashboard::rules::resolve_range;
use app::features::deals::DealInput;
use app::features::leads::store::intake::decode_draft;
use app::features::rewards::engine::LateSteps;
use app::features::rewards::store::rules::parse_rule;
use app::plumbing::edge::{local_path, parse_trusted};
use app::plumbing::settings::OrgSettings;
use app::shared::money::{format_yuan, parse_yuan};
use app::shared::period::{parse_dates, Period, DEFAULT_TZ};
use app::shared::phone::normalize;
use app::shared::text::{clean, person_name, spreadsheet_safe};
use proptest::prelude::*;

fn org() -> OrgSettings {
    OrgSettings {
        name: "Allhands".into(),
        tz: DEFAULT_TZ,
        demo: false,
        allow_foreign_phones: false,
        secret: "s".into(),
    }
}

/// Any text at all, or text made of what the parsers look for.
fn typed() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[0-9０-９+＋\\-－() .,，:：¥%/\\\\QqA-Za-z\t\n\"'=@{}\\[\\]]{0,40}",]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn phone_numbers(s in typed(), foreign in any::<bool>()) {
        if let Ok(p) = normalize(&s, foreign) {
            let e164 = p.as_e164();
            prop_assert!(e164.starts_with('+') && e164[1..].chars().all(|c| c.is_ascii_digit()), "{}", e164);
            prop_assert_eq!(normalize(e164, foreign).map(|q| q.as_e164().to_string()), Ok(e164.to_string()));
        }
    }

    #[test]
    fn money(s in typed()) {
        if let Ok(fen) = parse_yuan(&s) {
            prop_assert_eq!(parse_yuan(&format_yuan(fen)), Ok(fen));
        }
    }

    #[test]
    fn periods_and_dates(s in typed()) {
        if let Some(p) = Period::parse_key(&s) {
            prop_assert_eq!(Period::parse_key(&p.key()), Some(p));
        }
        let _ = parse_dates(&s);
        let _ = parse_boosts(&s);
        let now = chrono::Utc::now();
        for range in [Range::Custom, Range::Today] {
            if let Ok((from, to)) = resolve_range(range, &s, &s, now, DEFAULT_TZ) {
                prop_assert!(from <= to);
            }
        }
    }

    #[test]
    fn the_draft_cookie(s in typed(), bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        use base64::Engine;
        let _ = decode_draft(&s);
        let _ = decode_draft(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
    }

    #[test]
    fn rule_json(s in typed(), n in any::<i64>(), rate in "[0-9.\\-e]{0,12}") {
        let _ = parse_rule(&s);
        // JSON that is almost a rule: numbers and rates out of every range.
        let almost = format!(
            r#"{{"id":{n},"version":1,"name":"x","effective_from":"2026-01-01","scope":{{}},"spec":{{"PercentOfDeal":{{"rate":"{rate}"}}}}}}"#
        );
        let _ = parse_rule(&almost);
    }

    #[test]
    fn deal_import_rows(cells in prop::collection::vec(typed(), 0..12)) {
        let header = "order_no,customer_phone,amount,signed_on,customer_name,cost,gross_profit,due_on,referral_code,paid_on,paid_amount,lead_id";
        let line = cells.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect::<Vec<_>>().join(",");
        let text = format!("{header}\n{line}\n");
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes());
        for row in reader.deserialize::<DealInput>().flatten() {
            let _ = app::features::deals::store::deals::validate(&org(), &row);
        }
    }

    #[test]
    fn staff_spreadsheets(bytes in prop::collection::vec(any::<u8>(), 0..400), cells in prop::collection::vec(typed(), 0..14)) {
        let _ = staff_import::decode(&bytes);
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend(&bytes);
        let _ = staff_import::decode(&zip);
        let header: Vec<String> = ["姓名", "手机号", "工号", "邮箱", "部门", "角色", "状态"].iter().map(|s| s.to_string()).collect();
        let _ = staff_rows::rows(&[header, cells], false);
    }

    #[test]
    fn settings_and_edges(s in typed()) {
        for key in SettingKey::ALL {
            // Stored as it is typed again (yuan are stored in fen: typed back as yuan).
            if let Ok(stored) = key.check(&s) {
                let typed_again = match key.kind() {
                    app::features::admin::org_settings::SettingKind::Yuan => {
                        format_yuan(stored.parse().unwrap_or(0)).trim_start_matches('¥').replace(',', "")
                    }
                    _ => stored.clone(),
                };
                prop_assert_eq!(key.check(&typed_again), Ok(stored.clone()), "{}", key);
            }
        }
        if let Ok(steps) = LateSteps::parse(&s) {
            prop_assert_eq!(LateSteps::parse(&steps.format()), Ok(steps));
        }
        if let Some(p) = local_path(&s) {
            prop_assert!(p.starts_with('/') && !p.starts_with("//"));
        }
        let _ = parse_trusted(&s);
        if let Ok(c) = clean(&s, 0, 50) {
            prop_assert!(c.chars().count() <= 50);
        }
        let _ = person_name(&s);
        let safe = spreadsheet_safe(&s);
        prop_assert!(!safe.starts_with(['=', '@']));
    }
}
