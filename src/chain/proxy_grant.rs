//! Granting and revoking a proxy from the app: the preview (fee on the real signed shape, the deposit the grant
//! reserves or frees, whether the coldkey can pay) and the send, tracked like every other transaction (history
//! record first, progress, bounded search after a lost watch).

#![allow(clippy::result_large_err)]

use subxt::ext::scale_value::Composite;
use subxt::transactions::DynamicPayload;
use taotui_keystore::derive::CryptoType;
use taotui_keystore::ss58;

use crate::amount::{Rao, Rounding};
use crate::chain::client::ChainClient;
use crate::chain::extrinsics::ExtrinsicError;
use crate::chain::extrinsics::build::{Birth, Either, build_signed_payload};
use crate::chain::extrinsics::fetch::{AtBlock, existential_deposit, query_fee, spendable_of};
use crate::chain::extrinsics::send::{Presigned, SendOptions, Sent, send_presigned};
use crate::chain::history::History;
use crate::chain::proxy::{self, DepositTerms};
use crate::chain::signer::KeypairSigner;
use crate::chain::tx;

/// One grant to make or revoke: `real` (the coldkey that signs) lets `delegate` act as `proxy_type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantChange {
    pub add: bool,
    pub real: [u8; 32],
    pub delegate: [u8; 32],
    pub proxy_type: String,
    /// Announcement delay in blocks (a removal must name the grant's own delay).
    pub delay: u32,
}

impl GrantChange {
    pub fn call_name(&self) -> &'static str {
        if self.add {
            "add_proxy"
        } else {
            "remove_proxy"
        }
    }

    pub fn payload(&self) -> DynamicPayload<Composite<()>> {
        proxy::grant_call(
            self.call_name(),
            self.delegate,
            &self.proxy_type,
            self.delay,
        )
    }
}

/// What the user confirms: the fee, the deposit before and after, and why the chain would refuse it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantPreview {
    pub call: String,
    pub fee: Rao,
    pub deposit_before: Rao,
    pub deposit_after: Rao,
    /// What the coldkey can spend (free minus frozen) before the grant.
    pub spendable: Rao,
    pub existential_deposit: Rao,
    /// One sentence each; empty when the grant can be sent.
    pub refusals: Vec<String>,
}

impl GrantPreview {
    /// What leaves the free balance: the fee plus the deposit the grant adds (a removal frees deposit instead).
    pub fn free_after(&self) -> Rao {
        let more = self.deposit_after.saturating_sub(self.deposit_before);
        let back = self.deposit_before.saturating_sub(self.deposit_after);
        self.spendable
            .saturating_sub(self.fee)
            .saturating_sub(more)
            .saturating_add(back)
    }
}

/// A previewed grant, ready to sign on the block the preview read.
pub struct PreparedGrant {
    pub change: GrantChange,
    pub preview: GrantPreview,
    at: AtBlock,
    birth: Birth,
    nonce: u64,
}

impl std::fmt::Debug for PreparedGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedGrant")
            .field("change", &self.change)
            .field("preview", &self.preview)
            .finish()
    }
}

fn tao(r: Rao) -> String {
    format!("{} TAO", r.format_tao(9, Rounding::Up))
}

/// Reads the grants, the balance and the deposit terms, estimates the fee on the real signed shape (dummy
/// signature of `crypto`) and says what would make the chain refuse it. Needs only the coldkey's address.
pub async fn prepare(
    client: &ChainClient,
    change: GrantChange,
    crypto: CryptoType,
) -> Result<PreparedGrant, ExtrinsicError> {
    client.ensure_runtime_compatible()?;
    let md = client.metadata();
    let terms = DepositTerms::from_metadata(&md).map_err(proxy_error)?;
    let ed = existential_deposit(&md)?;
    let head = client.head().await?;
    let at = client.at_head_for_building(&head).await?;
    let (nonce, spendable, grants) = tokio::join!(
        tx::next_nonce(client.rpc(), change.real),
        spendable_of(client, change.real),
        proxy::grants(client, change.real)
    );
    let (nonce, spendable, grants) = (nonce?, spendable?, grants?);
    let birth = Birth {
        number: head.number,
        hash: head.hash,
    };
    let (dummy, _) = build_signed_payload(
        &at,
        birth,
        &change.payload(),
        change.real,
        nonce,
        Either::Dummy(crypto),
    )?;
    let fee = query_fee(client, &dummy, head.hash).await?;

    let delegate = ss58::encode(&change.delegate, 42);
    let held = grants.grants.iter().any(|g| {
        g.delegate == change.delegate
            && g.proxy_type == change.proxy_type
            && (change.add || g.delay == change.delay)
    });
    let count = grants.grants.len() as u64;
    let mut refusals = Vec::new();
    if change.delegate == change.real {
        refusals.push(
            "A coldkey cannot be its own proxy; give the address of the delegate key.".to_owned(),
        );
    }
    let deposit_after = match (change.add, held) {
        (true, true) => {
            refusals.push(format!(
                "{delegate} already holds a {} proxy for this coldkey; nothing to grant.",
                change.proxy_type
            ));
            grants.deposit
        }
        (false, false) => {
            refusals.push(format!(
                "{delegate} holds no {} proxy with a delay of {} blocks for this coldkey; read the list again (r).",
                change.proxy_type, change.delay
            ));
            grants.deposit
        }
        (true, false) => terms.for_count(count + 1),
        (false, true) => terms.for_count(count.saturating_sub(1)),
    };
    let reserved_more = deposit_after.saturating_sub(grants.deposit);
    let needed = fee.saturating_add(reserved_more).saturating_add(ed);
    if spendable < needed {
        refusals.push(format!(
            "The coldkey can spend {} but needs {} (the {} fee, {} of deposit and the {} existential deposit); \
             add TAO to it.",
            tao(spendable),
            tao(needed),
            tao(fee),
            tao(reserved_more),
            tao(ed)
        ));
    }
    let preview = GrantPreview {
        call: format!("{}.{}", proxy::PALLET, change.call_name()),
        fee,
        deposit_before: grants.deposit,
        deposit_after,
        spendable,
        existential_deposit: ed,
        refusals,
    };
    Ok(PreparedGrant {
        change,
        preview,
        at,
        birth,
        nonce,
    })
}

fn proxy_error(e: proxy::ProxyError) -> ExtrinsicError {
    ExtrinsicError::Build {
        call: format!("{}.add_proxy", proxy::PALLET),
        message: e.to_string(),
    }
}

/// Signs the previewed grant with `signer` (the real coldkey), sends it once and tracks it like [`send_presigned`].
pub async fn send(
    client: &ChainClient,
    prepared: &PreparedGrant,
    signer: &KeypairSigner,
    history: Option<&History>,
    options: &SendOptions,
) -> Result<Sent, ExtrinsicError> {
    if signer.public_key() != prepared.change.real {
        return Err(ExtrinsicError::WrongKey);
    }
    let (bytes, hash) = build_signed_payload(
        &prepared.at,
        prepared.birth,
        &prepared.change.payload(),
        prepared.change.real,
        prepared.nonce,
        Either::Signer(signer),
    )?;
    let c = &prepared.change;
    let mut details = serde_json::Map::new();
    details.insert("delegate".into(), ss58::encode(&c.delegate, 42).into());
    details.insert("proxy_type".into(), c.proxy_type.clone().into());
    details.insert("delay".into(), c.delay.into());
    details.insert(
        "deposit_after".into(),
        prepared.preview.deposit_after.get().into(),
    );
    let tx = Presigned {
        bytes,
        hash,
        nonce: prepared.nonce,
        coldkey: c.real,
        birth_block: prepared.birth.number,
        valid_until: prepared.birth.number + tx::MORTAL_PERIOD_BLOCKS,
        call: prepared.preview.call.clone(),
        details,
    };
    send_presigned(client, &tx, history, options).await
}
