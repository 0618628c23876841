//! The API reference page: the OpenAPI document rendered as one HTML page by the server itself
//! (no script, no CDN): every operation with its scopes, parameters, body and answers, then
//! every schema with its fields.
use serde_json::Value;
use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A schema in a few words: `Deal`, `array of Deal`, `integer (int64)`, `string, one of a | b`.
fn type_of(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("<a href=\"#schema-{0}\">{0}</a>", esc(name));
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = schema.get(combinator).and_then(Value::as_array) {
            return parts.iter().map(type_of).collect::<Vec<_>>().join(" | ");
        }
    }
    let kind = match schema.get("type") {
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" or "),
        Some(Value::String(k)) => k.clone(),
        _ => "any".into(),
    };
    let mut out = esc(&kind);
    if kind.starts_with("array") {
        if let Some(items) = schema.get("items") {
            out = format!("array of {}", type_of(items));
        }
    }
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        let _ = write!(out, " ({})", esc(format));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values.iter().map(|v| format!("<code>{}</code>", esc(&v.to_string()))).collect();
        let _ = write!(out, ", one of {}", values.join(" | "));
    }
    out
}

/// A description: escaped, with `code` spans as code.
fn text(v: &Value, key: &str) -> String {
    let escaped = esc(v.get(key).and_then(Value::as_str).unwrap_or(""));
    let parts: Vec<&str> = escaped.split('`').collect();
    if parts.len().is_multiple_of(2) {
        // An unmatched backtick: shown as written.
        return escaped;
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| if i % 2 == 1 { format!("<code>{p}</code>") } else { p.to_string() })
        .collect()
}

fn operation(out: &mut String, path: &str, method: &str, op: &Value) {
    let id = format!("{method}-{}", path.replace(['/', '{', '}'], "-"));
    let _ = write!(
        out,
        "<section class=\"op\" id=\"{id}\"><h3><span class=\"method {method}\">{}</span> <code>{}</code></h3><p><strong>{}</strong></p><p>{}</p>",
        method.to_uppercase(),
        esc(path),
        text(op, "summary"),
        text(op, "description").replace("\n\n", "</p><p>")
    );
    let scopes: Vec<String> = op
        .get("security")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("api_key").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .map(|s| format!("<code>{}</code>", esc(s)))
        .collect();
    if !scopes.is_empty() {
        let _ = write!(out, "<p>Scopes: {}</p>", scopes.join(" + "));
    }
    if let Some(params) = op.get("parameters").and_then(Value::as_array) {
        out.push_str("<table><tr><th>Parameter</th><th>In</th><th>Type</th><th>Description</th></tr>");
        for p in params {
            let required = if p.get("required").and_then(Value::as_bool) == Some(true) { " *" } else { "" };
            let _ = write!(
                out,
                "<tr><td><code>{}</code>{required}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                text(p, "name"),
                text(p, "in"),
                p.get("schema").map(type_of).unwrap_or_default(),
                text(p, "description")
            );
        }
        out.push_str("</table>");
    }
    if let Some(body) = op.pointer("/requestBody/content/application~1json/schema") {
        let _ = write!(out, "<p>Body (JSON): {}</p>", type_of(body));
    }
    out.push_str("<table><tr><th>Status</th><th>Answer</th><th>Description</th></tr>");
    for (status, r) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
        let schema = r
            .get("content")
            .and_then(Value::as_object)
            .and_then(|c| c.values().next())
            .and_then(|c| c.get("schema"))
            .map(type_of)
            .unwrap_or_default();
        let _ = write!(out, "<tr><td>{}</td><td>{schema}</td><td>{}</td></tr>", esc(status), text(r, "description"));
    }
    out.push_str("</table></section>");
}

fn schema(out: &mut String, name: &str, s: &Value) {
    let _ = write!(
        out,
        "<section class=\"schema\" id=\"schema-{0}\"><h3>{0}</h3><p>{1}</p>",
        esc(name),
        text(s, "description")
    );
    let required: Vec<&str> =
        s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        out.push_str("<table><tr><th>Field</th><th>Type</th><th>Description</th></tr>");
        for (field, p) in props {
            let mark = if required.contains(&field.as_str()) { " *" } else { "" };
            let _ = write!(
                out,
                "<tr><td><code>{}</code>{mark}</td><td>{}</td><td>{}</td></tr>",
                esc(field),
                type_of(p),
                text(p, "description")
            );
        }
        out.push_str("</table>");
    } else {
        let _ = write!(out, "<p>{}</p>", type_of(s));
    }
    out.push_str("</section>");
}

/// The page for an OpenAPI document (as JSON).
pub fn page(doc: &Value) -> String {
    let mut out = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Allhands API reference</title><style>\
         body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1f2933}\
         code{font-family:ui-monospace,monospace;background:#f0f3f7;padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}\
         table{border-collapse:collapse;width:100%;margin:.5rem 0;display:block;overflow-x:auto}\
         th,td{border-bottom:1px solid #d9e0e8;padding:.3rem .5rem;text-align:left;vertical-align:top}\
         .op,.schema{border-top:2px solid #d9e0e8;margin-top:1.5rem}\
         .method{display:inline-block;border-radius:4px;padding:0 .4em;color:#fff;background:#2563eb;font-size:.85em}\
         .method.post{background:#15803d}nav a{margin-right:1rem}</style></head><body>",
    );
    let _ = write!(
        out,
        "<h1>{} <small>v{}</small></h1><p>{}</p><p><a href=\"/api/v1/openapi.json\">openapi.json</a> (OpenAPI {})</p>",
        esc(doc.pointer("/info/title").and_then(Value::as_str).unwrap_or("API")),
        esc(doc.pointer("/info/version").and_then(Value::as_str).unwrap_or("")),
        doc.get("info").map(|i| text(i, "description")).unwrap_or_default(),
        esc(doc.get("openapi").and_then(Value::as_str).unwrap_or(""))
    );
    out.push_str("<h2>Operations</h2><nav>");
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for (method, _) in item.as_object().into_iter().flatten() {
            let id = format!("{method}-{}", path.replace(['/', '{', '}'], "-"));
            let _ = write!(out, "<a href=\"#{id}\">{} {}</a> ", method.to_uppercase(), esc(path));
        }
    }
    out.push_str("</nav>");
    for (path, item) in paths.into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            operation(&mut out, path, method, op);
        }
    }
    out.push_str("<h2>Schemas</h2>");
    for (name, s) in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten() {
        schema(&mut out, name, s);
    }
    out.push_str("</body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_lists_operations_and_schemas_escaped() {
        let doc = serde_json::json!({
            "openapi": "3.1.0", "info": {"title": "T", "version": "1"},
            "paths": {"/api/v1/x": {"post": {"summary": "Push <x>", "security": [{"api_key": ["deals:write"]}],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/X"}}}},
                "responses": {"200": {"description": "ok"}}}}},
            "components": {"schemas": {"X": {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer", "format": "int64"}}}}}
        });
        let html = page(&doc);
        assert!(html.contains("Push &lt;x&gt;") && !html.contains("Push <x>"));
        assert!(html.contains("<code>deals:write</code>"));
        assert!(html.contains("href=\"#schema-X\"") && html.contains("id=\"schema-X\""));
        assert!(html.contains("<code>a</code> *") && html.contains("integer (int64)"));
        let described = page(&serde_json::json!({"info": {"title": "T", "description": "Send `Idempotency-Key` <x>"}}));
        assert!(described.contains("Send <code>Idempotency-Key</code> &lt;x&gt;"));
    }
}
