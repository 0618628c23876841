//! The live stream in the browser: dashboards reload their figures when `/live` reports events.
use leptos::prelude::*;

/// Subscribes to the live stream in the browser; `on_event` runs (throttled) after events.
/// Returns whether the stream is connected.
pub fn live_updates(on_event: impl Fn() + Clone + 'static) -> ReadSignal<bool> {
    let (connected, set_connected) = signal(false);
    Effect::new(move |_| {
        use wasm_bindgen::prelude::*;
        let Ok(source) = web_sys::EventSource::new("/live") else { return };
        let pending = std::rc::Rc::new(std::cell::Cell::new(false));
        let on_event = on_event.clone();
        let message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_: web_sys::MessageEvent| {
            set_connected.set(true);
            if pending.replace(true) {
                return;
            }
            let pending = pending.clone();
            let on_event = on_event.clone();
            // Events in a burst become one reload.
            set_timeout(
                move || {
                    pending.set(false);
                    on_event();
                },
                std::time::Duration::from_millis(300),
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
