use tracing_subscriber::EnvFilter;

fn main() {
    server::return_large_buffers_to_the_os();
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(serve()),
        Err(e) => {
            eprintln!("could not start the async runtime: {e}");
            std::process::exit(1);
        }
    }
}

async fn serve() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // Structured logs: JSON lines unless ALLHANDS_LOG=pretty.
    if std::env::var("ALLHANDS_LOG").as_deref() == Ok("pretty") {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().json().with_env_filter(filter).init();
    }
    let mut config = server::config::from_env();
    let options = server::config::leptos_options();
    let addr = options.site_addr;
    config.secure_cookies = server::config::secure_cookies_for(addr);
    let mut build = server::Build {
        lead_burst_per_minute: server::config::lead_burst_per_minute(),
        demo_activity: server::config::demo_activity(),
        scheduled_drafts: server::config::scheduled_drafts(),
        ..server::Build::new(options)
    };
    server::config::request_limits(&mut build);
    let (router, state) = match server::build_with(config, build).await {
        Ok(built) => built,
        Err(e) => {
            tracing::error!(error = %e, "could not start");
            std::process::exit(1);
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = %e, %addr, "could not listen");
            std::process::exit(1);
        }
    };
    tracing::info!("listening on http://{addr}");
    let served = server::serve(listener, router, server::shutdown_signal()).await;
    // Every click answered before the shutdown is stored before the process ends.
    server::flush(&state).await;
    if let Err(e) = served {
        tracing::error!(error = %e, "server failed");
        std::process::exit(1);
    }
}
