//! Content compliance (PRODUCT.md §5): nothing is published while its text contains a word
//! of the advertising-law extreme-word list (广告法极限词) or the sensitive-word list. Both
//! lists are data marketing edits; these are the seeds. A third list holds allowed phrases
//! (最近, 第一次 …): a hit that lies wholly inside one is no hit, since plain substring
//! matching is wrong for Chinese (最 would flag 最近).
use serde::{Deserialize, Serialize};

crate::closed_set! {
    /// The list a compliance word is on.
    pub enum WordKind("word list") {
        /// 广告法极限词: absolute claims the Advertising Law (Art. 9) forbids.
        Extreme = "extreme",
        /// 敏感词: words no promotion may carry.
        Sensitive = "sensitive",
        /// 允许短语: everyday phrases that contain a listed word and mask it.
        Allowed = "allowed",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Word {
    pub word: String,
    pub kind: WordKind,
}

/// One offending word and where it is: the place (a field of what is being published) and
/// the character offset in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    pub place: String,
    pub word: String,
    pub kind: WordKind,
    /// Characters from the start of the text.
    pub at: i64,
}

/// Lower case, full-width folded: `ＮＯ．１` and `No.1` both match `no.1`.
fn key(s: &str) -> Vec<char> {
    crate::shared::text::fold_width(s).to_lowercase().chars().collect()
}

/// Every occurrence of a listed word in each text. Where listed words overlap at one
/// position (最 and 最好), the longest is named, and the scan goes on after it. A hit that
/// lies wholly inside an allowed phrase (最 in 最近) is not one; one that reaches past it
/// (最后一波 past 最后) still is.
pub fn check(texts: &[(&str, &str)], words: &[Word]) -> Vec<Hit> {
    let keyed = |allowed: bool| -> Vec<(Vec<char>, &Word)> {
        let mut list: Vec<(Vec<char>, &Word)> = words
            .iter()
            .filter(|w| (w.kind == WordKind::Allowed) == allowed)
            .map(|w| (key(&w.word), w))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        list.sort_by_key(|w| std::cmp::Reverse(w.0.len()));
        list
    };
    let (list, allowed) = (keyed(false), keyed(true));
    let mut hits = Vec::new();
    for (place, text) in texts {
        let chars = key(text);
        // Which characters an allowed phrase covers.
        let mut covered = vec![false; chars.len()];
        for (k, _) in &allowed {
            for start in 0..chars.len() {
                if chars[start..].starts_with(k) {
                    covered[start..start + k.len()].iter_mut().for_each(|c| *c = true);
                }
            }
        }
        let mut i = 0;
        while i < chars.len() {
            match list.iter().find(|(k, _)| chars[i..].starts_with(k)) {
                Some((k, w)) => {
                    if !covered[i..i + k.len()].iter().all(|c| *c) {
                        hits.push(Hit { place: place.to_string(), word: w.word.clone(), kind: w.kind, at: i as i64 });
                    }
                    i += k.len();
                }
                None => i += 1,
            }
        }
    }
    hits
}

/// Extreme words of the Advertising Law, grouped as the market-regulation guidance groups
/// them. At least the product's "最" and "第一".
pub const EXTREME_WORDS: &[&str] = &[
    // 最
    "最",
    "最佳",
    "最具",
    "最爱",
    "最赚",
    "最优",
    "最优秀",
    "最好",
    "最大",
    "最大程度",
    "最高",
    "最高级",
    "最高端",
    "最奢侈",
    "最低",
    "最低级",
    "最低价",
    "最底",
    "最便宜",
    "最流行",
    "最受欢迎",
    "最时尚",
    "最舒适",
    "最先",
    "最先进",
    "最先享受",
    "最后一波",
    "最新",
    "最新科技",
    "最新科学",
    "最专业",
    "最权威",
    "最安全",
    "最实惠",
    // 一
    "第一",
    "中国第一",
    "全网第一",
    "销量第一",
    "排名第一",
    "全国第一",
    "行业第一",
    "第一品牌",
    "唯一",
    "独一无二",
    "NO.1",
    "TOP1",
    "TOP.1",
    "一流",
    "仅此一次",
    "全国X大品牌之一",
    // 级 / 极
    "国家级",
    "国家级产品",
    "全球级",
    "宇宙级",
    "世界级",
    "顶级",
    "顶尖",
    "尖端",
    "顶级工艺",
    "顶级享受",
    "极品",
    "极佳",
    "绝佳",
    "绝对",
    "终极",
    "极致",
    "超级",
    // 首 / 家 / 国
    "首个",
    "首选",
    "独家",
    "独家配方",
    "首发",
    "全网首发",
    "全国首发",
    "首家",
    "全网独家",
    "全国独家",
    "首次",
    "首款",
    "全国销量冠军",
    "国家领导人推荐",
    "填补国内空白",
    "国际品质",
    "世界领先",
    "遥遥领先",
    "领导者",
    "缔造者",
    "领先上市",
    "领袖品牌",
    "创领品牌",
    // 品牌 / 地位
    "大牌",
    "金牌",
    "名牌",
    "王牌",
    "至尊",
    "巅峰",
    "奢侈",
    "之王",
    "王者",
    "冠军",
    "掌门人",
    "巨星",
    "著名",
    // 虚假 / 绝对化
    "史无前例",
    "前无古人",
    "绝无仅有",
    "永久",
    "万能",
    "祖传",
    "特效",
    "无敌",
    "纯天然",
    "100%",
    "百分之百",
    "零风险",
    "无副作用",
    "药到病除",
    "包过",
    "稳赚",
    "保本",
    "保值增值",
    // 权威背书
    "老字号",
    "中国驰名商标",
    "特供",
    "专供",
    "国家机关推荐",
    "质量免检",
    "免检",
    "免抽检",
    // 诱导 / 时限
    "点击领奖",
    "恭喜获奖",
    "全民免单",
    "点击有惊喜",
    "领取奖品",
    "秒杀",
    "抢爆",
    "再不抢就没了",
    "不会更便宜了",
    "错过就没机会了",
    "万人疯抢",
    "全民疯抢",
    "随时结束",
    "随时涨价",
    "马上降价",
];

/// Sensitive words no promotion may carry (gambling, fraud, illegal finance, vulgarity).
pub const SENSITIVE_WORDS: &[&str] = &[
    "赌博",
    "博彩",
    "六合彩",
    "时时彩",
    "代开发票",
    "发票代开",
    "套现",
    "刷单",
    "传销",
    "拉人头",
    "非法集资",
    "高额返利",
    "高息",
    "裸贷",
    "办证",
    "假证",
    "枪支",
    "迷药",
    "色情",
    "约炮",
    "代孕",
    "黑客",
    "外挂",
    "洗钱",
];

/// Everyday phrases that contain a listed word and are not claims (PRODUCT.md §5).
pub const ALLOWED_PHRASES: &[&str] =
    &["最近", "最后", "最后一天", "最终", "最初", "最少", "第一次", "第一步", "第一天", "第一时间", "唯一的联系方式"];

/// The seeded lists as words.
pub fn seed_words() -> Vec<Word> {
    let of = |list: &[&str], kind: WordKind| {
        list.iter().map(move |w| Word { word: w.to_string(), kind }).collect::<Vec<_>>()
    };
    [
        of(EXTREME_WORDS, WordKind::Extreme),
        of(SENSITIVE_WORDS, WordKind::Sensitive),
        of(ALLOWED_PHRASES, WordKind::Allowed),
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_seeded_list_is_real() {
        assert!(EXTREME_WORDS.len() >= 100, "{}", EXTREME_WORDS.len());
        assert!(EXTREME_WORDS.contains(&"最") && EXTREME_WORDS.contains(&"第一"));
        let mut all: Vec<&str> = EXTREME_WORDS.iter().chain(SENSITIVE_WORDS).chain(ALLOWED_PHRASES).copied().collect();
        all.sort();
        let n = all.len();
        all.dedup();
        assert_eq!(all.len(), n, "no word listed twice");
    }

    #[test]
    fn names_each_word_and_where_it_is() {
        let words = seed_words();
        let hits = check(
            &[("name", "冬季家装节"), ("landing_copy", "全城最低价，销量第一！"), ("selling_points", "第一次免费量房")],
            &words,
        );
        let named: Vec<(&str, &str, i64)> = hits.iter().map(|h| (h.place.as_str(), h.word.as_str(), h.at)).collect();
        assert_eq!(
            named,
            [("landing_copy", "最低价", 2), ("landing_copy", "销量第一", 6)],
            "第一次 is an allowed phrase"
        );
        assert!(check(&[("landing_copy", "免费上门量房，报价透明")], &words).is_empty());
    }

    #[test]
    fn bare_zui_and_case_and_width_variants_are_caught() {
        let words = seed_words();
        assert_eq!(check(&[("x", "最")], &words)[0].word, "最");
        assert_eq!(check(&[("x", "品质 no.1")], &words)[0].word, "NO.1");
        assert_eq!(check(&[("x", "品质ＮＯ．１")], &words)[0].word, "NO.1");
        let hit = &check(&[("x", "拒绝赌博")], &words)[0];
        assert_eq!((hit.word.as_str(), hit.kind), ("赌博", WordKind::Sensitive));
    }

    #[test]
    fn an_allowed_phrase_masks_a_hit_inside_it_only() {
        let words = seed_words();
        assert!(check(&[("x", "最近上新，第一次到店免费量房，活动最后一天")], &words).is_empty());
        assert_eq!(check(&[("x", "最后一波")], &words)[0].word, "最后一波", "reaches past 最后");
        assert_eq!(check(&[("x", "最近最好")], &words)[0].word, "最好");
        // Without the allow list the bare word still blocks.
        let bare: Vec<Word> = words.iter().filter(|w| w.kind != WordKind::Allowed).cloned().collect();
        assert_eq!(check(&[("x", "最近")], &bare)[0].word, "最");
    }

    proptest! {
        /// Any text with a listed word inserted is caught at that word.
        #[test]
        fn an_inserted_word_is_always_found(prefix in "[a-z，。 ]{0,12}", suffix in "[a-z，。 ]{0,12}", i in 0usize..EXTREME_WORDS.len()) {
            let word = EXTREME_WORDS[i];
            let text = format!("{prefix}{word}{suffix}");
            let hits = check(&[("x", &text)], &seed_words());
            prop_assert!(hits.iter().any(|h| h.at <= prefix.chars().count() as i64));
        }
    }
}
