//! The built assets' names: cargo-leptos (`hash-files`) writes each one's content hash to a file
//! beside the server binary (`js: …`, `wasm: …`, `css: …`, `manifest: …`, `split: …`), which
//! Leptos reads to name them in pages; so do we.
use leptos::config::LeptosOptions;
use std::path::PathBuf;
use std::sync::OnceLock;

/// Where the hash file is: beside the running binary.
pub fn hash_file(options: &LeptosOptions) -> Option<PathBuf> {
    Some(std::env::current_exe().ok()?.parent()?.join(options.hash_file.as_ref()))
}

/// The hash written for `kind`, when the build hashes its files.
pub fn hash(options: &LeptosOptions, kind: &str) -> Option<String> {
    static HASHES: OnceLock<String> = OnceLock::new();
    if !options.hash_files {
        return None;
    }
    let hashes =
        HASHES.get_or_init(|| hash_file(options).and_then(|f| std::fs::read_to_string(f).ok()).unwrap_or_default());
    hashes.lines().find_map(|l| l.trim().strip_prefix(kind)?.strip_prefix(':').map(|h| h.trim().to_string()))
}

/// The browser's JS and wasm file names, as `HydrationScripts` names them.
pub fn script_names(options: &LeptosOptions) -> (String, String) {
    let name = &options.output_name;
    let suffix = |kind: &str| hash(options, kind).map(|h| format!(".{h}")).unwrap_or_default();
    // Without hashes, a build that did not name its output at compile time has wasm-bindgen's name.
    let bg = if !options.hash_files && option_env!("LEPTOS_OUTPUT_NAME").is_none() { "_bg" } else { "" };
    (format!("{name}{}.js", suffix("js")), format!("{name}{}{bg}.wasm", suffix("wasm")))
}
