//! The log: text for people at a terminal, or one JSON object per line for a
//! log collector (`GATEHOUSE_LOG_FORMAT=json`). `RUST_LOG` filters either.
use tracing_subscriber::EnvFilter;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where nothing else is said: info, without sqlx's and the session store's chatter.
const DEFAULT_FILTER: &str = "info,sqlx=warn,tower_sessions=warn";

static FORMAT: std::sync::OnceLock<LogFormat> = std::sync::OnceLock::new();

/// The format chosen at start (text when the log was never set up, as in tests).
pub fn format() -> LogFormat {
    FORMAT.get().copied().unwrap_or(LogFormat::Text)
}

pub fn init(format: LogFormat) {
    let _ = FORMAT.set(format);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| DEFAULT_FILTER.into());
    match format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        // Event fields at the top level; an event inside a request also
        // carries the spans it is in, the request's first (its request_id).
        LogFormat::Json => {
            tracing_subscriber::fmt().json().flatten_event(true).with_current_span(false).with_span_list(true).with_env_filter(filter).init();
            // A panic's default report is several lines of text on stderr,
            // which a collector reading one JSON object a line cannot parse:
            // it goes into the log as one error event instead (the request,
            // if any, fails on its own; the server carries on).
            std::panic::set_hook(Box::new(|info| {
                let backtrace = std::backtrace::Backtrace::capture();
                let thread = std::thread::current();
                tracing::error!(
                    target: "gatehouse::panic",
                    thread = thread.name().unwrap_or("unnamed"),
                    backtrace = %backtrace,
                    "panic: {info}"
                );
            }));
        }
    }
}
