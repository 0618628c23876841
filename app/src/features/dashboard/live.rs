//! The live stream in the browser: dashboards reload their figures when `/live` reports events.
use leptos::prelude::*;

/// At most one reload of the figures this often while events keep coming.
const RELOAD_MS: f64 = 150.0;

/// Subscribes to the live stream in the browser; `on_event` runs (throttled) after events.
/// Returns whether the stream is connected.
pub fn live_updates(on_event: impl Fn() + Clone + 'static) -> ReadSignal<bool> {
    let (connected, set_connected) = signal(false);
    Effect::new(move |_| {
        use wasm_bindgen::prelude::*;
        let Ok(source) = web_sys::EventSource::new("/live") else { return };
        let pending = std::rc::Rc::new(std::cell::Cell::new(false));
        let last = std::rc::Rc::new(std::cell::Cell::new(f64::MIN));
        let on_event = on_event.clone();
        let message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_: web_sys::MessageEvent| {
            set_connected.set(true);
            if pending.replace(true) {
                return;
            }
            let (pending, last, on_event) = (pending.clone(), last.clone(), on_event.clone());
            // The first event after a quiet spell reloads at once; a burst reloads at most every
            // RELOAD_MS (the server computes each reload once for every open dashboard).
            let wait = (last.get() + RELOAD_MS - js_sys::Date::now()).clamp(0.0, RELOAD_MS);
            set_timeout(
                move || {
                    pending.set(false);
                    last.set(js_sys::Date::now());
                    on_event();
                },
                std::time::Duration::from_millis(wait as u64),
            );
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
