//! How a page starts its wasm. A prospect's pages (a campaign's landing and thank-you pages,
//! code redemption) work without JavaScript: their wasm is fetched only once the page has
//! loaded and the browser is idle, with no preload competing with the page's own content on a
//! slow phone (Lighthouse counts a preload that ends before the largest paint as needed for
//! it). Every other page preloads its wasm and its route's chunks (`HydrationScripts`).
use leptos::prelude::*;

/// The pages a prospect opens from a shared link.
pub fn prospect_page(path: &str) -> bool {
    path.starts_with("/c/") || path == "/redeem"
}

#[component]
pub fn Hydration(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let path = use_context::<axum::http::request::Parts>().map(|p| p.uri.path().to_string()).unwrap_or_default();
        if prospect_page(&path) {
            let (js, wasm) = crate::plumbing::built::script_names(&options);
            let nonce = leptos::nonce::use_nonce();
            let pkg = &options.site_pkg_dir;
            // What Leptos' own hydration script does, started when the page is idle.
            let script = format!(
                "const go = () => import('/{pkg}/{js}').then((m) => m.default({{ module_or_path: '/{pkg}/{wasm}' }}).then(() => m.hydrate()));\
                 const idle = () => ('requestIdleCallback' in window ? requestIdleCallback(go, {{ timeout: 2000 }}) : setTimeout(go, 0));\
                 document.readyState === 'complete' ? idle() : addEventListener('load', idle);"
            );
            return view! { <script type="module" nonce=nonce>{script}</script> }.into_any();
        }
    }
    view! { <HydrationScripts options /> }.into_any()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_prospects_pages_are_the_landing_thank_you_and_redemption_pages() {
        for p in ["/c/winter-home", "/c/winter-home/thanks", "/redeem"] {
            assert!(super::prospect_page(p), "{p}");
        }
        for p in ["/", "/me", "/dashboard", "/campaigns", "/content", "/redeemed"] {
            assert!(!super::prospect_page(p), "{p}");
        }
    }
}
