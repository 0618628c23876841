//! The i18n core: every user-facing string is a key with a zh-CN and an en text, so a key
//! without both translations does not compile. Each feature declares its own keys with
//! [`messages!`](crate::messages); the words every screen shares are [`C`]. zh-CN is the
//! default; the choice persists in the `lang` cookie, read on the server for SSR and in the
//! browser for hydration, so both render the same language.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

pub const LANG_COOKIE: &str = "lang";

impl Locale {
    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "zh-CN" | "zh" | "zh-cn" => Some(Locale::ZhCn),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// The locale named by a `Cookie:` header value, zh-CN when absent.
    pub fn from_cookie_header(header: &str) -> Self {
        header
            .split(';')
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == LANG_COOKIE)
            .and_then(|(_, v)| Locale::from_code(v))
            .unwrap_or_default()
    }

    pub fn other(self) -> Self {
        match self {
            Locale::ZhCn => Locale::En,
            Locale::En => Locale::ZhCn,
        }
    }
}

/// A message template with its `{name}` placeholders filled in (the SMS / WeCom texts).
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The language messages to people outside the app (SMS, WeCom) are written in: the
/// organization's, Chinese first.
pub const MESSAGE_LOCALE: Locale = Locale::ZhCn;

/// A translation key of any feature.
pub trait Text: Copy + Send + Sync + 'static {
    fn text(self, locale: Locale) -> &'static str;
}

/// A key of any set, for helpers that take keys of several (a feature's own and [`C`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words {
    zh: &'static str,
    en: &'static str,
}

impl Words {
    pub fn of(key: impl Text) -> Self {
        Words { zh: key.text(Locale::ZhCn), en: key.text(Locale::En) }
    }
}

impl Text for Words {
    fn text(self, locale: Locale) -> &'static str {
        match locale {
            Locale::ZhCn => self.zh,
            Locale::En => self.en,
        }
    }
}

/// Declares a set of translation keys: `Key => "中文", "English";`.
#[macro_export]
macro_rules! messages {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($key:ident => $zh:literal, $en:literal;)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name { $($key),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$key),*];

            pub fn text(self, locale: $crate::plumbing::i18n::Locale) -> &'static str {
                match locale {
                    $crate::plumbing::i18n::Locale::ZhCn => match self { $($name::$key => $zh),* },
                    $crate::plumbing::i18n::Locale::En => match self { $($name::$key => $en),* },
                }
            }
        }

        impl From<$name> for $crate::plumbing::i18n::Words {
            fn from(key: $name) -> Self {
                $crate::plumbing::i18n::Words::of(key)
            }
        }

        impl $crate::plumbing::i18n::Text for $name {
            fn text(self, locale: $crate::plumbing::i18n::Locale) -> &'static str {
                $name::text(self, locale)
            }
        }

        #[cfg(test)]
        #[test]
        fn every_key_has_text_in_both_languages() {
            for k in $name::ALL {
                assert!(!k.text($crate::plumbing::i18n::Locale::ZhCn).is_empty(), "{k:?} zh");
                assert!(!k.text($crate::plumbing::i18n::Locale::En).is_empty(), "{k:?} en");
            }
        }
    };
}

/// The current locale, provided by `App`.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Locale>);

pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n(RwSignal::new(Locale::default())))
}

impl I18n {
    pub fn locale(&self) -> Locale {
        self.0.get()
    }

    /// A reactive text for views: `{i18n.t(C::SignIn)}`.
    pub fn t<T: Text>(self, key: T) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || key.text(self.0.get())
    }
}

crate::messages! {
    /// The words every screen shares: app name, common actions, error and problem messages,
    /// roles, field labels several features use.
    pub enum C {
        SignIn => "登录", "Sign in";
        PasswordLabel => "密码", "Password";
        Product => "产品", "Product";
        NameLabel => "姓名", "Name";
        PhoneLabel => "手机号", "Phone";
        ColCampaign => "活动", "Campaign";
        ColPromoter => "推荐人", "Referrer";
        ColStatus => "状态", "Status";
        StatusPending => "待审核", "Pending review";
        StatusHeld => "待人工复核", "Held for review";
        StatusValid => "有效", "Valid";
        StatusInvalid => "无效", "Invalid";
        StatusDuplicate => "重复", "Duplicate";
        DepartmentLabel => "部门", "Department";
        Create => "创建", "Create";
        Created => "已创建", "Created";
        RoleAdmin => "管理员", "Admin";
        RoleMarketing => "市场运营", "Marketing";
        RoleSales => "销售", "Sales";
        RoleFinance => "财务", "Finance";
        RoleEmployee => "员工", "Employee";
        RoleCustomer => "老客", "Customer";
        RolePartner => "合作伙伴", "Partner";
        NotFoundTitle => "页面不存在", "Page not found";
        NotFoundBody => "链接可能已失效或输入有误。", "The link may have expired or been mistyped.";
        LinkNotFoundTitle => "推广链接无效", "This promotion link is not valid";
        LinkNotFoundBody => "请向分享给你的人确认链接是否完整。", "Please check with the person who shared it that the link is complete.";
        BackHome => "返回首页", "Back to home";
        Loading => "加载中…", "Loading…";
        SelectedLeads => "批量处理选中的线索", "Apply to the selected leads";
        Add => "加入", "Add";
        Remove => "移除", "Remove";
        ErrUnauthenticated => "请先登录", "Please sign in";
        ErrForbidden => "没有权限执行此操作", "You are not allowed to do this";
        ErrNotFound => "找不到该内容", "Not found";
        ErrBadCredentials => "登录名或密码错误", "Wrong sign-in name or password";
        ErrTooManyAttempts => "尝试次数过多，请稍后再试（秒）：", "Too many attempts, try again in seconds: ";
        ErrUnavailable => "系统繁忙，未做任何更改，请稍后再试。", "The server is busy; nothing was changed. Please try again shortly.";
        ErrTooFast => "提交过于频繁，请稍后再试（秒）：", "Too many submissions, please try again in seconds: ";
        ErrCrossOrigin => "请求来源不被允许", "Requests from another site are not allowed";
        ErrInternal => "服务暂时不可用，请稍后再试", "Something went wrong on our side, please try again";
        ErrTransport => "网络异常，请检查网络后重试", "Network problem, please check your connection and retry";
        ErrConflict => "已被占用", "is already taken";
        ErrRecordedDifferently => "与已记录的内容不一致", "Differs from what is recorded";
        IdempotencyKeyLabel => "幂等键（Idempotency-Key）", "Idempotency-Key";
        ProblemIdempotencyReused => "已用于另一个请求", "was used for another request";
        ProblemIdempotencyInFlight => "对应的请求仍在处理中，请稍后重试", "belongs to a request still being processed; retry shortly";
        ProblemRequired => "不能为空", "is required";
        ProblemTooLong => "过长，最多字符数：", "is too long, maximum characters: ";
        ProblemTooShort => "过短，最少字符数：", "is too short, minimum characters: ";
        ProblemControl => "包含不可见的控制字符", "contains invisible control characters";
        ProblemPhoneInvalidChars => "只能包含数字、空格、+、- 和括号", "may only contain digits, spaces, +, - and brackets";
        ProblemPhoneNotMobile => "不是有效的手机号（11 位，以 13–19 开头）", "is not a valid mobile number (11 digits starting 13–19)";
        ProblemPhoneForeign => "暂不支持境外号码", "foreign numbers are not accepted";
        ProblemEmail => "不是有效的邮箱地址", "is not a valid email address";
        ProblemUnknownChoice => "包含无效选项", "contains an option that does not exist";
        ProblemOutOfRange => "须为整数，范围：", "must be a whole number from ";
        ProblemDate => "请按 YYYY-MM-DD 填写日期，每行一个", "must be dates written YYYY-MM-DD, one per line";
        ProblemNotWonLead => "不是已成交的线索", "is not a won lead";
        ProblemNotYourLead => "不是分配给你的线索", "is not a lead assigned to you";
        ProblemNotValidLead => "只有有效线索可以分配", "only valid leads can be assigned";
        Save => "保存", "Save";
        Saved => "已保存", "Saved";
        StatClicks => "本月点击", "Clicks this month";
        StatShares => "本月分享", "Shares this month";
        ProblemFileTooLarge => "过大，最大：", "is too large, at most ";
        ProblemMoney => "不是有效的金额（元，最多两位小数）", "is not a valid amount (yuan, up to two decimals)";
        ProblemMoneyDecimals => "最多两位小数", "takes at most two decimals";
        ProblemNotPositive => "必须大于 0", "must be more than zero";
        ProblemUnknownCode => "推荐码不存在", "is not a known referral code";
        ProblemWrongCode => "验证码不正确", "is not the code we sent";
        ProblemOwnCode => "不能使用自己的推荐码", "is the code's owner's own phone";
        ErrCodeExpired => "验证码已失效，请重新获取", "That code has expired; ask for a new one";
        SmsPhoneCode => "【{org}】您的验证码是 {code}，10分钟内有效，请勿告诉他人。", "[{org}] Your code is {code}, valid for 10 minutes. Do not share it.";
        OtpLabel => "短信验证码", "Code from the text message";
        ErrFrozen => "结算批次已审批，不能再修改；更正将在下一期以调整行计入", "This settlement run is approved and frozen; corrections go into the next period as adjustment lines";
        ReferralCodeLabel => "推荐码", "Referral code";
        PeriodLabel => "结算期间", "Period";
        ProblemFileType => "只支持 PNG、JPEG、WebP 图片", "must be a PNG, JPEG or WebP image";
        Upload => "上传", "Upload";
        ContentTitle => "素材库", "Content library";
        ContentEmpty => "暂无素材。", "No items yet.";
        StartsOnLabel => "开始日期", "First day";
        ProblemEndsBeforeStart => "不能早于开始日期", "cannot be before the first day";
        ErrNoncompliant => "包含违规词，不能发布：", "Cannot publish, listed words found: ";
        Import => "导入", "Import";
        RewardPending => "待确认", "Pending";
        RewardVested => "已确认待结算", "Vested";
        RewardPaid => "已发放", "Paid";
        EditCampaign => "编辑", "Edit";
        All => "全部", "All";
        Apply => "查询", "Apply";
        ErrBadRequest => "请求格式有误，请刷新页面后重试", "The request could not be read; reload the page and try again";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_selects_the_locale() {
        assert_eq!(Locale::from_cookie_header(""), Locale::ZhCn);
        assert_eq!(Locale::from_cookie_header("a=b; lang=en"), Locale::En);
        assert_eq!(Locale::from_cookie_header("lang=zh-CN"), Locale::ZhCn);
        assert_eq!(Locale::from_cookie_header("lang=xx"), Locale::ZhCn);
    }
}
