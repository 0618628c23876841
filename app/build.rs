// `sqlx::migrate!` embeds the migrations when the crate compiles: a new migration must
// rebuild it even when no source file changed.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
