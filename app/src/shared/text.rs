//! Free-text input rules (PRODUCT.md §5): trimmed, bounded, no control characters.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextError {
    Required,
    TooLong { max: i64 },
    ControlCharacters,
}

/// A cell a spreadsheet (Excel, WPS) would run as a formula — it starts with `=`, `+`, `-`,
/// `@`, a tab or a carriage return — gets a leading `'` so that it shows as text. Plain
/// numbers (`-12.50`, `-¥1,200.00`, `-3%`) stay as they are.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = {
        let body = cell.trim_start_matches(['-', '+']).trim_start_matches('¥').trim_end_matches('%');
        !body.is_empty()
            && body.chars().any(|c| c.is_ascii_digit())
            && body.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    };
    if risky && !number {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Folds full-width ASCII forms (U+FF01–U+FF5E, e.g. `１３８`, `＋`, `（`) and the ideographic
/// space to their ASCII equivalents, and Unicode dashes to `-`: what NFKC does to the characters
/// people type into numbers on Chinese keyboards, without shipping the Unicode tables to the
/// browser.
pub fn fold_width(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' => '-',
            _ => c,
        })
        .collect()
}

/// Trims and checks a text field; `min_chars` 0 makes it optional.
pub fn clean(input: &str, min_chars: usize, max_chars: usize) -> Result<String, TextError> {
    let trimmed = input.trim();
    if trimmed.chars().count() < min_chars || (min_chars > 0 && trimmed.is_empty()) {
        return Err(TextError::Required);
    }
    if trimmed.chars().count() > max_chars {
        return Err(TextError::TooLong { max: max_chars as i64 });
    }
    // Newlines are fine in multi-line notes; other control characters are not.
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(TextError::ControlCharacters);
    }
    Ok(trimmed.to_string())
}

/// A person's name: 1–50 characters, single line.
pub fn person_name(input: &str) -> Result<String, TextError> {
    let name = clean(input, 1, 50)?;
    if name.chars().any(char::is_control) {
        return Err(TextError::ControlCharacters);
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formula_cells_are_defused_and_numbers_kept() {
        for (cell, shown) in [
            ("=1+1", "'=1+1"),
            ("+86 138", "'+86 138"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
            ("\t=1", "'\t=1"),
            ("run #3", "run #3"),
            ("-12.50", "-12.50"),
            ("-¥1,200.00", "-¥1,200.00"),
            ("-3%", "-3%"),
            ("-", "'-"),
        ] {
            assert_eq!(spreadsheet_safe(cell), shown, "{cell:?}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(person_name("  张三 "), Ok("张三".into()));
        assert_eq!(person_name("   "), Err(TextError::Required));
        assert_eq!(person_name(&"王".repeat(50)).map(|s| s.chars().count()), Ok(50));
        assert_eq!(person_name(&"王".repeat(51)), Err(TextError::TooLong { max: 50 }));
        assert_eq!(person_name("a\u{0007}b"), Err(TextError::ControlCharacters));
        assert_eq!(person_name("a\nb"), Err(TextError::ControlCharacters));
    }

    #[test]
    fn folds_full_width_forms_like_nfkc() {
        assert_eq!(fold_width("＋８６ （１３８）１２３４－５６７８"), "+86 (138)1234-5678");
        assert_eq!(fold_width("１３８\u{3000}１２３４"), "138 1234");
        assert_eq!(fold_width("138—1234"), "138-1234");
        assert_eq!(fold_width("张三 abc"), "张三 abc");
    }

    #[test]
    fn notes_may_span_lines() {
        assert_eq!(clean("line 1\nline 2", 0, 500), Ok("line 1\nline 2".into()));
        assert_eq!(clean("", 0, 500), Ok(String::new()));
    }

    proptest! {
        #[test]
        fn accepted_names_respect_the_rules(s in "\\PC{0,60}") {
            if let Ok(n) = person_name(&s) {
                prop_assert!((1..=50).contains(&n.chars().count()));
                prop_assert_eq!(n.trim(), n.as_str());
            }
        }
    }
}
