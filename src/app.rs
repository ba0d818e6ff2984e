//! The event loop: terminal events, worker answers and a tick, selected with `tokio::select!`;
//! every pending action is applied before the next frame is drawn (coalesced redraws).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result};
use crossterm::event::{Event, EventStream, KeyEventKind, MouseButton, MouseEventKind};
use futures::{FutureExt, StreamExt};
use taotui_keystore::wallet::WalletRoot;
use tokio::sync::mpsc;
use tracing_appender::non_blocking::WorkerGuard;

use crate::action::{Action, Effect, KeyFileFormat, KeyPress};
use crate::chain::network::Network;
use crate::cli::GlobalArgs;
use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::config::{config_dir, data_dir};
use crate::model::{Model, Prefs, update};
use crate::tui::TerminalGuard;
use crate::ui;
use crate::worker::{EffectRunner, Worker, now_secs};

/// Spinner and data-age refresh rate.
const TICK: Duration = Duration::from_millis(250);
/// Environment variable with the log filter (e.g. `debug`, `taotui=trace`).
pub const LOG_ENV: &str = "TAOTUI_LOG";

/// Everything the app needs, resolved from options, environment and config files.
pub struct AppConfig {
    pub root: WalletRoot,
    pub network: Network,
    pub theme: Theme,
    pub keymap: Keymap,
    pub prefs: Prefs,
    pub metadata_cache: Option<PathBuf>,
}

impl AppConfig {
    pub fn resolve(global: &GlobalArgs) -> Result<AppConfig> {
        let config_dir = config_dir();
        let settings = crate::config::load_settings()?;
        let network = Network::resolve(global.network.as_deref(), settings.network.as_deref())?;
        let wallet_path = crate::config::wallet_path(global.wallet_path.as_deref(), &settings);
        let root = WalletRoot::resolve(wallet_path.as_deref())?;
        // `--theme` (clap also reads TAOTUI_THEME into it), else the config file.
        let theme_name = global
            .theme
            .clone()
            .filter(|t| !t.is_empty())
            .or(settings.theme.clone())
            .unwrap_or_else(|| "default".to_owned());
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let theme = Theme::load(&theme_name, config_dir.as_deref(), no_color)?;
        let keymap = Keymap::load(config_dir.as_deref())?;
        let prefs = Prefs {
            network_name: network.name().to_owned(),
            default_format: settings.default_format.unwrap_or(KeyFileFormat::Native),
            tolerance_bps: settings.tolerance_bps.unwrap_or(50),
            hide_balances: global.hide_balances,
            wallet_proxies: settings.wallet_proxies.clone(),
            mev_shield: !global.no_mev_shield && settings.mev_shield != Some(false),
        };
        Ok(AppConfig {
            root,
            network,
            theme,
            keymap,
            prefs,
            metadata_cache: dirs::cache_dir().map(|d| d.join("taotui").join("metadata")),
        })
    }
}

/// Logs go to `<data dir>/taotui.log`, never to the terminal the app draws on.
fn init_logging() -> Option<WorkerGuard> {
    // Opened here rather than by tracing_appender, which creates the file with the umask's
    // 0644: the log holds addresses and amounts.
    let file =
        crate::config::private_fs::open_private_append(&data_dir()?.join("taotui.log")).ok()?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env(LOG_ENV)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}

/// Runs the terminal app until the user quits.
pub fn run(global: &GlobalArgs) -> Result<()> {
    let config = AppConfig::resolve(global)?;
    let _log = init_logging();
    tracing::info!(network = %config.network, "starting the terminal app");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    let result = runtime.block_on(event_loop(config));
    // Chain tasks may still be connecting; do not wait for them.
    runtime.shutdown_timeout(Duration::from_millis(100));
    result
}

async fn event_loop(config: AppConfig) -> Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(
        config.root.clone(),
        config.network.clone(),
        config.metadata_cache.clone(),
        tx,
    );
    let mut guard = TerminalGuard::enter().context("could not set up the terminal")?;
    let theme = config.theme;
    let mut model = Model::new(config.keymap, config.prefs);
    model.now = now_secs();
    if let Ok(size) = guard.terminal.size() {
        model.viewport = (size.width, size.height);
    }
    let effects = model.init();
    run_effects(effects, &worker, &mut guard);
    worker.start_chain();

    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    loop {
        if dirty {
            guard
                .terminal
                .draw(|frame| ui::draw(frame, &model, &theme))?;
            dirty = false;
        }
        let first = tokio::select! {
            event = events.next() => match event {
                Some(Ok(e)) => map_event(e),
                Some(Err(e)) => {
                    tracing::error!(error = %e, "terminal event stream failed");
                    Some(Action::Quit)
                }
                None => Some(Action::Quit),
            },
            Some(action) = rx.recv() => Some(action),
            _ = tick.tick() => Some(Action::Tick(now_secs())),
        };
        let mut pending: Vec<Action> = first.into_iter().collect();
        // Coalesce: apply everything already waiting before drawing again.
        while let Ok(a) = rx.try_recv() {
            pending.push(a);
        }
        while let Some(Some(Ok(e))) = events.next().now_or_never() {
            pending.extend(map_event(e));
        }
        for action in pending {
            dirty = true;
            let effects = update(&mut model, action);
            run_effects(effects, &worker, &mut guard);
        }
        if model.quit {
            break;
        }
    }
    drop(guard);
    Ok(())
}

fn run_effects(effects: Vec<Effect>, worker: &Worker, guard: &mut TerminalGuard) {
    for effect in effects {
        match effect {
            Effect::Quit => {}
            Effect::CopyToClipboard(text) => {
                if let Err(e) = guard.copy_to_clipboard(&text) {
                    tracing::warn!(error = %e, "clipboard write failed");
                }
            }
            Effect::ClearClipboard => {
                if let Err(e) = guard.clear_clipboard() {
                    tracing::warn!(error = %e, "clipboard clear failed");
                }
            }
            other => worker.run(other),
        }
    }
}

/// Terminal events the model cares about; key releases and repeats of other kinds are dropped.
pub fn map_event(event: Event) -> Option<Action> {
    match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => {
            Some(Action::Key(KeyPress::new(k.code, k.modifiers)))
        }
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Resize(columns, rows) => Some(Action::Resize { columns, rows }),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollUp => Some(Action::ScrollUp),
            MouseEventKind::ScrollDown => Some(Action::ScrollDown),
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
                column: m.column,
                row: m.row,
            }),
            _ => None,
        },
        _ => None,
    }
}
