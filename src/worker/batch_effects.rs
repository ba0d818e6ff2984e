//! The rebalance dialog's effects: several stake requests previewed, signed and sent as one `Utility.batch_all`
//! with the library `taotui stake batch` uses (`prepare_batch`, `batch::failed_leg_sentence`).

use secrecy::SecretString;

use crate::action::{Action, BatchPreview, BatchRequest, LegFigures, RequestId};
use crate::chain::batch::{self, MAX_LEGS};
use crate::chain::extrinsics::{self, Prepared, Preview};
use crate::chain::tx::TxError;

use super::{Worker, coldkey_address, coldkey_public, plan_action, wallet_address};

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

    /// Plans every leg on the state the earlier ones leave and keeps the batch for the password, like a stake's
    /// preview (only the latest preview can be signed).
    async fn preview_batch_now(
        &self,
        id: RequestId,
        request: &BatchRequest,
    ) -> Result<BatchPreview, String> {
        let prepared = self.prepare_batch(request).await?;
        let client = self.client().await?;
        let opted_out = crate::config::load_settings()
            .map(|s| s.mev_shield == Some(false))
            .unwrap_or(false);
        let shield = crate::chain::mev_shield::assess(&client, &prepared, opted_out)
            .await
            .map_err(|e| e.to_string())?;
        let mut shown = batch_preview(&prepared);
        shown.shield = shield.line();
        if let crate::chain::mev_shield::Decision::Refuse(_) = &shield.decision {
            shown.refusals.push(shield.line());
        }
        shown.signed_by = request
            .proxy
            .as_ref()
            .map(|p| format!("proxy {p} for {}", request.wallet));
        *self.prepared.lock().await = Some((id, prepared, shield));
        Ok(shown)
    }

    async fn prepare_batch(&self, request: &BatchRequest) -> Result<Prepared, String> {
        if request.legs.is_empty() {
            return Err(
                "the rebalance has nothing to do; choose what happens to a position".to_owned(),
            );
        }
        if request.legs.len() > MAX_LEGS {
            return Err(format!(
                "this rebalance makes {} legs, more than the {MAX_LEGS} one all-or-nothing batch takes; rebalance \
                 in two parts",
                request.legs.len()
            ));
        }
        let actions = request
            .legs
            .iter()
            .map(plan_action)
            .collect::<Result<Vec<_>, _>>()?;
        let client = self.client().await?;
        match &request.proxy {
            // The wallet may be watch-only: only its address is needed; the proxy wallet signs and pays the fee.
            Some(proxy) => {
                let real = wallet_address(&self.root, &request.wallet)?;
                let (account, crypto) = coldkey_public(&self.root, proxy)?;
                let delegate = extrinsics::fetch::Delegate { account, crypto };
                extrinsics::fetch::prepare_batch(&client, real, crypto, actions, Some(delegate))
                    .await
            }
            None => {
                let (coldkey, crypto) = coldkey_address(&self.root, &request.wallet)?;
                extrinsics::fetch::prepare_batch(&client, coldkey, crypto, actions, None).await
            }
        }
        .map_err(|e| e.to_string())
    }

    async fn submit_batch_now(
        &self,
        id: RequestId,
        preview: RequestId,
        request: &BatchRequest,
        password: SecretString,
    ) -> Result<String, String> {
        let signer_wallet = request.proxy.as_deref().unwrap_or(&request.wallet);
        let (prepared, sent) = self
            .sign_and_send(id, preview, signer_wallet, password)
            .await?;
        match sent {
            Ok(sent) => {
                let done = self.report_sent(id, &prepared.preview.call.path(), &sent);
                Ok(format!(
                    "{} legs landed together. {done}",
                    prepared.legs.len()
                ))
            }
            Err(extrinsics::ExtrinsicError::Tx(TxError::Dispatch { error, .. })) => {
                // The batch reverted, so the chain is as it was: a fresh preview of the same legs shows which
                // leg it refuses now, which names the failed leg better than the error's kind alone.
                let again = self.prepare_batch(request).await.ok();
                let legs = match &again {
                    Some(p) if p.legs.iter().any(|l| !l.refusals.is_empty()) => &p.legs,
                    _ => &prepared.legs,
                };
                let mut sentence = batch::failed_leg_sentence(legs, &error);
                if let Some(reason) = legs.iter().flat_map(|l| l.refusals.first()).next() {
                    sentence.push(' ');
                    sentence.push_str(&reason.sentence);
                } else {
                    sentence.push(' ');
                    sentence.push_str(&error.sentence);
                }
                Err(sentence)
            }
            Err(e) => Err(e.to_string()),
        }
    }
}

/// What the dialog shows of a prepared batch: each leg's figures, the totals and the refusals.
fn batch_preview(prepared: &Prepared) -> BatchPreview {
    let p = &prepared.preview;
    BatchPreview {
        call: p.call.path(),
        legs: prepared.legs.iter().map(leg_figures).collect(),
        fee: p.fee.get(),
        tao_spent: p.tao_spent.get(),
        tao_received: p.tao_received.get(),
        shield: String::new(),
        signed_by: None,
        refusals: p.refusals.iter().map(|r| r.sentence.clone()).collect(),
        warnings: p.warnings.clone(),
    }
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
