//! The built assets: `/pkg/` served as files (never through the app's 404 page), and the split
//! build's preload manifest repaired at start.
//!
//! cargo-leptos 0.3.8 with `hash-files` renames the chunks inside
//! `__wasm_split_manifest.<hash>.json` by prefix: `chunk_24` becomes `chunk_24.<hash>` inside
//! `chunk_245` too, so a page's preload links name files that do not exist (cargo-leptos#680,
//! fixed in releases that need a newer rustc than ours). The loader itself names them right.
//! Each name is mapped back to the file it meant before the first page is rendered.
use axum::Router;
use leptos::config::LeptosOptions;
use std::collections::HashMap;
use std::path::Path;

/// `/pkg/…` straight from the site directory, precompressed where built so.
pub fn routes<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    Router::new().route_service(
        &leptos_axum::site_pkg_dir_service_route_path(options),
        leptos_axum::site_pkg_dir_service(options),
    )
}

/// A hash as cargo-leptos writes it: MD5 in unpadded base64url.
const HASH_LEN: usize = 22;

/// The name a chunk had before hashing: every inserted `.<hash>` taken out.
fn unhashed(name: &str) -> String {
    let mut s = name.to_string();
    while let Some(dot) = s.find('.') {
        let end = (dot + 1 + HASH_LEN).min(s.len());
        s.replace_range(dot..end, "");
    }
    s
}

/// The manifest with each name that is not a built file replaced by the one it meant;
/// `files`: the built wasm files' names without `.wasm`. Answers None when nothing changes.
fn repaired(manifest: &str, files: &[String]) -> Result<Option<String>, serde_json::Error> {
    let mut splits: serde_json::Map<String, serde_json::Value> = serde_json::from_str(manifest)?;
    let by_base: HashMap<String, &String> = files.iter().map(|f| (unhashed(f), f)).collect();
    let mut changed = false;
    for chunks in splits.values_mut() {
        let Some(chunks) = chunks.as_array_mut() else { continue };
        for chunk in chunks.iter_mut() {
            let Some(name) = chunk.as_str() else { continue };
            if files.iter().any(|f| f == name) {
                continue;
            }
            if let Some(file) = by_base.get(&unhashed(name)) {
                *chunk = serde_json::Value::String((*file).clone());
                changed = true;
            }
        }
    }
    Ok(changed.then(|| serde_json::Value::Object(splits).to_string()))
}

/// Repairs the split manifest named in the hash file beside the binary, if any. A site
/// directory that cannot be written keeps the broken preloads (the pages still work).
pub fn repair_split_manifest(options: &LeptosOptions) {
    let Some(hash) = app::plumbing::built::hash(options, "manifest") else { return };
    let pkg = Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let path = pkg.join(format!("__wasm_split_manifest.{hash}.json"));
    let Ok(manifest) = std::fs::read_to_string(&path) else { return };
    let files: Vec<String> = std::fs::read_dir(&pkg)
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter_map(|n| n.strip_suffix(".wasm").map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let fixed = match repaired(&manifest, &files) {
        Ok(Some(fixed)) => fixed,
        Ok(None) => return,
        Err(e) => return tracing::warn!(error = %e, path = %path.display(), "unreadable split manifest"),
    };
    // Written whole and renamed, so that a second instance starting now reads one or the other.
    let tmp = path.with_extension(format!("json.{}", std::process::id()));
    if let Err(e) = std::fs::write(&tmp, fixed).and_then(|_| std::fs::rename(&tmp, &path)) {
        let _ = std::fs::remove_file(&tmp);
        tracing::warn!(error = %e, path = %path.display(), "could not repair the split manifest: preloads will miss");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_renamed_by_a_shorter_chunks_prefix_is_found_again() {
        let h = |c: char| c.to_string().repeat(HASH_LEN);
        let files = vec![
            format!("chunk_24.{}", h('a')),
            format!("chunk_245.{}", h('b')),
            format!("chunk_240.{}", h('c')),
            format!("chunk_26.{}", h('a')),
            format!("split___leads_view_1.{}", h('d')),
        ];
        // As cargo-leptos 0.3.8 writes them: chunk_24's hash inserted into chunk_245's name,
        // with or without chunk_245's own hash after it.
        let manifest = serde_json::json!({
            "__leads_view_1": [
                format!("chunk_24.{}", h('a')),
                format!("chunk_24.{}5.{}", h('a'), h('b')),
                format!("chunk_24.{}0", h('a')),
                format!("split___leads_view_1.{}", h('d')),
            ],
            "__other": [format!("chunk_26.{}", h('a'))],
        })
        .to_string();
        let fixed: serde_json::Value = serde_json::from_str(&repaired(&manifest, &files).unwrap().unwrap()).unwrap();
        assert_eq!(fixed["__leads_view_1"], serde_json::json!([files[0], files[1], files[2], files[4]]),);
        assert_eq!(fixed["__other"], serde_json::json!([files[3]]));
        // A manifest that names only built files is left alone.
        assert_eq!(repaired(&fixed.to_string(), &files).unwrap(), None);
    }
}
