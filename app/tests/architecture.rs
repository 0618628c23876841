//! The shape of the code, checked: layers and the chain of features (docs/ARCHITECTURE.md),
//! the size of files, and the migrations of the two engines kept in step.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The features in the order of the flow; each may use those before it, never one after.
const CHAIN: [&str; 9] =
    ["campaigns", "promotion", "leads", "deals", "rewards", "settlement", "dashboard", "scorecards", "admin"];

/// Where a module sits.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    Shared,
    Plumbing,
    Feature(usize),
    Shell,
    /// The crate root (`lib.rs`) and the `features` list itself.
    Root,
}

impl Place {
    fn of(module: &[String]) -> Place {
        match module.first().map(String::as_str) {
            // The macros are exported at the crate root by the layer that defines them.
            Some("shared" | "closed_set") => Place::Shared,
            Some("plumbing" | "messages" | "fields") => Place::Plumbing,
            Some("shell") => Place::Shell,
            Some("features") => match module.get(1) {
                Some(f) => Place::Feature(CHAIN.iter().position(|c| c == f).unwrap_or_else(|| {
                    panic!("features::{f} is not in the chain: add it to CHAIN and docs/ARCHITECTURE.md")
                })),
                None => Place::Root,
            },
            _ => Place::Root,
        }
    }

    /// Whether code here may use code there.
    fn may_use(&self, there: &Place) -> bool {
        use Place::*;
        match (self, there) {
            (Root | Shell, _) => true,
            (_, Root | Shell) => false,
            (Shared, other) => *other == Shared,
            (Plumbing, other) => matches!(other, Shared | Plumbing),
            (Feature(_), Shared | Plumbing) => true,
            (Feature(mine), Feature(theirs)) => theirs <= mine,
        }
    }

    fn name(&self) -> String {
        match self {
            Place::Feature(i) => format!("features::{}", CHAIN[*i]),
            other => format!("{other:?}").to_lowercase(),
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a source file: `features/leads/store/intake.rs` → features, leads,
/// store, intake; a `mod.rs` is its folder.
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).expect("under src");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// The code without comments: what a file says in prose does not tie it to anything.
fn code(text: &str) -> String {
    text.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// Every module path a file names: `crate::a::b…`, `crate::a::{b, c}`, `super::…` (resolved
/// from the module the line is in, inline `mod x { … }` blocks included).
fn named_modules(module: &[String], code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut inline: Vec<(String, i64)> = Vec::new();
    let mut depth = 0i64;
    for line in code.lines() {
        let trimmed = line.trim_start().trim_start_matches("pub ");
        let here: Vec<String> = module.iter().cloned().chain(inline.iter().map(|(m, _)| m.clone())).collect();
        for (at, _) in line.match_indices(['c', 's']) {
            let prev = line[..at].chars().last().unwrap_or(' ');
            if prev.is_alphanumeric() || prev == '_' || prev == ':' || prev == '$' {
                continue;
            }
            let rest = &line[at..];
            let (mut base, mut path) = if let Some(p) = rest.strip_prefix("crate::") {
                (Vec::new(), p)
            } else if rest.starts_with("super::") {
                let (mut base, mut p) = (here.clone(), rest);
                while let Some(next) = p.strip_prefix("super::") {
                    base.pop();
                    p = next;
                }
                (base, p)
            } else {
                continue;
            };
            let segments = idents(path);
            path = &path[segments.iter().map(|s| s.len() + 2).sum::<usize>().saturating_sub(2)..];
            base.extend(segments);
            // `{a, b::c}` after the path: each a path of its own.
            match path.strip_prefix("::{").or_else(|| path.strip_prefix('{')) {
                Some(group) => {
                    let end = group.find('}').unwrap_or(group.len());
                    for item in group[..end].split(',').filter(|i| !i.trim().is_empty()) {
                        out.push(base.iter().cloned().chain(idents(item.trim())).collect());
                    }
                }
                None => out.push(base),
            }
        }
        if let Some(name) = trimmed.strip_prefix("mod ").and_then(|r| r.strip_suffix('{')) {
            inline.push((name.trim().to_string(), depth + 1));
        }
        depth += line.matches('{').count() as i64 - line.matches('}').count() as i64;
        while inline.last().is_some_and(|(_, d)| depth < *d) {
            inline.pop();
        }
    }
    out
}

/// The leading `a::b::c` segments of a path.
fn idents(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    loop {
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        out.push(rest[..end].to_string());
        match rest[end..].strip_prefix("::") {
            Some(r) if r.starts_with(|c: char| c.is_alphanumeric() || c == '_') => rest = r,
            _ => break,
        }
    }
    out
}

/// Imports against the layers or the chain, as `file: names module`.
fn violations(files: &[(Vec<String>, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (module, text) in files {
        let here = Place::of(module);
        for named in named_modules(module, &code(text)) {
            let there = Place::of(&named);
            if !here.may_use(&there) {
                out.push(format!(
                    "{} ({}) names {} ({})",
                    module.join("::"),
                    here.name(),
                    named.join("::"),
                    there.name()
                ));
            }
        }
    }
    out
}

fn sources() -> Vec<(Vec<String>, String)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    files.iter().map(|f| (module_of(f), std::fs::read_to_string(f).expect("read"))).collect()
}

#[test]
fn features_depend_one_way_and_the_shared_layers_name_none() {
    let found = violations(&sources());
    assert!(found.is_empty(), "imports against docs/ARCHITECTURE.md:\n{}", found.join("\n"));
}

#[test]
fn a_wrong_import_is_caught() {
    let m = |p: &str| p.split("::").map(String::from).collect::<Vec<_>>();
    let wrong = [
        (m("features::leads::store::intake"), "use crate::features::dashboard::Figures;".to_string()),
        (m("features::campaigns::model"), "use crate::features::{promotion, leads};".to_string()),
        (m("features::deals::store::deals"), "let x = super::super::super::settlement::run();".to_string()),
        (m("plumbing::state"), "pub caches: crate::features::promotion::Part,".to_string()),
        (m("shared::money"), "use crate::plumbing::errors::AppError;".to_string()),
        (m("features::admin::people"), "use crate::shell::NAV;".to_string()),
    ];
    for (module, text) in wrong {
        let module_name = module.join("::");
        assert_eq!(
            violations(&[(module, text.clone())]).len(),
            1 + usize::from(text.contains('{')),
            "{module_name}: {text}"
        );
    }
    let right = [
        (m("features::dashboard::store::figures"), "use crate::features::leads::LeadStatus; use super::heroes;"),
        (m("shell"), "use crate::features::{admin, campaigns};"),
        (m("features::leads::store::review"), "// see crate::features::dashboard for the figures"),
    ];
    for (module, text) in right {
        assert!(violations(&[(module, text.to_string())]).is_empty(), "{text}");
    }
}

/// No source file over 600 lines, tests aside.
#[test]
fn no_file_is_too_long() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["app/src", "server/src", "frontend/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    let long: Vec<String> = files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n != "tests.rs"))
        .filter_map(|f| {
            let text = std::fs::read_to_string(f).ok()?;
            let lines = text.lines().take_while(|l| !l.starts_with("#[cfg(test)]")).count();
            (lines > 600).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these by job: {long:?}");
}

/// The two engines' migrations are the same, statement by statement, but for the syntax of
/// identity columns and of binary data, and for what follows a `-- engine-specific` line
/// (triggers, which the engines spell differently).
#[test]
fn the_migration_trees_differ_only_in_identity_syntax() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let list = |engine: &str| -> BTreeMap<String, String> {
        std::fs::read_dir(root.join(engine))
            .expect("migrations")
            .flatten()
            .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).expect("read")))
            .collect()
    };
    let (sqlite, postgres) = (list("sqlite"), list("postgres"));
    assert_eq!(sqlite.keys().collect::<Vec<_>>(), postgres.keys().collect::<Vec<_>>(), "the same migrations");
    let common = |text: &str| -> String {
        text.lines().take_while(|l| !l.starts_with("-- engine-specific")).map(|l| format!("{l}\n")).collect()
    };
    for (name, text) in &sqlite {
        assert_eq!(
            text.contains("\n-- engine-specific"),
            postgres[name].contains("\n-- engine-specific"),
            "{name}: both engines or neither have an engine-specific part"
        );
        let as_postgres = common(text)
            .replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
            .replace(" BLOB", " BYTEA");
        let theirs = &common(&postgres[name]);
        for (i, (a, b)) in as_postgres.lines().zip(theirs.lines()).enumerate() {
            assert_eq!(a, b, "{name} line {}: the engines drifted apart", i + 1);
        }
        assert_eq!(as_postgres.lines().count(), theirs.lines().count(), "{name}: the engines drifted apart");
    }
}

/// Every write goes through the writer's turn (`Db::begin_write`): statements that change data
/// run on a transaction (or a connection handed down from one), and only `plumbing::db` begins
/// transactions. On SQLite a write beside the turn would wait in SQLite's busy handler.
#[test]
fn every_write_takes_the_writers_turn() {
    let mut found = Vec::new();
    for (module, text) in sources() {
        let code = code(&text);
        if module.join("::") != "plumbing::db" && (code.contains(".begin()") || code.contains(".begin_with(")) {
            found.push(format!("{}: begins a transaction of its own", module.join("::")));
        }
        for verb in ["\"INSERT ", "\"UPDATE ", "\"DELETE "] {
            for (at, _) in code.match_indices(verb) {
                let rest = &code[at..];
                let call = ["execute(", "fetch_one(", "fetch_optional(", "fetch_all("]
                    .iter()
                    .filter_map(|c| rest.find(c).map(|i| (i, c.len())))
                    .min()
                    .map(|(i, len)| rest[i + len..].split(')').next().unwrap_or_default().to_string())
                    .unwrap_or_default();
                if !(call.contains("tx") || call.contains("conn")) {
                    found.push(format!("{}: {} on `{call}`", module.join("::"), verb.trim_matches('"')));
                }
            }
        }
    }
    assert!(found.is_empty(), "writes beside the writer's turn:\n{}", found.join("\n"));
}
