//! Everything that can change the model (`Action`) and everything the model asks the outside
//! world to do (`Effect`). Worker answers carry the `RequestId` of the effect that asked, so the
//! model can drop answers it no longer waits for.

use std::fmt;

use crossterm::event::{KeyCode, KeyModifiers};
use secrecy::SecretString;
use taotui_keystore::mnemonic::{Mnemonic, WordCount};
use taotui_keystore::wallet::KeyTarget;

use crate::chain::queries::{
    AccountBalance, NetworkOverview, PositionView, SubnetView, ValidatorView,
};
use crate::model::wallets::WalletEntry;

/// Tags a worker request; an answer whose id is not the one the model waits for is stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct RequestId(pub u64);

/// A key press as the model sees it (the terminal library's event, without the noise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyPress {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl KeyPress {
    pub const fn new(code: KeyCode, modifiers: KeyModifiers) -> Self {
        KeyPress { code, modifiers }
    }

    pub const fn plain(code: KeyCode) -> Self {
        KeyPress::new(code, KeyModifiers::NONE)
    }

    pub const fn char(c: char) -> Self {
        KeyPress::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Self {
        KeyPress::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }
}

/// How the connection to the chain stands, as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Connected { spec_version: u32 },
    Reconnecting { attempt: u32 },
    Offline { reason: String },
}

/// Which key file format a write uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFileFormat {
    /// taotui's own: argon2id + AES-256-GCM.
    Native,
    /// btcli's `$NACL`, readable by btcli.
    Btcli,
}

/// What a signing form (and its submission) is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StakeKind {
    Stake,
    Unstake,
    /// To another validator on the same subnet (`move_stake`).
    Move,
    /// To another subnet on the same validator (`swap_stake_limit`).
    Swap,
    /// TAO to another account (`transfer_keep_alive`, or `transfer_all` keeping the account alive).
    Transfer,
    /// A position's stake to another coldkey, same validator and subnet (`transfer_stake`).
    TransferStake,
}

impl StakeKind {
    /// Whether the call trades stake (what the MEV shield protects); a TAO transfer moves no price.
    pub fn trades_stake(self) -> bool {
        self != StakeKind::Transfer
    }
}

/// Progress of a submitted transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxProgress {
    Unlocking,
    Submitted,
    /// What the send is waiting for, in its own words (e.g. "looking for the transaction in blocks #N..#M").
    Waiting(String),
    InBlock {
        block: u64,
    },
    Finalized {
        block: u64,
    },
}

/// A request as it will be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StakeRequest {
    pub kind: StakeKind,
    pub wallet: String,
    /// The position's (or the staked-to) hotkey; empty for a transfer.
    pub hotkey: String,
    pub netuid: u16,
    /// TAO rao for stake and transfer, alpha rao for unstake, move and swap.
    pub amount: u64,
    /// SS58 of the validator to move to (move) or of the recipient (transfer).
    pub destination: Option<String>,
    /// The subnet to swap to (swap).
    pub destination_netuid: Option<u16>,
    /// Transfer everything except the existential deposit (`transfer_all`, keep-alive).
    pub all: bool,
    /// Price tolerance in basis points.
    pub tolerance_bps: u32,
    /// Fill what fits within the tolerance instead of refusing the whole trade (limit calls).
    pub allow_partial: bool,
    /// The wallet that signs through a proxy for `wallet` (its `proxy` setting); `None` signs with `wallet`.
    pub proxy: Option<String>,
    /// Stake-trading calls go encrypted through MevShield where the runtime has it; `false` sends in the clear
    /// (the form's toggle, starting from the `mev_shield` setting).
    pub mev_shield: bool,
}

/// A rebalance: several stake requests as one all-or-nothing `Utility.batch_all`, signed by `wallet` (or by its
/// proxy wallet, as each leg's `proxy` says; every leg carries the same wallet and proxy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRequest {
    pub wallet: String,
    pub proxy: Option<String>,
    pub legs: Vec<StakeRequest>,
}

/// One leg of a batch as the chain layer previewed it (rao and alpha rao).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LegFigures {
    /// `Pallet.call`.
    pub call: String,
    pub tao_spent: u64,
    pub tao_received: u64,
    pub alpha_sold: u64,
    pub alpha_received: u64,
    /// Average price impact (slippage) of the leg's trade.
    pub price_impact_bps: u32,
    /// Rao per alpha.
    pub limit_price: Option<u64>,
    pub tolerance_bps: Option<u32>,
    pub refused: bool,
}

/// The chain's preview of a batch: each leg, the totals, the one fee, the MEV shield line, and the refusals
/// (each naming its leg).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchPreview {
    pub call: String,
    /// How many `Utility.batch_all` it takes (more than one past 16 legs: each all-or-nothing, not together).
    pub parts: usize,
    pub legs: Vec<LegFigures>,
    pub fee: u64,
    pub tao_spent: u64,
    pub tao_received: u64,
    pub shield: String,
    /// "proxy P for W" when a proxy wallet signs.
    pub signed_by: Option<String>,
    pub refusals: Vec<String>,
    pub warnings: Vec<String>,
}

impl BatchPreview {
    pub fn is_allowed(&self) -> bool {
        self.refusals.is_empty()
    }
}

/// The chain's own preview of a staking call, ready to show: what will be signed, the fee,
/// the expected amounts, and any refusal (a sentence saying what to change).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainPreview {
    /// `Pallet.call` that will be signed.
    pub call: String,
    /// (label, value) rows.
    pub rows: Vec<(String, String)>,
    pub refusals: Vec<String>,
    /// The chain layer's machine-readable code of each refusal, in the same order (e.g.
    /// `beyond_tolerance`), so the app can say what to press instead of the CLI's flags.
    pub refusal_codes: Vec<String>,
    pub warnings: Vec<String>,
    /// The balance figures the chain read, for the live transfer preview.
    pub facts: PreviewFacts,
}

/// Balance figures behind a preview, in rao.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PreviewFacts {
    pub fee: u64,
    /// Free minus frozen: what the coldkey can spend.
    pub spendable: u64,
    pub existential_deposit: u64,
    /// TAO leaving the free balance besides the fee.
    pub tao_spent: u64,
    /// The transfer recipient's free balance.
    pub dest_free: Option<u64>,
}

impl ChainPreview {
    pub fn is_allowed(&self) -> bool {
        self.refusals.is_empty()
    }
}

/// An unsigned transaction the worker wrote for offline signing, as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineFile {
    pub path: String,
    /// `Pallet.call`.
    pub call: String,
    /// The address whose key must sign it (on the offline machine).
    pub signer: String,
    pub nonce: u64,
    /// The last block it can land in.
    pub valid_until: u64,
    /// What the QR code carries: the transaction's QR text (`TAOTUI:U1:…`), which `taotui sign` reads.
    pub qr_data: String,
    /// Sentences to read before carrying it (MEV shield, a refused metadata check).
    pub notes: Vec<String>,
}

/// A signed transaction file opened for submission, checked against the connected chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedFileView {
    pub path: String,
    pub call: String,
    /// The call as decoded by the connected chain's metadata, (label, value) rows.
    pub lines: Vec<(String, String)>,
    pub signer: String,
    pub nonce: u64,
    pub valid_until: u64,
    pub notes: Vec<String>,
}

/// A coldkey's proxies as the Wallets screen shows them, with what the add dialog offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyList {
    pub grants: Vec<crate::chain::proxy::Grant>,
    /// What the grants hold reserved.
    pub deposit: u64,
    /// The runtime's proxy types, in its order (for the add dialog's picker).
    pub types: Vec<String>,
    /// `ProxyDepositBase` and `ProxyDepositFactor` (one more grant reserves the factor, the first also the base).
    pub deposit_base: u64,
    pub deposit_factor: u64,
}

/// A proxy grant or revocation as it will be signed by `wallet`'s coldkey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRequest {
    pub add: bool,
    pub wallet: String,
    /// The delegate's SS58 address.
    pub delegate: String,
    pub proxy_type: String,
    pub delay: u32,
}

/// The outside world's answers and the user's intents.
pub enum Action {
    Key(KeyPress),
    Paste(String),
    ScrollUp,
    ScrollDown,
    /// A left click at a cell (column, row from the top-left corner).
    Click {
        column: u16,
        row: u16,
    },
    /// The terminal's new size.
    Resize {
        columns: u16,
        rows: u16,
    },
    /// Seconds since the Unix epoch; drives data age and spinners.
    Tick(u64),
    Quit,

    /// What the connected runtime cannot do: one sentence per feature that is off (empty when all work).
    RuntimeFeatures {
        spec_version: u32,
        off: Vec<String>,
        core_works: bool,
    },
    WalletsScanned {
        id: RequestId,
        result: Result<Vec<WalletEntry>, String>,
    },
    MnemonicGenerated {
        id: RequestId,
        mnemonic: Mnemonic,
        /// Positions (0-based) of the words the user re-types, ascending.
        check_positions: Vec<usize>,
    },
    AddressBookLoaded {
        id: RequestId,
        result: Result<Vec<(String, String)>, String>,
    },
    /// Addresses sent to before from this machine (the history), for the recipient checks.
    UsedRecipientsLoaded(Vec<String>),
    /// A keystore write finished: a sentence for the user or an error sentence.
    KeystoreDone {
        id: RequestId,
        result: Result<String, String>,
    },

    ConnectionChanged(Connection),
    /// The chain's best block moved to `number`.
    NewBlock {
        number: u64,
    },
    BalancesLoaded {
        id: RequestId,
        fetched_at: u64,
        result: Result<Vec<AccountBalance>, String>,
    },
    PositionsLoaded {
        id: RequestId,
        fetched_at: u64,
        result: Result<(AccountBalance, Vec<PositionView>), String>,
    },
    SubnetsLoaded {
        id: RequestId,
        fetched_at: u64,
        result: Result<Vec<SubnetView>, String>,
    },
    ValidatorsLoaded {
        id: RequestId,
        netuid: u16,
        fetched_at: u64,
        result: Result<Vec<ValidatorView>, String>,
    },
    OverviewLoaded {
        id: RequestId,
        fetched_at: u64,
        result: Result<NetworkOverview, String>,
    },
    StakePreviewed {
        id: RequestId,
        result: Result<ChainPreview, String>,
    },
    /// A background quote for the live preview (nothing kept for signing).
    StakeQuoted {
        id: RequestId,
        result: Result<ChainPreview, String>,
    },
    HistoryLoaded {
        id: RequestId,
        result: Result<Vec<crate::model::chain::HistoryEntry>, String>,
    },
    /// The chain's preview of a rebalance batch (or why it could not be made).
    BatchPreviewed {
        id: RequestId,
        result: Result<BatchPreview, String>,
    },
    /// The unsigned transaction of a previewed call was written for offline signing (or why not).
    UnsignedWritten {
        id: RequestId,
        result: Result<OfflineFile, String>,
    },
    /// A signed transaction file was read and checked against the chain (or why it cannot be sent).
    SignedOpened {
        id: RequestId,
        result: Result<SignedFileView, String>,
    },
    TxProgress {
        id: RequestId,
        progress: TxProgress,
    },
    TxDone {
        id: RequestId,
        result: Result<String, String>,
    },
    /// The value journal of `coldkey`, oldest first.
    JournalLoaded {
        id: RequestId,
        coldkey: String,
        result: Result<Vec<crate::journal::Snapshot>, String>,
    },
    /// A portfolio read was written to the journal; `previous` is the newest snapshot before it.
    JournalRecorded {
        coldkey: String,
        snapshot: crate::journal::Snapshot,
        previous: Option<crate::journal::Snapshot>,
    },
    /// Past snapshots read from chain state so far.
    BackfillProgress {
        id: RequestId,
        done: u32,
        total: u32,
    },
    /// How many past snapshots a backfill added.
    BackfillDone {
        id: RequestId,
        result: Result<usize, String>,
    },
    /// What the coldkey's positions earned over a range (from past chain state).
    EarningsLoaded {
        id: RequestId,
        coldkey: String,
        result: Result<Box<crate::chain::earnings::EarningsReport>, String>,
    },
    /// The chain's history of `coldkey` over a range, merged with this machine's records (newest first), or the
    /// sentence saying why it could not be read (`PastError`'s, e.g. a pruned node without an archive).
    ChainHistoryLoaded {
        id: RequestId,
        coldkey: String,
        fetched_at: u64,
        result: Result<Box<crate::history_merge::MergedHistory>, String>,
    },
    /// A CSV export was written: a sentence saying where, or why not.
    Exported {
        id: RequestId,
        result: Result<String, String>,
    },
    /// The proxies `coldkey` has granted, as read from the chain.
    ProxiesLoaded {
        id: RequestId,
        coldkey: String,
        result: Result<ProxyList, String>,
    },
    /// The chain's preview of a proxy grant or revocation.
    GrantPreviewed {
        id: RequestId,
        result: Result<crate::chain::proxy_grant::GrantPreview, String>,
    },
    /// `[wallets.NAME] proxy` was written to the config file (or why not).
    WalletProxySaved {
        id: RequestId,
        wallet: String,
        proxy: Option<String>,
        result: Result<(), String>,
    },
}

/// Secrets travel inside some actions, so Debug names the variant only.
impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Action::Key(k) => return write!(f, "Key({k:?})"),
            Action::Paste(_) => "Paste(<redacted>)",
            Action::ScrollUp => "ScrollUp",
            Action::ScrollDown => "ScrollDown",
            Action::Click { column, row } => return write!(f, "Click({column}, {row})"),
            Action::Resize { .. } => "Resize",
            Action::Tick(t) => return write!(f, "Tick({t})"),
            Action::Quit => "Quit",
            Action::RuntimeFeatures { .. } => "RuntimeFeatures",
            Action::WalletsScanned { .. } => "WalletsScanned",
            Action::MnemonicGenerated { .. } => "MnemonicGenerated(<redacted>)",
            Action::KeystoreDone { .. } => "KeystoreDone",
            Action::AddressBookLoaded { .. } => "AddressBookLoaded",
            Action::UsedRecipientsLoaded(_) => "UsedRecipientsLoaded",
            Action::ConnectionChanged(c) => return write!(f, "ConnectionChanged({c:?})"),
            Action::NewBlock { number } => return write!(f, "NewBlock({number})"),
            Action::BalancesLoaded { .. } => "BalancesLoaded",
            Action::PositionsLoaded { .. } => "PositionsLoaded",
            Action::SubnetsLoaded { .. } => "SubnetsLoaded",
            Action::ValidatorsLoaded { .. } => "ValidatorsLoaded",
            Action::OverviewLoaded { .. } => "OverviewLoaded",
            Action::StakePreviewed { .. } => "StakePreviewed",
            Action::StakeQuoted { .. } => "StakeQuoted",
            Action::HistoryLoaded { .. } => "HistoryLoaded",
            Action::BatchPreviewed { .. } => "BatchPreviewed",
            Action::UnsignedWritten { .. } => "UnsignedWritten",
            Action::SignedOpened { .. } => "SignedOpened",
            Action::TxProgress { .. } => "TxProgress",
            Action::TxDone { .. } => "TxDone",
            Action::JournalLoaded { .. } => "JournalLoaded",
            Action::JournalRecorded { .. } => "JournalRecorded",
            Action::BackfillProgress { .. } => "BackfillProgress",
            Action::BackfillDone { .. } => "BackfillDone",
            Action::EarningsLoaded { .. } => "EarningsLoaded",
            Action::ChainHistoryLoaded { .. } => "ChainHistoryLoaded",
            Action::Exported { .. } => "Exported",
            Action::ProxiesLoaded { .. } => "ProxiesLoaded",
            Action::GrantPreviewed { .. } => "GrantPreviewed",
            Action::WalletProxySaved { .. } => "WalletProxySaved",
        };
        f.write_str(name)
    }
}

/// What the model asks for. Run by the worker (keystore and chain) or the app (terminal I/O).
pub enum Effect {
    Quit,
    /// The model stopped waiting for these requests: drop their work.
    Cancel {
        ids: Vec<RequestId>,
    },
    /// Put text on the clipboard through the terminal (OSC 52).
    CopyToClipboard(String),
    /// Empty the clipboard through the terminal (an empty OSC 52), where the terminal allows.
    ClearClipboard,

    ScanWallets {
        id: RequestId,
    },
    /// Read `<config>/addresses.toml`.
    LoadAddressBook {
        id: RequestId,
    },
    /// Read the recipients of past transfers from the history.
    LoadUsedRecipients,
    /// Name `ss58` in the address book (refused for a look-alike of a known address); answered by `KeystoreDone`.
    AddAddress {
        id: RequestId,
        name: String,
        ss58: String,
    },
    RemoveAddress {
        id: RequestId,
        name: String,
    },
    GenerateMnemonic {
        id: RequestId,
        words: WordCount,
    },
    CreateWallet {
        id: RequestId,
        name: String,
        mnemonic: Mnemonic,
        password: SecretString,
        format: KeyFileFormat,
    },
    /// Restore a coldkey from a mnemonic, a 0x seed or a secret URI.
    RestoreColdkey {
        id: RequestId,
        name: String,
        secret: SecretString,
        password: SecretString,
        format: KeyFileFormat,
    },
    WatchOnly {
        id: RequestId,
        name: String,
        ss58: String,
    },
    /// A new unencrypted hotkey (btcli's default: hotkeys hold no funds).
    NewHotkey {
        id: RequestId,
        wallet: String,
        hotkey: String,
        words: WordCount,
    },
    ChangePassword {
        id: RequestId,
        wallet: String,
        target: KeyTarget,
        old: SecretString,
        new: SecretString,
    },
    Convert {
        id: RequestId,
        wallet: String,
        target: KeyTarget,
        password: SecretString,
        to: KeyFileFormat,
    },

    FetchBalances {
        id: RequestId,
        coldkeys: Vec<String>,
    },
    FetchPositions {
        id: RequestId,
        coldkey: String,
    },
    FetchSubnets {
        id: RequestId,
    },
    FetchValidators {
        id: RequestId,
        netuid: u16,
    },
    FetchOverview {
        id: RequestId,
    },
    /// Ask the chain for the preview of `request` (fee, expected amounts, checks).
    PreviewStake {
        id: RequestId,
        request: StakeRequest,
    },
    /// Like `PreviewStake` for the live preview while the user types; keeps nothing to sign.
    QuoteStake {
        id: RequestId,
        request: StakeRequest,
    },
    /// Sign and send what the preview `preview` showed.
    SubmitStake {
        id: RequestId,
        preview: RequestId,
        request: StakeRequest,
        password: SecretString,
    },
    /// Write the unsigned transaction of what the preview `preview` showed, for offline signing, instead of
    /// signing it; answered by `UnsignedWritten`.
    WriteUnsigned {
        id: RequestId,
        preview: RequestId,
        request: StakeRequest,
    },
    /// Ask the chain for the preview of a rebalance batch; answered by `BatchPreviewed`.
    PreviewBatch {
        id: RequestId,
        request: BatchRequest,
    },
    /// Sign and send the batch the preview `preview` showed; answered by `TxProgress` and `TxDone`.
    SubmitBatch {
        id: RequestId,
        preview: RequestId,
        request: BatchRequest,
        password: SecretString,
    },
    /// Write the batch the preview `preview` showed as an unsigned transaction; answered by `UnsignedWritten`.
    WriteUnsignedBatch {
        id: RequestId,
        preview: RequestId,
        request: BatchRequest,
    },
    /// Read the signed transaction file at `path` and check it against the chain; answered by `SignedOpened`.
    OpenSigned {
        id: RequestId,
        path: String,
    },
    /// Check the signed file at `path` again and send it; answered by `TxProgress` and `TxDone`.
    SubmitSigned {
        id: RequestId,
        path: String,
    },
    LoadHistory {
        id: RequestId,
    },
    /// Read `coldkey`'s value journal on the connected chain.
    LoadJournal {
        id: RequestId,
        coldkey: String,
    },
    /// Fill the journal from chain state over the last `span_secs` (`None`: as far back as the node
    /// keeps state, bounded), sampled.
    BackfillJournal {
        id: RequestId,
        coldkey: String,
        span_secs: Option<u64>,
    },
    /// Compute what `coldkey`'s positions earned over the last `span_secs`.
    FetchEarnings {
        id: RequestId,
        coldkey: String,
        span_secs: u64,
    },
    /// Write an earnings report as CSV in the data folder.
    ExportEarnings {
        id: RequestId,
        coldkey: String,
        report: Box<crate::chain::earnings::EarningsReport>,
    },
    /// Read what touched `coldkey` on chain over the last `span_secs` (by scanning blocks) and merge it with this
    /// machine's records; answered by `ChainHistoryLoaded`.
    ScanHistory {
        id: RequestId,
        coldkey: String,
        span_secs: u64,
    },
    /// Write the history as CSV in the data folder: `merged` (the chain's, with this machine's records) when it
    /// was read, else this machine's records alone.
    ExportHistory {
        id: RequestId,
        merged: Option<Box<crate::history_merge::MergedHistory>>,
    },
    /// Read the proxies `coldkey` has granted; answered by `ProxiesLoaded`.
    FetchProxies {
        id: RequestId,
        coldkey: String,
    },
    /// Preview a grant or revocation (and keep it for signing); answered by `GrantPreviewed`.
    PreviewGrant {
        id: RequestId,
        request: GrantRequest,
    },
    /// Sign and send what the grant preview `preview` showed; answered by `TxProgress` and `TxDone`.
    SubmitGrant {
        id: RequestId,
        preview: RequestId,
        request: GrantRequest,
        password: SecretString,
    },
    /// Write the grant as an unsigned transaction for the offline machine holding the coldkey; answered by
    /// `UnsignedWritten`.
    WriteGrantUnsigned {
        id: RequestId,
        request: GrantRequest,
    },
    /// Set or clear `[wallets.NAME] proxy` in the config file; answered by `WalletProxySaved`.
    SaveWalletProxy {
        id: RequestId,
        wallet: String,
        proxy: Option<String>,
    },
}

impl fmt::Debug for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Effect::Quit => f.write_str("Quit"),
            Effect::Cancel { ids } => write!(f, "Cancel({ids:?})"),
            Effect::CopyToClipboard(_) => f.write_str("CopyToClipboard"),
            Effect::ClearClipboard => f.write_str("ClearClipboard"),
            Effect::ScanWallets { id } => write!(f, "ScanWallets({id:?})"),
            Effect::LoadAddressBook { id } => write!(f, "LoadAddressBook({id:?})"),
            Effect::LoadUsedRecipients => f.write_str("LoadUsedRecipients"),
            Effect::AddAddress { id, name, .. } => write!(f, "AddAddress({id:?}, {name})"),
            Effect::RemoveAddress { id, name } => write!(f, "RemoveAddress({id:?}, {name})"),
            Effect::GenerateMnemonic { id, words } => {
                write!(f, "GenerateMnemonic({id:?}, {words})")
            }
            Effect::CreateWallet {
                id, name, format, ..
            } => write!(f, "CreateWallet({id:?}, {name}, {format:?})"),
            Effect::RestoreColdkey {
                id, name, format, ..
            } => write!(f, "RestoreColdkey({id:?}, {name}, {format:?})"),
            Effect::WatchOnly { id, name, ss58 } => write!(f, "WatchOnly({id:?}, {name}, {ss58})"),
            Effect::NewHotkey {
                id, wallet, hotkey, ..
            } => write!(f, "NewHotkey({id:?}, {wallet}, {hotkey})"),
            Effect::ChangePassword {
                id, wallet, target, ..
            } => write!(f, "ChangePassword({id:?}, {wallet}, {target})"),
            Effect::Convert {
                id,
                wallet,
                target,
                to,
                ..
            } => write!(f, "Convert({id:?}, {wallet}, {target}, {to:?})"),
            Effect::FetchBalances { id, .. } => write!(f, "FetchBalances({id:?})"),
            Effect::FetchPositions { id, coldkey } => {
                write!(f, "FetchPositions({id:?}, {coldkey})")
            }
            Effect::FetchSubnets { id } => write!(f, "FetchSubnets({id:?})"),
            Effect::FetchValidators { id, netuid } => {
                write!(f, "FetchValidators({id:?}, {netuid})")
            }
            Effect::FetchOverview { id } => write!(f, "FetchOverview({id:?})"),
            Effect::PreviewStake { id, request } => write!(f, "PreviewStake({id:?}, {request:?})"),
            Effect::QuoteStake { id, request } => write!(f, "QuoteStake({id:?}, {request:?})"),
            Effect::SubmitStake { id, request, .. } => {
                write!(f, "SubmitStake({id:?}, {request:?})")
            }
            Effect::WriteUnsigned { id, request, .. } => {
                write!(f, "WriteUnsigned({id:?}, {request:?})")
            }
            Effect::PreviewBatch { id, request } => write!(f, "PreviewBatch({id:?}, {request:?})"),
            Effect::SubmitBatch { id, request, .. } => {
                write!(f, "SubmitBatch({id:?}, {request:?})")
            }
            Effect::WriteUnsignedBatch { id, request, .. } => {
                write!(f, "WriteUnsignedBatch({id:?}, {request:?})")
            }
            Effect::OpenSigned { id, path } => write!(f, "OpenSigned({id:?}, {path})"),
            Effect::SubmitSigned { id, path } => write!(f, "SubmitSigned({id:?}, {path})"),
            Effect::LoadHistory { id } => write!(f, "LoadHistory({id:?})"),
            Effect::LoadJournal { id, coldkey } => write!(f, "LoadJournal({id:?}, {coldkey})"),
            Effect::BackfillJournal {
                id,
                coldkey,
                span_secs,
            } => write!(f, "BackfillJournal({id:?}, {coldkey}, {span_secs:?})"),
            Effect::FetchEarnings {
                id,
                coldkey,
                span_secs,
            } => write!(f, "FetchEarnings({id:?}, {coldkey}, {span_secs})"),
            Effect::ExportEarnings { id, coldkey, .. } => {
                write!(f, "ExportEarnings({id:?}, {coldkey})")
            }
            Effect::ScanHistory {
                id,
                coldkey,
                span_secs,
            } => write!(f, "ScanHistory({id:?}, {coldkey}, {span_secs})"),
            Effect::FetchProxies { id, coldkey } => write!(f, "FetchProxies({id:?}, {coldkey})"),
            Effect::PreviewGrant { id, request } => write!(f, "PreviewGrant({id:?}, {request:?})"),
            Effect::SubmitGrant { id, request, .. } => {
                write!(f, "SubmitGrant({id:?}, {request:?})")
            }
            Effect::WriteGrantUnsigned { id, request } => {
                write!(f, "WriteGrantUnsigned({id:?}, {request:?})")
            }
            Effect::SaveWalletProxy { id, wallet, proxy } => {
                write!(f, "SaveWalletProxy({id:?}, {wallet}, {proxy:?})")
            }
            Effect::ExportHistory { id, merged } => write!(
                f,
                "ExportHistory({id:?}, {})",
                if merged.is_some() { "merged" } else { "local" }
            ),
        }
    }
}
