//! The dialog's place in the app: marks on the Portfolio, opening the dialog, its keys and the worker's answers.

use super::{Rebalance, RebalanceOutcome, RebalanceStep, Row};
use crate::action::{Action, Effect, KeyPress};
use crate::config::keymap::{Command, Context};
use crate::model::{Modal, Model};

/// Space on the Portfolio: marks or unmarks the selected position and moves to the next one.
pub(crate) fn toggle_mark(model: &mut Model) -> Vec<Effect> {
    let Some(key) = model
        .portfolio
        .sorted()
        .get(model.portfolio.selected)
        .map(|p| (p.hotkey.0, p.netuid))
    else {
        model.notify("Select a position first.", true);
        return Vec::new();
    };
    if !model.portfolio.marks.remove(&key) {
        model.portfolio.marks.insert(key);
    }
    let len = model.portfolio.sorted().len();
    model.portfolio.selected = (model.portfolio.selected + 1).min(len.saturating_sub(1));
    Vec::new()
}

/// Opens the dialog for the marked positions, or the selected one when none is marked.
pub(crate) fn open(model: &mut Model) -> Vec<Effect> {
    let sorted = model.portfolio.sorted();
    let marked: Vec<Row> = sorted
        .iter()
        .filter(|p| model.portfolio.marks.contains(&(p.hotkey.0, p.netuid)))
        .map(|p| Row::from_position(p))
        .collect();
    let rows = if marked.is_empty() {
        sorted
            .get(model.portfolio.selected)
            .map(|p| vec![Row::from_position(p)])
            .unwrap_or_default()
    } else {
        marked
    };
    if rows.is_empty() {
        model.notify(
            "Nothing to rebalance: this wallet has no positions; stake from the Validators screen first.",
            true,
        );
        return Vec::new();
    }
    let Some(wallet) = crate::model::signing_wallet(model) else {
        return Vec::new();
    };
    let mut r = Rebalance::new(
        wallet,
        rows,
        crate::model::free_balance(model),
        model.prefs.tolerance_bps,
    );
    r.proxy = model.prefs.wallet_proxies.get(&r.wallet).cloned();
    r.watch_only = crate::model::signs_offline_only(model, &r.wallet);
    r.subnets = model
        .validators
        .subnets
        .data
        .as_ref()
        .cloned()
        .unwrap_or_default();
    r.mev_shield = model.prefs.mev_shield;
    r.now = model.now;
    model.modal = Some(Modal::Rebalance(Box::new(r)));
    Vec::new()
}

/// A key while the dialog is open.
pub(crate) fn on_key(model: &mut Model, mut r: Box<Rebalance>, key: KeyPress) -> Vec<Effect> {
    r.now = model.now;
    let command = model.keymap.lookup(Context::StakeForm, key);
    let outcome = match command {
        Some(Command::SignOffline) if r.step == RebalanceStep::Confirm => {
            r.write_offline(&mut model.ids)
        }
        Some(
            c @ (Command::ToleranceUp
            | Command::ToleranceDown
            | Command::TogglePartial
            | Command::ToggleShield),
        ) if r.step != RebalanceStep::Password => r.on_limit_command(c, &mut model.ids),
        _ => r.on_key(key, &mut model.ids),
    };
    match outcome {
        RebalanceOutcome::Stay(effects) => {
            model.modal = Some(Modal::Rebalance(r));
            effects
        }
        RebalanceOutcome::Pick { netuid } => {
            let v = &model.validators;
            let cached =
                (v.netuid == netuid && v.validators.data.is_some()).then(|| v.validators.clone());
            let effects = r.open_picker(netuid, cached, model.connected(), &mut model.ids);
            model.modal = Some(Modal::Rebalance(r));
            effects
        }
        RebalanceOutcome::Close { refresh } => {
            if refresh {
                crate::model::fetch_portfolio(model)
            } else {
                Vec::new()
            }
        }
        RebalanceOutcome::Detach { id } => {
            model.background_txs.push(id);
            model.notify(
                "Still watching the batch in the background (it is never sent twice); its outcome will show here \
                 and in History.",
                false,
            );
            Vec::new()
        }
    }
}

/// Whether `action` is the open dialog's answer (then [`update`] takes it).
pub(crate) fn wants(model: &Model, action: &Action) -> bool {
    let Some(Modal::Rebalance(r)) = &model.modal else {
        return false;
    };
    match action {
        Action::BatchPreviewed { .. } => true,
        Action::ValidatorsLoaded { id, .. } => r
            .picker
            .as_ref()
            .is_some_and(|p| p.list.pending == Some(*id)),
        Action::TxProgress { id, .. }
        | Action::TxDone { id, .. }
        | Action::UnsignedWritten { id, .. } => r.pending == Some(*id),
        _ => false,
    }
}

/// The worker's answers for the open dialog (those [`wants`] says are its).
pub(crate) fn update(model: &mut Model, action: Action) -> Vec<Effect> {
    let Some(Modal::Rebalance(r)) = &mut model.modal else {
        return Vec::new();
    };
    match action {
        Action::BatchPreviewed { id, result } => r.on_previewed(id, result),
        Action::ValidatorsLoaded {
            id,
            fetched_at,
            result,
            ..
        } => {
            r.on_validators(id, fetched_at, result);
        }
        Action::TxProgress { id, progress } => r.on_progress(id, progress),
        Action::TxDone { id, result } => {
            let ok = result.is_ok();
            r.on_done(id, result);
            let mut effects = crate::model::load_history(model);
            if ok {
                effects.extend(crate::model::fetch_portfolio(model));
            }
            return effects;
        }
        Action::UnsignedWritten { id, result } => {
            if r.on_written(id, &result)
                && let Ok(file) = result
            {
                model.modal = Some(Modal::OfflineWritten(Box::new(file)));
            }
        }
        _ => {}
    }
    Vec::new()
}
