//! The Wallets screen's proxy effects: reading a coldkey's grants, previewing, signing and sending a grant or
//! revocation (or writing it for offline signing), and saving the wallet's proxy setting.

use secrecy::SecretString;
use taotui_keystore::derive::CryptoType;

use crate::action::{Action, GrantRequest, OfflineFile, ProxyList, RequestId, TxProgress};
use crate::chain::client::ChainClient;
use crate::chain::extrinsics::SendOptions;
use crate::chain::offline::online;
use crate::chain::proxy::{self, DepositTerms};
use crate::chain::proxy_grant::{self, GrantChange, GrantPreview};

use super::{Worker, address, coldkey_address, now_secs};

/// Everything the pane shows and the add dialog offers, in one storage read.
pub async fn read_proxies(client: &ChainClient, coldkey: &str) -> Result<ProxyList, String> {
    let real = address(coldkey, "coldkey")?;
    let md = client.metadata();
    let types = proxy::proxy_types(&md).map_err(|e| e.to_string())?;
    let terms = DepositTerms::from_metadata(&md).map_err(|e| e.to_string())?;
    let found = proxy::grants(client, real)
        .await
        .map_err(|e| e.to_string())?;
    Ok(ProxyList {
        grants: found.grants,
        deposit: found.deposit.get(),
        types: types.into_iter().map(|(_, name)| name).collect(),
        deposit_base: terms.base.get(),
        deposit_factor: terms.factor.get(),
    })
}

impl Worker {
    pub(super) fn fetch_proxies(&self, id: RequestId, coldkey: String) {
        let who = coldkey.clone();
        self.query(
            id,
            move |client| async move { read_proxies(&client, &who).await },
            move |_, result| Action::ProxiesLoaded {
                id,
                coldkey,
                result,
            },
        );
    }

    pub(super) fn preview_grant(&self, id: RequestId, request: GrantRequest) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = this.prepare_grant(id, &request).await;
            this.reply(Action::GrantPreviewed { id, result });
        });
    }

    fn change_of(&self, request: &GrantRequest) -> Result<(GrantChange, CryptoType), String> {
        // Only the address: a watch-only wallet previews too (its grant is then written for offline signing).
        let (real, crypto) = coldkey_address(&self.root, &request.wallet)?;
        let delegate = address(&request.delegate, "delegate")?;
        Ok((
            GrantChange {
                add: request.add,
                real,
                delegate,
                proxy_type: request.proxy_type.clone(),
                delay: request.delay,
            },
            crypto,
        ))
    }

    async fn prepare_grant(
        &self,
        id: RequestId,
        request: &GrantRequest,
    ) -> Result<GrantPreview, String> {
        let client = self.client().await?;
        let (change, crypto) = self.change_of(request)?;
        let prepared = proxy_grant::prepare(&client, change, crypto)
            .await
            .map_err(|e| e.to_string())?;
        let preview = prepared.preview.clone();
        // Only the latest preview can be signed.
        *self.grant.lock().await = Some((id, prepared));
        Ok(preview)
    }

    pub(super) fn submit_grant(
        &self,
        id: RequestId,
        preview: RequestId,
        request: GrantRequest,
        password: SecretString,
    ) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = this.send_grant(id, preview, &request, password).await;
            this.reply(Action::TxDone { id, result });
        });
    }

    async fn send_grant(
        &self,
        id: RequestId,
        preview: RequestId,
        request: &GrantRequest,
        password: SecretString,
    ) -> Result<String, String> {
        let client = self.client().await?;
        let prepared = match self.grant.lock().await.take() {
            Some((pid, p)) if pid == preview => p,
            _ => return Err("the preview expired; press Esc and review it again".to_owned()),
        };
        let signer = self.unlock(&request.wallet, password).await?;
        self.reply(Action::TxProgress {
            id,
            progress: TxProgress::Submitted,
        });
        let history = self.history();
        let sent = proxy_grant::send(
            &client,
            &prepared,
            &signer,
            history.as_ref(),
            &SendOptions {
                progress: self.progress_of(id),
                ..SendOptions::default()
            },
        )
        .await
        .map_err(|e| e.to_string())?;
        Ok(self.report_sent(id, &prepared.preview.call, &sent))
    }

    pub(super) fn write_grant_unsigned(&self, id: RequestId, request: GrantRequest) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = this.grant_unsigned(&request).await;
            this.reply(Action::UnsignedWritten { id, result });
        });
    }

    /// The grant as an unsigned file for the machine holding the coldkey, as `taotui proxy add --sign-offline`.
    async fn grant_unsigned(&self, request: &GrantRequest) -> Result<OfflineFile, String> {
        let client = self.client().await?;
        let (change, crypto) = self.change_of(request)?;
        let proposal = online::proposal_of_payload(&client, &change.payload())
            .await
            .map_err(|e| e.to_string())?;
        let unsigned = online::unsigned_tx(&client, change.real, crypto, proposal)
            .await
            .map_err(|e| e.to_string())?;
        let dir = self
            .data_dir()
            .ok_or("no data folder to write the file in: set TAOTUI_DATA_DIR or HOME")?
            .join("offline");
        let path = online::default_unsigned_path(&dir, &unsigned, now_secs());
        online::write_unsigned(&unsigned, &path).map_err(|e| e.to_string())?;
        let mut notes = vec![unsigned.mev_shield.clone()];
        if unsigned.metadata_hash_refused {
            notes.push(online::REFUSED_SENTENCE.to_owned());
        }
        Ok(OfflineFile {
            path: path.display().to_string(),
            call: format!("{}.{}", unsigned.call.pallet, unsigned.call.name),
            signer: unsigned.signer.clone(),
            nonce: unsigned.nonce,
            valid_until: unsigned.era.valid_until(),
            qr_data: serde_json::to_string(&unsigned).map_err(|e| e.to_string())?,
            notes,
        })
    }

    pub(super) fn save_wallet_proxy(&self, id: RequestId, wallet: String, proxy: Option<String>) {
        let dir = self.config_dir.clone().or_else(crate::config::config_dir);
        self.blocking(move |_| {
            let result = match dir {
                Some(dir) => crate::config::settings_edit::set_wallet_proxy(
                    &dir.join("config.toml"),
                    &wallet,
                    proxy.as_deref(),
                )
                .map_err(|e| e.to_string()),
                None => Err(
                    "there is no config folder to save the setting in; set XDG_CONFIG_HOME or HOME"
                        .to_owned(),
                ),
            };
            Action::WalletProxySaved {
                id,
                wallet,
                proxy,
                result,
            }
        });
    }
}
