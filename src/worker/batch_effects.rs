//! The rebalance dialog's effects: several stake requests previewed, signed and sent as `Utility.batch_all` with
//! the library `taotui stake batch` uses (`prepare_batch`, `batch::failed_leg_sentence`). Up to 16 legs make one
//! batch; more are split into batches of 16, each all-or-nothing, sent one after another with one password.

use secrecy::SecretString;

use crate::action::{Action, BatchPreview, BatchRequest, LegFigures, RequestId, TxProgress};
use crate::chain::batch::{self, MAX_LEGS};
use crate::chain::extrinsics::{self, Prepared, Preview};
use crate::chain::mev_shield::{Decision, ShieldPreview};
use crate::chain::tx::TxError;

use super::{Worker, coldkey_address, coldkey_public, plan_action, wallet_address};

/// A rebalance's batches, in order, each with its MEV-shield verdict.
pub(super) type Parts = Vec<(Prepared, ShieldPreview)>;

impl Worker {
    pub(super) fn preview_batch(&self, id: RequestId, request: BatchRequest) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = this.preview_batch_now(id, &request).await;
            this.reply(Action::BatchPreviewed { id, result });
        });
    }

    pub(super) fn submit_batch(
        &self,
        id: RequestId,
        preview: RequestId,
        request: BatchRequest,
        password: SecretString,
    ) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = this.submit_batch_now(id, preview, &request, password).await;
            this.reply(Action::TxDone { id, result });
        });
    }

    /// Plans every leg on the state the earlier ones leave and keeps the batches for the password, like a stake's
    /// preview (only the latest preview can be signed).
    async fn preview_batch_now(
        &self,
        id: RequestId,
        request: &BatchRequest,
    ) -> Result<BatchPreview, String> {
        let prepared = self.prepare_parts(request).await?;
        let client = self.client().await?;
        // The dialog's toggle (from the `mev_shield` setting) reaches every leg alike.
        let opted_out = !request.legs.iter().all(|l| l.mev_shield);
        let mut parts = Vec::with_capacity(prepared.len());
        for p in prepared {
            let shield = crate::chain::mev_shield::assess(&client, &p, opted_out)
                .await
                .map_err(|e| e.to_string())?;
            parts.push((p, shield));
        }
        let shown = batch_preview(&parts, request);
        // One batch waits in the stake's slot (offline signing writes it from there); several in their own.
        *self.batches.lock().await = None;
        *self.prepared.lock().await = None;
        if parts.len() == 1 {
            if let Some((p, shield)) = parts.pop() {
                *self.prepared.lock().await = Some((id, p, shield));
            }
        } else {
            *self.batches.lock().await = Some((id, parts));
        }
        Ok(shown)
    }

    /// The legs in batches of at most 16, each planned with `prepare_batch`.
    async fn prepare_parts(&self, request: &BatchRequest) -> Result<Vec<Prepared>, String> {
        if request.legs.is_empty() {
            return Err(
                "the rebalance has nothing to do; choose what happens to a position".to_owned(),
            );
        }
        let actions = request
            .legs
            .iter()
            .map(plan_action)
            .collect::<Result<Vec<_>, _>>()?;
        let client = self.client().await?;
        let (coldkey, crypto, via) = match &request.proxy {
            // The wallet may be watch-only: only its address is needed; the proxy wallet signs and pays the fee.
            Some(proxy) => {
                let real = wallet_address(&self.root, &request.wallet)?;
                let (account, crypto) = coldkey_public(&self.root, proxy)?;
                (
                    real,
                    crypto,
                    Some(extrinsics::fetch::Delegate { account, crypto }),
                )
            }
            None => {
                let (coldkey, crypto) = coldkey_address(&self.root, &request.wallet)?;
                (coldkey, crypto, None)
            }
        };
        let mut parts = Vec::new();
        for chunk in actions.chunks(MAX_LEGS) {
            parts.push(
                extrinsics::fetch::prepare_batch(&client, coldkey, crypto, chunk.to_vec(), via)
                    .await
                    .map_err(|e| e.to_string())?,
            );
        }
        Ok(parts)
    }

    async fn submit_batch_now(
        &self,
        id: RequestId,
        preview: RequestId,
        request: &BatchRequest,
        password: SecretString,
    ) -> Result<String, String> {
        let signer_wallet = request.proxy.as_deref().unwrap_or(&request.wallet);
        let parts = match self.batches.lock().await.take() {
            Some((pid, parts)) if pid == preview => Some(parts),
            _ => None,
        };
        let Some(parts) = parts else {
            let (prepared, sent) = self
                .sign_and_send(id, preview, signer_wallet, password)
                .await?;
            return match sent {
                Ok(sent) => {
                    let done = self.report_sent(id, &prepared.preview.call.path(), &sent);
                    Ok(format!(
                        "{} legs landed together. {done}",
                        prepared.legs.len()
                    ))
                }
                Err(e) => Err(self.failure(request, 0, &prepared, e).await),
            };
        };
        let signer = self.unlock(signer_wallet, password).await?;
        self.reply(Action::TxProgress {
            id,
            progress: TxProgress::Submitted,
        });
        let n = parts.len();
        let mut done = Vec::with_capacity(n);
        for (k, (prepared, shield)) in parts.into_iter().enumerate() {
            if let Decision::Refuse(_) = shield.decision {
                return Err(format!(
                    "Batch {} of {n} not sent: {}{}",
                    k + 1,
                    shield.line(),
                    landed(k)
                ));
            }
            match self.send_prepared(id, &prepared, shield, &signer).await? {
                Ok(sent) => {
                    done.push(self.report_sent(id, &prepared.preview.call.path(), &sent));
                    self.reply(Action::TxProgress {
                        id,
                        progress: TxProgress::Waiting(format!(
                            "batch {} of {n} landed ({} legs)",
                            k + 1,
                            legs_of(&prepared).len()
                        )),
                    });
                }
                Err(e) => {
                    let why = self.failure(request, k, &prepared, e).await;
                    return Err(format!("Batch {} of {n}: {why}{}", k + 1, landed(k)));
                }
            }
        }
        Ok(format!(
            "{} legs landed in {n} batches. {}",
            request.legs.len(),
            done.join(" ")
        ))
    }

    /// The sentence for a batch that failed: for a reverted one, which leg failed, read from a fresh preview of
    /// the same legs (the chain is as it was, so it refuses the leg that failed) before the error's kind alone.
    async fn failure(
        &self,
        request: &BatchRequest,
        part: usize,
        prepared: &Prepared,
        error: extrinsics::ExtrinsicError,
    ) -> String {
        let extrinsics::ExtrinsicError::Tx(TxError::Dispatch { error, .. }) = error else {
            return error.to_string();
        };
        let again = self
            .prepare_parts(request)
            .await
            .ok()
            .and_then(|mut parts| (part < parts.len()).then(|| parts.swap_remove(part)));
        let legs = match &again {
            Some(p) if legs_of(p).iter().any(|l| !l.refusals.is_empty()) => legs_of(p),
            _ => legs_of(prepared),
        };
        // Legs are numbered across the whole rebalance, as its preview numbers them.
        let mut sentence = batch::failed_leg_sentence_from(legs, &error, part * MAX_LEGS + 1);
        sentence.push(' ');
        match legs.iter().flat_map(|l| l.refusals.first()).next() {
            Some(reason) => sentence.push_str(&in_words(&reason.sentence)),
            None => sentence.push_str(&error.sentence),
        }
        sentence
    }
}

/// The chain layer's sentences name the command line's flags; the dialog has its own keys for them (its hints).
fn in_words(sentence: &str) -> String {
    sentence
        .replace(
            "raise --tolerance, allow a partial fill with --partial",
            "raise the tolerance, allow a partial fill",
        )
        .replace("or --all.", "or choose “unstake all” / “move all”.")
}

/// Each leg's preview; one action alone is planned as its own call, its preview the only leg.
fn legs_of(p: &Prepared) -> &[Preview] {
    if p.legs.is_empty() {
        std::slice::from_ref(&p.preview)
    } else {
        &p.legs
    }
}

/// " Batches 1 to k landed and stay done." after batch k+1 failed.
fn landed(k: usize) -> String {
    match k {
        0 => String::new(),
        1 => " Batch 1 landed and stays done.".to_owned(),
        k => format!(" Batches 1 to {k} landed and stay done."),
    }
}

/// What the dialog shows of the prepared batches: each leg's figures, the totals, the fees and the refusals.
fn batch_preview(parts: &[(Prepared, ShieldPreview)], request: &BatchRequest) -> BatchPreview {
    let n = parts.len();
    let mut shown = BatchPreview {
        call: parts
            .first()
            .map_or_else(String::new, |(p, _)| p.preview.call.path()),
        parts: n,
        signed_by: request
            .proxy
            .as_ref()
            .map(|p| format!("proxy {p} for {}", request.wallet)),
        ..BatchPreview::default()
    };
    let mut shields = Vec::new();
    for (k, (prepared, shield)) in parts.iter().enumerate() {
        let p = &prepared.preview;
        shown.legs.extend(legs_of(prepared).iter().map(leg_figures));
        shown.fee = shown.fee.saturating_add(p.fee.get());
        shown.tao_spent = shown.tao_spent.saturating_add(p.tao_spent.get());
        shown.tao_received = shown.tao_received.saturating_add(p.tao_received.get());
        let in_part = |text: &str| {
            let text = &in_words(text);
            if n > 1 {
                // Leg numbers count across the whole rebalance, as the dialog lists them.
                let offset = k * MAX_LEGS;
                match text
                    .strip_prefix("Leg ")
                    .and_then(|rest| rest.split_once(':'))
                    .and_then(|(num, tail)| num.parse::<usize>().ok().map(|i| (i, tail)))
                {
                    Some((i, tail)) => format!("Batch {}, leg {}:{tail}", k + 1, i + offset),
                    None => format!("Batch {}: {text}", k + 1),
                }
            } else {
                text.to_owned()
            }
        };
        shown
            .refusals
            .extend(p.refusals.iter().map(|r| in_part(&r.sentence)));
        shown.warnings.extend(p.warnings.iter().map(|w| in_part(w)));
        if let Decision::Refuse(_) = &shield.decision {
            shown.refusals.push(in_part(&shield.line()));
        }
        if !shields.contains(&shield.line()) {
            shields.push(shield.line());
        }
    }
    shown.shield = shields.join("; ");
    if n > 1 {
        shown.warnings.insert(
            0,
            format!(
                "{} legs are more than one batch takes ({MAX_LEGS}): they go as {n} batches, each all-or-nothing \
                 but not together; if a later one fails, the earlier ones stay done.",
                request.legs.len()
            ),
        );
    }
    shown
}

fn leg_figures(leg: &Preview) -> LegFigures {
    LegFigures {
        call: leg.call.path(),
        tao_spent: leg.tao_spent.get(),
        tao_received: leg.tao_received.get(),
        alpha_sold: leg.alpha_sold.get(),
        alpha_received: leg.alpha_received.get(),
        price_impact_bps: leg.price_impact_bps,
        limit_price: leg.limit_price,
        tolerance_bps: leg.tolerance_bps,
        refused: !leg.refusals.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dialogs_sentences_name_no_command_line_flags_and_say_what_stays_done() {
        let s = in_words(
            "Leg 2: The position holds 2 alpha, less than the 4 asked; use a smaller amount or --all.",
        );
        assert_eq!(
            s,
            "Leg 2: The position holds 2 alpha, less than the 4 asked; use a smaller amount or choose “unstake all” / “move all”."
        );
        let s = in_words(
            "past the limit; raise --tolerance, allow a partial fill with --partial, or use a smaller amount.",
        );
        assert!(!s.contains("--"), "{s}");
        assert_eq!(landed(0), "");
        assert_eq!(landed(1), " Batch 1 landed and stays done.");
        assert_eq!(landed(3), " Batches 1 to 3 landed and stay done.");
    }
}
