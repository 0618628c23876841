//! The live figures in the browser: an open dashboard follows `/live/figures` for its slice and
//! shows each version the server pushes (the whole first, then patches of it), so that events
//! update it without each dashboard asking the server to compute its figures again.
use super::model::Dashboard;
use super::patch::{apply, Pushed};
use leptos::prelude::*;

/// Follows the live figures at the URL `url` gives (again when it changes); `on_figures` gets
/// each version, with the URL it came from. Returns whether the stream is connected.
pub fn live_figures(
    url: impl Fn() -> String + Send + Sync + 'static,
    on_figures: impl Fn(&str, Dashboard) + Clone + 'static,
) -> ReadSignal<bool> {
    let (connected, set_connected) = signal(false);
    Effect::new(move |_| {
        use wasm_bindgen::prelude::*;
        let url = url();
        let Ok(source) = web_sys::EventSource::new(&url) else { return };
        let current = std::rc::Rc::new(std::cell::RefCell::new(None::<Dashboard>));
        let on_figures = on_figures.clone();
        let message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |m: web_sys::MessageEvent| {
            set_connected.set(true);
            let Some(text) = m.data().as_string() else { return };
            let Ok(pushed) = serde_json::from_str::<Pushed>(&text) else { return };
            let mut current = current.borrow_mut();
            match (pushed.full, pushed.patch) {
                (Some(full), _) => *current = Some(full),
                (None, Some(patch)) => match current.as_mut() {
                    Some(d) => apply(d, &patch),
                    None => return,
                },
                _ => return,
            }
            if let Some(d) = current.as_ref() {
                on_figures(&url, d.clone());
            }
        });
        source.set_onmessage(Some(message.as_ref().unchecked_ref()));
        message.forget();
        let open = Closure::<dyn Fn()>::new(move || set_connected.set(true));
        source.set_onopen(Some(open.as_ref().unchecked_ref()));
        open.forget();
        let error = Closure::<dyn Fn()>::new(move || set_connected.set(false));
        source.set_onerror(Some(error.as_ref().unchecked_ref()));
        error.forget();
        let source = send_wrapper::SendWrapper::new(source);
        on_cleanup(move || source.close());
    });
    connected
}
