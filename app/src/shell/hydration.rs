//! How a page starts its wasm. Every page is served whole, so its wasm is not preloaded with
//! it: on a phone's connection a preloaded wasm competes with the page's own content for the
//! bandwidth (Lighthouse, slow 4G: a staff page's largest paint at 3.9 s with the preloads,
//! against 0.8 s for the same HTML without them). A page fetches its wasm once it has loaded,
//! and the router then fetches the page's chunk before hydrating it. A prospect's pages work
//! without JavaScript, so they do not wait for it at all: the landing page (its referral form
//! posts without a script) fetches its wasm only when the prospect starts using the page (a
//! focus, touch or key), for the phone check as they leave the field; most visitors from a
//! shared link only look, and download none of it. The thank-you page has nothing to run.
use leptos::prelude::*;

/// When a page's wasm starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Once the page has loaded.
    AfterLoad,
    /// At the first focus, touch or key press.
    FirstInput,
    /// Never: the page is complete as served.
    Never,
}

impl Start {
    pub fn of(path: &str) -> Start {
        match path.trim_end_matches('/').strip_prefix("/c/").map(|rest| rest.split_once('/')) {
            Some(None) => Start::FirstInput,
            Some(Some((_, "thanks"))) => Start::Never,
            _ => Start::AfterLoad,
        }
    }

    /// What `<body data-hydrate>` says, so that a test knows not to wait for hydration.
    pub fn body_marker(self) -> Option<&'static str> {
        match self {
            Start::AfterLoad => None,
            Start::FirstInput => Some("on-input"),
            Start::Never => Some("never"),
        }
    }
}

/// The start of this request's page (SSR); the browser never renders the document's head.
pub fn this_page() -> Start {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>().map(|p| Start::of(p.uri.path())).unwrap_or(Start::AfterLoad)
    }
    #[cfg(not(feature = "ssr"))]
    {
        Start::AfterLoad
    }
}

#[component]
pub fn Hydration(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let (js, wasm) = crate::plumbing::built::script_names(&options);
        let nonce = leptos::nonce::use_nonce();
        let pkg = &options.site_pkg_dir;
        // What Leptos' own hydration script does, started later.
        let go = format!(
            "const go = () => import('/{pkg}/{js}').then((m) => m.default({{ module_or_path: '/{pkg}/{wasm}' }}).then(() => m.hydrate()));"
        );
        let when = match this_page() {
            Start::AfterLoad => "document.readyState === 'complete' ? go() : addEventListener('load', go);",
            Start::FirstInput => {
                "const events = ['focusin', 'pointerdown', 'keydown'];\
                 const first = () => { events.forEach((e) => removeEventListener(e, first, true)); go(); };\
                 events.forEach((e) => addEventListener(e, first, { capture: true, passive: true }));"
            }
            Start::Never => return ().into_any(),
        };
        let script = format!("{go}{when}");
        view! { <script type="module" nonce=nonce>{script}</script> }.into_any()
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = options;
        ().into_any()
    }
}

#[cfg(test)]
mod tests {
    use super::Start;

    #[test]
    fn a_prospects_pages_do_not_wait_for_the_wasm() {
        for p in ["/c/winter-home", "/c/winter-home/"] {
            assert_eq!(Start::of(p), Start::FirstInput, "{p}");
        }
        assert_eq!(Start::of("/c/winter-home/thanks"), Start::Never);
        for p in ["/", "/me", "/dashboard", "/redeem", "/campaigns", "/c/", "/c/winter-home/lead"] {
            assert_eq!(Start::of(p), Start::AfterLoad, "{p}");
        }
    }
}
