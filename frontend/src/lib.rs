//! The browser entry point: hydrates the server-rendered page. Lazily: a staff page's code is
//! a chunk of the split wasm, loaded before its page hydrates.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
