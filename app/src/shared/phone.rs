//! Chinese mobile numbers (PRODUCT.md §5). Every accepted spelling normalizes to
//! `+86` followed by 11 digits starting 1[3-9]; foreign E.164 numbers only when the
//! organization allows them. Shared by the server and the browser form.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhoneError {
    Empty,
    InvalidCharacters,
    /// Not 11 digits starting 1[3-9] after the country code was removed.
    NotMobile,
    /// A valid E.164 number of another country while the setting forbids them.
    ForeignNotAllowed,
}

impl Phone {
    /// The normalized E.164 form, e.g. `+8613812345678`.
    pub fn as_e164(&self) -> &str {
        &self.0
    }

    /// Trusted re-construction from storage (already normalized).
    pub fn from_e164(stored: impl Into<String>) -> Self {
        Phone(stored.into())
    }

    /// The national part for Chinese numbers, the full E.164 otherwise.
    pub fn national(&self) -> &str {
        self.0.strip_prefix("+86").unwrap_or(&self.0)
    }

    /// `138****5678`: what a promoter sees of a prospect's number.
    pub fn masked(&self) -> String {
        mask(self.national())
    }
}

/// Masks all but the first three and last four digits.
pub fn mask(digits: &str) -> String {
    let chars: Vec<char> = digits.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

fn is_cn_mobile(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit)
}

/// Normalizes what a person typed. `allow_foreign` is the organization's setting.
pub fn normalize(input: &str, allow_foreign: bool) -> Result<Phone, PhoneError> {
    // Full-width digits, plus and brackets become ASCII, as NFKC would.
    let folded = super::text::fold_width(input);
    let trimmed = folded.trim();
    if trimmed.is_empty() {
        return Err(PhoneError::Empty);
    }
    let mut digits = String::with_capacity(trimmed.len());
    let mut plus = false;
    for (i, c) in trimmed.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => plus = true,
            ' ' | '-' | '(' | ')' | '.' | '\u{a0}' => {}
            _ => return Err(PhoneError::InvalidCharacters),
        }
    }
    if digits.is_empty() {
        return Err(PhoneError::Empty);
    }
    // Strip the country code in its spellings: +86, 0086, 86 (only when 13 digits follow-on).
    let national = if plus {
        digits.strip_prefix("86").filter(|rest| rest.len() == 11)
    } else if let Some(rest) = digits.strip_prefix("0086") {
        Some(rest)
    } else if digits.len() == 13 {
        digits.strip_prefix("86")
    } else {
        Some(digits.as_str())
    };
    match national {
        Some(n) if is_cn_mobile(n) => Ok(Phone(format!("+86{n}"))),
        Some(_) if !plus && !digits.starts_with("00") => Err(PhoneError::NotMobile),
        _ => {
            // International: +CC… or 00CC…, E.164 allows at most 15 digits.
            let intl = if plus { digits.as_str() } else { digits.trim_start_matches("00") };
            if intl.starts_with("86") {
                return Err(PhoneError::NotMobile);
            }
            if !(8..=15).contains(&intl.len()) || intl.starts_with('0') {
                return Err(PhoneError::NotMobile);
            }
            if !allow_foreign {
                return Err(PhoneError::ForeignNotAllowed);
            }
            Ok(Phone(format!("+{intl}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_form_in_the_product_spec_normalizes() {
        for input in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "(138)12345678",
            "+86 138 1234 5678",
            "0086 13812345678",
            "8613812345678",
            "１３８１２３４５６７８",
            "＋８６ １３８ １２３４ ５６７８",
            "  13812345678 ",
        ] {
            assert_eq!(normalize(input, false).map(|p| p.0), Ok("+8613812345678".to_string()), "{input}");
        }
    }

    #[test]
    fn invalid_numbers_give_a_reason() {
        assert_eq!(normalize("", false), Err(PhoneError::Empty));
        assert_eq!(normalize("   ", false), Err(PhoneError::Empty));
        assert_eq!(normalize("1381234567", false), Err(PhoneError::NotMobile));
        assert_eq!(normalize("138123456789", false), Err(PhoneError::NotMobile));
        assert_eq!(normalize("12812345678", false), Err(PhoneError::NotMobile)); // 12x is not mobile
        assert_eq!(normalize("23812345678", false), Err(PhoneError::NotMobile));
        assert_eq!(normalize("010-12345678", false), Err(PhoneError::NotMobile)); // landline
        assert_eq!(normalize("138abc45678", false), Err(PhoneError::InvalidCharacters));
        assert_eq!(normalize("+86 12812345678", false), Err(PhoneError::NotMobile));
        assert_eq!(normalize("138+12345678", false), Err(PhoneError::InvalidCharacters));
    }

    #[test]
    fn foreign_numbers_follow_the_setting() {
        assert_eq!(normalize("+1 415 555 0100", false), Err(PhoneError::ForeignNotAllowed));
        assert_eq!(normalize("+1 415 555 0100", true).map(|p| p.0), Ok("+14155550100".into()));
        assert_eq!(normalize("00852 9123 4567", true).map(|p| p.0), Ok("+85291234567".into()));
    }

    #[test]
    fn masks_for_promoters() {
        let p = normalize("13812345678", false).unwrap();
        assert_eq!(p.masked(), "138****5678");
        assert_eq!(p.national(), "13812345678");
        assert_eq!(mask("123"), "***");
    }

    proptest! {
        #[test]
        fn any_valid_mobile_in_any_spelling_normalizes(second in 3u8..=9, rest in "[0-9]{9}", form in 0usize..6) {
            let n = format!("1{second}{rest}");
            let typed = match form {
                0 => n.clone(),
                1 => format!("{} {} {}", &n[..3], &n[3..7], &n[7..]),
                2 => format!("+86{n}"),
                3 => format!("0086 {n}"),
                4 => format!("86{n}"),
                _ => n.chars().map(|c| char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap()).collect(),
            };
            prop_assert_eq!(normalize(&typed, false).map(|p| p.0), Ok(format!("+86{n}")));
        }

        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = normalize(&s, true);
        }
    }
}
