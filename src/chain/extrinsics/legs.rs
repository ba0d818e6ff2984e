//! The pure half of a batch preview: each leg is planned on the state the earlier legs are expected to leave
//! (their TAO and alpha), and the legs' previews add up to the batch's totals.

use std::collections::{BTreeMap, BTreeSet};

use crate::amount::{AlphaRao, Rao};

use super::ExtrinsicError;
use super::plan::{Action, ChainView, PlannedCall, Preview, finish_preview};

/// What the legs before this one are expected to change (TAO and positions), applied to this leg's view.
#[derive(Default)]
pub(super) struct Running {
    spent: Rao,
    received: Rao,
    alpha: BTreeMap<([u8; 32], u16), (AlphaRao, AlphaRao)>,
}

impl Running {
    pub(super) fn apply(&self, view: &mut ChainView) {
        view.spendable = view
            .spendable
            .saturating_add(self.received)
            .saturating_sub(self.spent);
        for (key, (added, removed)) in &self.alpha {
            let held = view.positions.get(key).copied().unwrap_or(AlphaRao::ZERO);
            let now = held.saturating_add(*added).saturating_sub(*removed);
            view.positions.insert(*key, now);
            if let Some(a) = view.available.get_mut(key) {
                *a = (*a).min(now);
            }
        }
    }

    pub(super) fn record(&mut self, action: &Action, preview: &Preview) {
        self.spent = self.spent.saturating_add(preview.tao_spent);
        self.received = self.received.saturating_add(preview.tao_received);
        let mut add = |key, delta: AlphaRao, out: bool| {
            let e = self
                .alpha
                .entry(key)
                .or_insert((AlphaRao::ZERO, AlphaRao::ZERO));
            if out {
                e.1 = e.1.saturating_add(delta);
            } else {
                e.0 = e.0.saturating_add(delta);
            }
        };
        match action {
            Action::AddStake { hotkey, netuid, .. } => {
                add((*hotkey, *netuid), preview.alpha_received, false)
            }
            Action::RemoveStake { hotkey, netuid, .. } => {
                add((*hotkey, *netuid), preview.alpha_sold, true)
            }
            Action::MoveStake {
                origin_hotkey,
                destination_hotkey,
                origin_netuid,
                destination_netuid,
                ..
            } => {
                add((*origin_hotkey, *origin_netuid), preview.alpha_sold, true);
                add(
                    (*destination_hotkey, *destination_netuid),
                    preview.alpha_received,
                    false,
                );
            }
            Action::SwapStake {
                hotkey,
                origin_netuid,
                destination_netuid,
                ..
            } => {
                add((*hotkey, *origin_netuid), preview.alpha_sold, true);
                add(
                    (*hotkey, *destination_netuid),
                    preview.alpha_received,
                    false,
                );
            }
            Action::TransferStake {
                hotkey,
                origin_netuid,
                ..
            } => add((*hotkey, *origin_netuid), preview.alpha_sold, true),
            Action::UnstakeAll { .. } | Action::Transfer { .. } | Action::TransferAll { .. } => {}
        }
    }
}

/// The previews of a batch's legs and their totals. The one fee is paid before any leg runs, so (when the
/// coldkey pays it) it comes off the balance the first leg sees.
pub(super) fn batch_preview(
    actions: &[Action],
    planned: Vec<super::plan::Plan>,
    views: &[ChainView],
    call: PlannedCall,
    fee: Rao,
    via_proxy: bool,
) -> Result<(Preview, Vec<Preview>), ExtrinsicError> {
    let mut legs = Vec::with_capacity(actions.len());
    let mut refusals = Vec::new();
    let mut warnings = Vec::new();
    let (mut spent, mut received) = (Rao::ZERO, Rao::ZERO);
    let mut netuids_seen = BTreeSet::new();
    let mut shared_pool = false;
    for (i, ((action, planned), view)) in actions.iter().zip(planned).zip(views).enumerate() {
        let mut view = view.clone();
        // `views` already carry the earlier legs' changes; only the fee is added here.
        if !via_proxy {
            view.spendable = view.spendable.saturating_sub(fee);
        }
        let leg = finish_preview(action, planned, &view, Rao::ZERO, None)?;
        spent = spent.saturating_add(leg.tao_spent);
        received = received.saturating_add(leg.tao_received);
        for r in &leg.refusals {
            refusals.push(super::plan::Refusal {
                code: r.code,
                sentence: format!("Leg {}: {}", i + 1, r.sentence),
            });
        }
        for w in &leg.warnings {
            warnings.push(format!("Leg {}: {w}", i + 1));
        }
        // A move within one subnet names it twice but trades on no pool: only other legs make a pool shared.
        let own: BTreeSet<u16> = action.netuids().into_iter().collect();
        for n in own {
            if n != 0 && !netuids_seen.insert(n) {
                shared_pool = true;
            }
        }
        legs.push(leg);
    }
    if shared_pool {
        warnings.push(
            "Several legs trade on the same subnet: each is quoted on the pool as it is before the batch, so the \
             later ones may get a little less; a leg with a price limit may then fail, and with it the whole batch."
                .to_owned(),
        );
    }
    let preview = Preview {
        kind: "stake_batch",
        call,
        fee,
        tao_spent: spent,
        tao_received: received,
        alpha_sold: AlphaRao::ZERO,
        alpha_received: AlphaRao::ZERO,
        price: None,
        price_after: None,
        price_impact_bps: legs.iter().map(|l| l.price_impact_bps).max().unwrap_or(0),
        price_move_bps: legs.iter().map(|l| l.price_move_bps).max().unwrap_or(0),
        swap_fee: 0,
        limit_price: None,
        tolerance_bps: None,
        allow_partial: false,
        quote: super::plan::QuoteSource::None,
        refusals,
        warnings,
    };
    Ok((preview, legs))
}
