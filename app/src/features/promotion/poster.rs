//! The share poster (推广海报), drawn in the browser on a 750×1334 canvas: campaign title,
//! product and selling points, the promoter's name and the QR code of their link (`?ch=poster`).
//! Shown as an image a phone user long-presses to save (the WeChat habit), with a download
//! button for desktops; saving counts as a share.
use super::model::{PromoCard, ShareKind};
use crate::features::promotion::i18n::K;
use crate::plumbing::i18n::use_i18n;
use crate::shared::closed_set::Sent;
use leptos::prelude::*;

/// Counts a share of the promoter's own link: `poster` (saved) or `link` (copied).
#[server(endpoint = "record_share")]
pub async fn record_share(code: String, kind: Sent<ShareKind>) -> Result<(), crate::plumbing::errors::AppError> {
    use crate::plumbing::serve::*;
    let cx = authorize(Access::Promoters).await?;
    let kind = kind.known(|| AppError::unknown(super::Field::ShareKind))?;
    super::store::links::record_share(&cx.state, &cx.user, &code, kind).await
}

pub const WIDTH: u32 = 750;
pub const HEIGHT: u32 = 1334;

/// Characters that may not start a line in Chinese typesetting (避头标点).
const NO_LINE_START: &str = "，。、；：！？）》」』”’…%,.;:!?)";

/// Breaks `text` into lines no wider than `max` by `width`, CJK-style: any character may
/// end a line, except that closing punctuation stays with the character before it.
pub fn wrap(text: &str, max: f64, width: impl Fn(&str) -> f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for ch in text.chars() {
        let mut candidate = line.clone();
        candidate.push(ch);
        if !line.is_empty() && width(&candidate) > max && !NO_LINE_START.contains(ch) {
            lines.push(std::mem::take(&mut line));
            line.push(ch);
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Draws the poster and returns it as a PNG data URL.
fn draw(
    card: &PromoCard,
    artwork: Option<&web_sys::HtmlImageElement>,
    scan_hint: &str,
    referred_by: &str,
) -> Result<String, wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let canvas: web_sys::HtmlCanvasElement = document().create_element("canvas")?.dyn_into()?;
    canvas.set_width(WIDTH);
    canvas.set_height(HEIGHT);
    let ctx: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d")?.ok_or_else(|| wasm_bindgen::JsValue::from_str("no 2d context"))?.dyn_into()?;
    let (w, h) = (WIDTH as f64, HEIGHT as f64);
    ctx.set_fill_style_str("#b0362a");
    ctx.fill_rect(0.0, 0.0, w, h);
    ctx.set_fill_style_str("#c8473a");
    ctx.fill_rect(0.0, 0.0, w, 520.0);
    if let Some(img) = artwork.filter(|i| i.natural_width() > 0 && i.natural_height() > 0) {
        // Cover the top band, cropped to its shape, darkened so the white title reads.
        let (iw, ih) = (img.natural_width() as f64, img.natural_height() as f64);
        let band = w / 520.0;
        let (sw, sh) = if iw / ih > band { (ih * band, ih) } else { (iw, iw / band) };
        ctx.draw_image_with_html_image_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
            img,
            (iw - sw) / 2.0,
            (ih - sh) / 2.0,
            sw,
            sh,
            0.0,
            0.0,
            w,
            520.0,
        )?;
        ctx.set_fill_style_str("rgba(0, 0, 0, 0.35)");
        ctx.fill_rect(0.0, 0.0, w, 520.0);
    }
    let font = |px: u32, bold: bool| {
        format!(
            "{}{px}px \"WenQuanYi Micro Hei\", \"PingFang SC\", \"Microsoft YaHei\", sans-serif",
            if bold { "bold " } else { "" }
        )
    };
    let measure = |ctx: &web_sys::CanvasRenderingContext2d| {
        let ctx = ctx.clone();
        move |s: &str| ctx.measure_text(s).map(|m| m.width()).unwrap_or(0.0)
    };
    let mut y = 150.0;
    ctx.set_fill_style_str("#ffffff");
    ctx.set_font(&font(64, true));
    for line in wrap(&card.campaign_name, w - 120.0, measure(&ctx)) {
        ctx.fill_text(&line, 60.0, y)?;
        y += 84.0;
    }
    ctx.set_font(&font(36, false));
    ctx.set_fill_style_str("#ffe7c2");
    for line in wrap(&card.product, w - 120.0, measure(&ctx)) {
        ctx.fill_text(&line, 60.0, y)?;
        y += 52.0;
    }
    y += 30.0;
    ctx.set_fill_style_str("#ffffff");
    ctx.set_font(&font(36, false));
    for point in card.selling_points.iter().take(5) {
        let mut first = true;
        for line in wrap(point, w - 170.0, measure(&ctx)) {
            if first {
                ctx.fill_text("✓", 60.0, y)?;
                first = false;
            }
            ctx.fill_text(&line, 110.0, y)?;
            y += 54.0;
        }
        y += 10.0;
    }
    // The card at the bottom: QR code left, who recommends it right.
    let (top, card_h) = (h - 430.0, 370.0);
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(40.0, top, w - 80.0, card_h);
    let modules = &card.qr_modules;
    let n = modules.len() as f64;
    if n > 0.0 {
        let quiet = 4.0;
        let scale = (310.0 / (n + 2.0 * quiet)).floor();
        let (qx, qy) = (70.0 + quiet * scale, top + 30.0 + quiet * scale);
        ctx.set_fill_style_str("#000000");
        for (r, row) in modules.iter().enumerate() {
            for (c, m) in row.chars().enumerate() {
                if m == '1' {
                    ctx.fill_rect(qx + c as f64 * scale, qy + r as f64 * scale, scale, scale);
                }
            }
        }
    }
    let tx = 400.0;
    ctx.set_fill_style_str("#333333");
    ctx.set_font(&font(30, false));
    ctx.fill_text(referred_by, tx, top + 110.0)?;
    ctx.set_font(&font(44, true));
    let mut ny = top + 170.0;
    for line in wrap(&card.promoter_name, w - tx - 60.0, measure(&ctx)) {
        ctx.fill_text(&line, tx, ny)?;
        ny += 56.0;
    }
    ctx.set_fill_style_str("#b0362a");
    ctx.set_font(&font(30, false));
    for line in wrap(scan_hint, w - tx - 60.0, measure(&ctx)) {
        ctx.fill_text(&line, tx, ny + 30.0)?;
        ny += 42.0;
    }
    canvas.to_data_url_with_type("image/png")
}

#[component]
pub fn Poster(card: PromoCard) -> impl IntoView {
    let i18n = use_i18n();
    let image = RwSignal::new(None::<String>);
    let wanted = RwSignal::new(false);
    let share = ServerAction::<RecordShare>::new();
    let code = card.code.clone();
    let count_share = move || {
        share.dispatch(RecordShare { code: code.clone(), kind: ShareKind::Poster.into() });
    };
    let card = StoredValue::new(card);
    // Drawn in the browser only, once asked for (canvas is a browser API); with artwork,
    // once it has loaded (same origin, so the canvas stays exportable).
    Effect::new(move |_| {
        if !wanted.get() || image.get_untracked().is_some() {
            return;
        }
        let locale = i18n.locale();
        let render = move |artwork: Option<&web_sys::HtmlImageElement>| {
            let drawn =
                card.with_value(|c| draw(c, artwork, K::PosterScanHint.text(locale), K::PosterReferredBy.text(locale)));
            match drawn {
                Ok(url) => image.set(Some(url)),
                Err(e) => leptos::logging::error!("poster: {e:?}"),
            }
        };
        let artwork_url = card.with_value(|c| c.artwork_url.clone());
        match (artwork_url, web_sys::HtmlImageElement::new()) {
            (Some(src), Ok(img)) => {
                use wasm_bindgen::JsCast;
                let loaded = img.clone();
                let on_load = wasm_bindgen::closure::Closure::once_into_js(move || render(Some(&loaded)));
                // A picture that fails to load still leaves a poster.
                let on_error = wasm_bindgen::closure::Closure::once_into_js(move || render(None));
                img.set_onload(Some(on_load.unchecked_ref()));
                img.set_onerror(Some(on_error.unchecked_ref()));
                img.set_src(&src);
            }
            _ => render(None),
        }
    });
    let file_name = card.with_value(|c| format!("poster-{}.png", c.code));
    view! {
        <div class="poster">
            {move || match image.get() {
                None => view! {
                    <button type="button" class="button" data-testid="make-poster" on:click=move |_| wanted.set(true)>
                        {i18n.t(K::MakePoster)}
                    </button>
                }.into_any(),
                Some(src) => {
                    let count = count_share.clone();
                    let count2 = count_share.clone();
                    view! {
                        <p class="muted">{i18n.t(K::PosterLongPress)}</p>
                        // A long-press opens the context menu on phones: that is the save.
                        <img src=src.clone() alt=i18n.t(K::MakePoster) width="375" height="667" data-testid="poster-img"
                            on:contextmenu=move |_| count() />
                        <a class="button" href=src download=file_name.clone() data-testid="download-poster"
                            on:click=move |_| count2()>{i18n.t(K::DownloadPoster)}</a>
                    }.into_any()
                }
            }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character 1 unit wide: lines of at most `max` characters.
    fn chars(s: &str) -> f64 {
        s.chars().count() as f64
    }

    #[test]
    fn cjk_text_wraps_anywhere_but_before_closing_punctuation() {
        assert_eq!(wrap("冬季焕新家装节", 3.0, chars), ["冬季焕", "新家装", "节"]);
        // "，" may not start a line: it stays with 装 even though that line is one too wide.
        assert_eq!(wrap("全屋整装，十年质保", 4.0, chars), ["全屋整装，", "十年质保"]);
        assert_eq!(wrap("", 4.0, chars), Vec::<String>::new());
        let long = "一".repeat(100);
        assert!(wrap(&long, 7.0, chars).iter().all(|l| chars(l) <= 7.0));
    }
}
