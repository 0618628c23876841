//! Where a promoter's money goes (收款账户): a bank card, a WeChat or an Alipay account,
//! entered on their phone, shown masked, changed only after re-entering the password; every
//! change is in the audit log. Finance's payout files carry it.
use super::model::{Field, PayoutAccountView, PayoutMethod};
use crate::features::settlement::i18n::K;
use crate::plumbing::errors::{AppError, FieldError, Problem};
use crate::plumbing::i18n::{use_i18n, C};
use crate::plumbing::ui::{resource, show_result, ErrorNote};
use crate::shared::closed_set::Sent;
use crate::shared::text;
use leptos::prelude::*;

/// An account as typed, checked: the holder's name, the account without spaces, the bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub holder: String,
    pub account: String,
    pub bank: String,
}

/// Checks an account for its method; every problem names its field.
pub fn check(method: PayoutMethod, holder: &str, account: &str, bank: &str) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let holder = text::person_name(holder).map_err(|e| errors.push(FieldError::new(Field::Holder, e))).ok();
    let account: String = text::fold_width(account).chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    let ok = match method {
        // Chinese bank cards are 16 to 19 digits (a few older ones 12 to 15).
        PayoutMethod::Bank => (12..=19).contains(&account.len()) && account.chars().all(|c| c.is_ascii_digit()),
        // A WeChat ID: 6 to 20 letters, digits, - or _, starting with a letter; or a phone.
        PayoutMethod::Wechat => {
            let id = (6..=20).contains(&account.len())
                && account.starts_with(|c: char| c.is_ascii_alphabetic())
                && account.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            id || crate::shared::phone::normalize(&account, false).is_ok()
        }
        // An Alipay account: the phone or email it was opened with.
        PayoutMethod::Alipay => {
            crate::shared::phone::normalize(&account, false).is_ok()
                || (account.len() <= 254
                    && account.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.')))
        }
    };
    if account.is_empty() {
        errors.push(FieldError::new(Field::Account, text::TextError::Required));
    } else if !ok {
        errors.push(FieldError::new(Field::Account, Problem::said(method.problem())));
    }
    let bank = match (method, text::clean(bank, 0, 50)) {
        (PayoutMethod::Bank, Ok(b)) if b.is_empty() => {
            errors.push(FieldError::new(Field::Bank, text::TextError::Required));
            None
        }
        (_, Ok(b)) => Some(if method == PayoutMethod::Bank { b } else { String::new() }),
        (_, Err(e)) => {
            errors.push(FieldError::new(Field::Bank, e));
            None
        }
    };
    match (holder, bank) {
        (Some(holder), Some(bank)) if errors.is_empty() => Ok(Checked { holder, account, bank }),
        _ => Err(errors),
    }
}

/// All but the last four characters hidden: `**** **** **** 1234`, `ab****yz`.
pub fn masked(method: PayoutMethod, account: &str) -> String {
    let chars: Vec<char> = account.chars().collect();
    match method {
        PayoutMethod::Bank if chars.len() > 4 => {
            format!("**** {}", chars[chars.len() - 4..].iter().collect::<String>())
        }
        _ if chars.len() > 4 => {
            let head: String = chars[..2].iter().collect();
            let tail: String = chars[chars.len() - 2..].iter().collect();
            format!("{head}****{tail}")
        }
        _ => "*".repeat(chars.len()),
    }
}

#[server(endpoint = "my_payout_account")]
pub async fn my_payout_account() -> Result<PayoutAccountView, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Promoters).await?;
    super::store::payout_account::view(&cx.state.db.pool, cx.user.id).await
}

/// Sets the account after checking the password again.
#[server(endpoint = "save_payout_account")]
pub async fn save_payout_account(
    method: Sent<PayoutMethod>,
    holder: String,
    account: String,
    #[server(default)] bank: String,
    password: String,
) -> Result<PayoutAccountView, AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Promoters).await?;
    let method = method.known(|| AppError::unknown(Field::Method))?;
    let checked = check(method, &holder, &account, &bank).map_err(AppError::Invalid)?;
    super::store::payout_account::save(&cx.state.db, &cx.actor(), cx.user.id, &password, method, &checked).await
}

#[component]
pub fn PayoutAccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SavePayoutAccount>::new();
    let current = resource(move || save.version().get(), |_| my_payout_account());
    let method = RwSignal::new(PayoutMethod::Bank);
    view! {
        <h1>{i18n.t(K::PayoutAccountTitle)}</h1>
        <section class="card">
            <Suspense fallback=move || view! { <p>{i18n.t(C::Loading)}</p> }>
                {move || Suspend::new(async move {
                    show_result(current.await, |v: PayoutAccountView| match v.method {
                        Some(m) => view! {
                            <p data-testid="payout-account">
                                {i18n.t(m.label())}" · "{v.holder}" · "<code>{v.account_masked}</code>
                                {(!v.bank.is_empty()).then(|| view! { " · "{v.bank.clone()} })}
                            </p>
                        }.into_any(),
                        None => view! { <p class="muted" data-testid="payout-account-missing">{i18n.t(K::PayoutAccountMissing)}</p> }.into_any(),
                    })
                })}
            </Suspense>
            <ActionForm action=save attr:class="form" attr:data-testid="payout-form">
                <label>
                    <span>{i18n.t(K::PayoutMethodLabel)}</span>
                    <select name="method" data-testid="payout-method" on:change=move |ev| {
                        if let Some(m) = PayoutMethod::parse(&event_target_value(&ev)) { method.set(m) }
                    }>
                        {PayoutMethod::ALL.iter().map(|m| view! { <option value=m.as_str()>{i18n.t(m.label())}</option> }).collect_view()}
                    </select>
                </label>
                <label><span>{i18n.t(K::HolderLabel)}</span><input type="text" name="holder" maxlength="50" autocomplete="name" data-testid="payout-holder" /></label>
                <label><span>{i18n.t(K::AccountLabel)}</span><input type="text" name="account" maxlength="254" inputmode=move || if method.get() == PayoutMethod::Bank { "numeric" } else { "text" } autocomplete="off" data-testid="payout-number" /></label>
                <label style:display=move || if method.get() == PayoutMethod::Bank { "" } else { "none" }>
                    <span>{i18n.t(K::BankLabel)}</span><input type="text" name="bank" maxlength="50" placeholder="招商银行 上海分行" data-testid="payout-bank" />
                </label>
                <label><span>{i18n.t(K::ConfirmPasswordLabel)}</span><input type="password" name="password" maxlength="128" autocomplete="current-password" required data-testid="payout-password" /></label>
                {move || save.value().get().map(|r| match r {
                    Ok(_) => view! { <p class="ok" data-testid="payout-saved">{i18n.t(K::PayoutSaved)}</p> }.into_any(),
                    Err(error) => view! { <ErrorNote error /> }.into_any(),
                })}
                <button type="submit" class="button primary" data-testid="payout-save">{i18n.t(C::Save)}</button>
            </ActionForm>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_checked_for_their_method() {
        let ok = check(PayoutMethod::Bank, "张伟", "6222 0212 3456 7890 123", "工商银行").unwrap();
        assert_eq!(ok.account, "6222021234567890123");
        assert!(check(PayoutMethod::Bank, "张伟", "6222-0212-3456", "").is_err(), "a card needs its bank");
        let e = check(PayoutMethod::Bank, "", "12ab", "工商银行").unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(fields, ["holder", "account"]);
        assert!(check(PayoutMethod::Wechat, "张伟", "zhangwei_88", "").is_ok());
        assert!(check(PayoutMethod::Wechat, "张伟", "13800000005", "").is_ok());
        assert!(check(PayoutMethod::Wechat, "张伟", "8zhang", "").is_err());
        assert!(check(PayoutMethod::Alipay, "张伟", "zw@example.cn", "").is_ok());
        assert!(check(PayoutMethod::Alipay, "张伟", "zhangwei", "").is_err());
        assert_eq!(check(PayoutMethod::Alipay, "张伟", "a@b.cn", "ignored").unwrap().bank, "");
    }

    #[test]
    fn masks_keep_the_last_four() {
        assert_eq!(masked(PayoutMethod::Bank, "6222021234567890123"), "**** 0123");
        assert_eq!(masked(PayoutMethod::Alipay, "13800000005"), "13****05");
        assert_eq!(masked(PayoutMethod::Wechat, "abc"), "***");
    }
}
