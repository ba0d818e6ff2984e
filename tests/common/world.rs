//! A realistic nominator world on a fresh local chain, built only with taotui's own signing and submission code
//! (`taotui::chain::{signer, tx}`) and keys derived by `taotui_keystore`.
//!
//! What [`World::seed`] creates (netuid 1 is in genesis, never started, so ours are 2, 3, 4):
//! - sudo (//Alice): network and transaction rate limits to 0, subtoken enabled on root (netuid 0);
//! - three subnets, owned by //Alice (owner hotkeys //Alice//owner-N), started after `DurationOfStartCall`;
//! - registration limits raised, then four validator hotkeys burned-registered, three per subnet, owned by
//!   //Bob, //Charlie and a fresh-mnemonic coldkey; two of them on root (so they are in `Delegates`);
//! - identities for the //Bob and //Charlie validator coldkeys;
//! - a nominator coldkey (fixed mnemonic) funded by //Alice, staking to validators on root and on subnets
//!   (nine positions; two validators hold its stake on two subnets and root);
//! - 25 more blocks, so every subnet has run epochs and validators have dividends.
//!
//! [`shared`] seeds once per test binary and hands the same world to every test in it.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use secrecy::SecretString;
use subxt::backend::LegacyBackend;
use subxt::dynamic::Value;
use subxt::rpcs::{RpcClient, rpc_params};
use subxt::{OnlineClient, SubstrateConfig};
use taotui::chain::signer::KeypairSigner;
use taotui::chain::tx::{self, SubmitOptions, TxError, TxOutcome};
use taotui_keystore::derive::{CryptoType, Keypair};

use super::localchain::{LocalChain, StartError, report_skip, running_in_ci};

/// Not a secret: a BIP39 test-vector phrase, so the nominator's address is the same on every run.
pub const NOMINATOR_MNEMONIC: &str =
    "legal winner thank year wave sausage worth useful legal winner thank yellow";
/// A third validator coldkey from a phrase rather than a dev path (also a BIP39 test vector).
pub const FRESH_VALIDATOR_MNEMONIC: &str =
    "letter advice cage absurd amount doctor acoustic avoid letter advice cage above";

pub const TAO: u64 = 1_000_000_000;
/// What //Alice sends the nominator; enough for every position plus fees, with plenty left.
pub const NOMINATOR_FUNDING: u64 = 10_000 * TAO;
/// What //Alice sends the fresh validator coldkey for its burned registrations.
pub const FRESH_VALIDATOR_FUNDING: u64 = 1_000 * TAO;
/// Blocks `start_call` must wait after registration (`DurationOfStartCall` is 10 in the dev spec), plus one.
pub const START_CALL_WAIT_BLOCKS: u32 = 11;
/// Blocks advanced at the end; tempo is 10, so every subnet runs at least two epochs.
pub const EPOCH_BLOCKS: u32 = 25;
pub const SUBNET_COUNT: usize = 3;
/// Raised from the defaults so nine burned registrations in quick succession are accepted.
const REGISTRATIONS_LIMIT: u16 = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    pub netuid: u16,
    pub owner_coldkey: [u8; 32],
    pub owner_hotkey: [u8; 32],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validator {
    /// A label for messages, e.g. "bob-v1".
    pub label: String,
    pub hotkey: [u8; 32],
    pub coldkey: [u8; 32],
    /// Secret URI of the coldkey (dev path or test phrase; test data, not a secret).
    pub coldkey_suri: String,
    /// Subnets the hotkey is burned-registered on (root is not listed here).
    pub netuids: Vec<u16>,
    /// Registered on root (netuid 0), hence a delegate.
    pub on_root: bool,
    /// Identity name set for its coldkey, when the runtime has `set_identity`.
    pub identity: Option<String>,
}

/// One stake the nominator made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub hotkey: [u8; 32],
    pub netuid: u16,
    /// TAO (in rao) sent with `add_stake`.
    pub tao_staked: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nominator {
    pub mnemonic: &'static str,
    pub coldkey: [u8; 32],
    pub ss58: String,
    pub funded: u64,
}

#[derive(Debug, Clone)]
pub struct World {
    pub subnets: Vec<Subnet>,
    pub validators: Vec<Validator>,
    pub nominator: Nominator,
    pub positions: Vec<Position>,
    /// Head block number when seeding finished.
    pub head: u64,
    pub seed_time: Duration,
    /// Number of extrinsics submitted while seeding.
    pub extrinsics: usize,
    /// What did not go as the README describes and how seeding coped with it.
    pub notes: Vec<String>,
}

/// A keypair from a dev path (`//Alice`) or a phrase.
pub fn signer(suri: &str) -> KeypairSigner {
    let keypair = Keypair::from_suri(&SecretString::from(suri.to_owned()), CryptoType::Sr25519)
        .unwrap_or_else(|e| panic!("test key {suri:?} does not derive: {e}"));
    KeypairSigner::new(keypair)
}

pub fn account(suri: &str) -> [u8; 32] {
    signer(suri).public_key()
}

pub fn nominator_signer() -> KeypairSigner {
    signer(NOMINATOR_MNEMONIC)
}

/// A subxt client over the legacy backend (see tests/localchain_smoke.rs for why legacy).
pub async fn connect(ws_url: &str) -> (OnlineClient<SubstrateConfig>, RpcClient) {
    let rpc = RpcClient::from_insecure_url(ws_url)
        .await
        .unwrap_or_else(|e| panic!("connecting to {ws_url}: {e}"));
    let backend = LegacyBackend::<SubstrateConfig>::builder().build(rpc.clone());
    let api = OnlineClient::from_backend(Arc::new(backend))
        .await
        .unwrap_or_else(|e| panic!("subxt client for {ws_url}: {e}"));
    (api, rpc)
}

pub async fn new_blocks(rpc: &RpcClient, count: u32) {
    let _: serde_json::Value = rpc
        .request(
            "dev_newBlock",
            rpc_params![serde_json::json!({ "count": count })],
        )
        .await
        .unwrap_or_else(|e| panic!("dev_newBlock {count}: {e}"));
}

/// Seeding steps submit one transaction at a time, each in its own block (chopsticks' Instant mode), and
/// do not wait for finality: nothing here depends on it and it would only add time.
fn seed_options() -> SubmitOptions {
    SubmitOptions {
        wait_for_finalized: false,
        timeout: Duration::from_secs(90),
        ..SubmitOptions::default()
    }
}

struct Seeder<'a> {
    api: &'a OnlineClient<SubstrateConfig>,
    rpc: &'a RpcClient,
    sudo: KeypairSigner,
    count: usize,
}

impl Seeder<'_> {
    async fn send(
        &mut self,
        what: &str,
        by: &KeypairSigner,
        call: &subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>>,
    ) -> TxOutcome {
        self.count += 1;
        tx::submit(self.api, self.rpc, by, call, &seed_options())
            .await
            .unwrap_or_else(|e| panic!("seeding step `{what}` failed: {e}"))
    }

    async fn try_sudo(
        &mut self,
        call: subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>>,
    ) -> Result<TxOutcome, TxError> {
        self.count += 1;
        tx::submit_sudo(self.api, self.rpc, &self.sudo, call, &seed_options()).await
    }

    async fn sudo(
        &mut self,
        what: &str,
        call: subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>>,
    ) -> TxOutcome {
        self.try_sudo(call)
            .await
            .unwrap_or_else(|e| panic!("sudo seeding step `{what}` failed: {e}"))
    }
}

fn id(account: [u8; 32]) -> Value {
    tx::account_arg(account)
}

fn netuid(n: u16) -> Value {
    Value::u128(u128::from(n))
}

fn rao(amount: u64) -> Value {
    Value::u128(u128::from(amount))
}

impl World {
    /// Builds the world on `chain`, which must be fresh. Panics with the failing step on any error.
    pub async fn seed(chain: &LocalChain) -> World {
        let started = Instant::now();
        let (api, rpc) = connect(chain.ws_url()).await;
        let mut notes = Vec::new();
        let alice = signer("//Alice");
        let mut s = Seeder {
            api: &api,
            rpc: &rpc,
            sudo: alice.clone(),
            count: 0,
        };

        // Rate limits off, so the steps below can follow each other block after block.
        s.sudo(
            "network rate limit 0",
            tx::call("AdminUtils", "sudo_set_network_rate_limit", [rao(0)]),
        )
        .await;
        s.sudo(
            "tx rate limit 0",
            tx::call("AdminUtils", "sudo_set_tx_rate_limit", [rao(0)]),
        )
        .await;
        // Root's subtoken is disabled in this genesis: staking on root is refused (custom error 255) until enabled.
        s.sudo(
            "subtoken on root",
            tx::call(
                "AdminUtils",
                "sudo_set_subtoken_enabled",
                [netuid(0), Value::bool(true)],
            ),
        )
        .await;

        // Subnets: register, wait DurationOfStartCall, start.
        let mut subnets = Vec::new();
        for i in 0..SUBNET_COUNT {
            let owner_hotkey = account(&format!("//Alice//owner-{i}"));
            let before = next_netuid_guess(&api).await;
            let outcome = s
                .send(
                    "register_network",
                    &alice,
                    &tx::call("SubtensorModule", "register_network", [id(owner_hotkey)]),
                )
                .await;
            let registered = network_added_netuid(&outcome).unwrap_or(before);
            subnets.push(Subnet {
                netuid: registered,
                owner_coldkey: alice.public_key(),
                owner_hotkey,
            });
        }
        new_blocks(&rpc, START_CALL_WAIT_BLOCKS).await;
        for subnet in &subnets {
            s.send(
                "start_call",
                &alice,
                &tx::call("SubtensorModule", "start_call", [netuid(subnet.netuid)]),
            )
            .await;
            s.sudo(
                "max registrations per block",
                tx::call(
                    "AdminUtils",
                    "sudo_set_max_registrations_per_block",
                    [netuid(subnet.netuid), rao(u64::from(REGISTRATIONS_LIMIT))],
                ),
            )
            .await;
            s.sudo(
                "target registrations per interval",
                tx::call(
                    "AdminUtils",
                    "sudo_set_target_registrations_per_interval",
                    [netuid(subnet.netuid), rao(u64::from(REGISTRATIONS_LIMIT))],
                ),
            )
            .await;
        }

        // The fresh validator coldkey needs TAO for its burned registrations.
        let fresh = signer(FRESH_VALIDATOR_MNEMONIC);
        s.send(
            "fund the fresh validator coldkey",
            &alice,
            &transfer(fresh.public_key(), FRESH_VALIDATOR_FUNDING),
        )
        .await;

        let [n2, n3, n4] = [subnets[0].netuid, subnets[1].netuid, subnets[2].netuid];
        let plan: [(&str, &str, &str, Vec<u16>, bool); 4] = [
            (
                "bob-v1",
                "//Bob",
                "//Bob//validator-1",
                vec![n2, n3, n4],
                true,
            ),
            ("bob-v2", "//Bob", "//Bob//validator-2", vec![n2, n3], false),
            (
                "charlie-v1",
                "//Charlie",
                "//Charlie//validator-1",
                vec![n3, n4],
                true,
            ),
            (
                "fresh-v1",
                FRESH_VALIDATOR_MNEMONIC,
                "//Fresh//validator-1",
                vec![n2, n4],
                false,
            ),
        ];
        let mut validators = Vec::new();
        for (label, cold_suri, hot_suri, netuids, on_root) in plan {
            let cold = signer(cold_suri);
            let hotkey = account(hot_suri);
            for &n in &netuids {
                s.send(
                    &format!("burned_register {label} on {n}"),
                    &cold,
                    &tx::call(
                        "SubtensorModule",
                        "burned_register",
                        [netuid(n), id(hotkey)],
                    ),
                )
                .await;
            }
            if on_root {
                s.send(
                    &format!("root_register {label}"),
                    &cold,
                    &tx::call("SubtensorModule", "root_register", [id(hotkey)]),
                )
                .await;
            }
            validators.push(Validator {
                label: label.to_owned(),
                hotkey,
                coldkey: cold.public_key(),
                coldkey_suri: cold_suri.to_owned(),
                netuids,
                on_root,
                identity: None,
            });
        }

        // Identities are per coldkey; the runtime requires the coldkey to own a registered hotkey.
        for (cold_suri, name) in [
            ("//Bob", "Bob's Validators"),
            ("//Charlie", "Charlie Staking"),
        ] {
            let cold = signer(cold_suri);
            let call = tx::call(
                "SubtensorModule",
                "set_identity",
                [
                    Value::from_bytes(name.as_bytes()),
                    Value::from_bytes(b"https://example.invalid"),
                    Value::from_bytes(b""),
                    Value::from_bytes(b""),
                    Value::from_bytes(b""),
                    Value::from_bytes(b"A validator on the local test chain"),
                    Value::from_bytes(b""),
                ],
            );
            s.count += 1;
            match tx::submit(&api, &rpc, &cold, &call, &seed_options()).await {
                Ok(_) => {
                    for v in validators
                        .iter_mut()
                        .filter(|v| v.coldkey == cold.public_key())
                    {
                        v.identity = Some(name.to_owned());
                    }
                }
                Err(e) => notes.push(format!("set_identity for {cold_suri} failed: {e}")),
            }
        }

        // The nominator.
        let nominator = nominator_signer();
        s.send(
            "fund the nominator",
            &alice,
            &transfer(nominator.public_key(), NOMINATOR_FUNDING),
        )
        .await;
        let hot = |label: &str| {
            validators
                .iter()
                .find(|v| v.label == label)
                .map(|v| v.hotkey)
                .unwrap_or_else(|| panic!("no validator {label}"))
        };
        let plan = [
            ("bob-v1", 0, 500 * TAO),
            ("charlie-v1", 0, 300 * TAO),
            ("bob-v1", n2, 100 * TAO),
            ("bob-v2", n2, 50 * TAO),
            ("fresh-v1", n2, 20 * TAO),
            ("bob-v1", n3, 80 * TAO),
            ("charlie-v1", n3, 40 * TAO),
            ("charlie-v1", n4, 60 * TAO),
            ("fresh-v1", n4, 30 * TAO),
        ];
        let mut positions = Vec::new();
        for (label, n, amount) in plan {
            let hotkey = hot(label);
            s.send(
                &format!("nominator add_stake {label} on {n}"),
                &nominator,
                &tx::call(
                    "SubtensorModule",
                    "add_stake",
                    [id(hotkey), netuid(n), rao(amount)],
                ),
            )
            .await;
            positions.push(Position {
                hotkey,
                netuid: n,
                tao_staked: amount,
            });
        }

        new_blocks(&rpc, EPOCH_BLOCKS).await;
        let head = api
            .at_current_block()
            .await
            .map(|at| at.block_number())
            .unwrap_or_default();
        let seed_time = started.elapsed();
        let world = World {
            subnets,
            validators,
            nominator: Nominator {
                mnemonic: NOMINATOR_MNEMONIC,
                coldkey: nominator.public_key(),
                ss58: nominator.ss58(),
                funded: NOMINATOR_FUNDING,
            },
            positions,
            head,
            seed_time,
            extrinsics: s.count,
            notes,
        };
        eprintln!(
            "world seeded in {:.1} s: {} extrinsics, head #{}, subnets {:?}, {} validators, {} positions{}",
            seed_time.as_secs_f64(),
            world.extrinsics,
            world.head,
            world.subnets.iter().map(|s| s.netuid).collect::<Vec<_>>(),
            world.validators.len(),
            world.positions.len(),
            if world.notes.is_empty() {
                String::new()
            } else {
                format!("; notes: {}", world.notes.join("; "))
            }
        );
        world
    }

    pub fn netuids(&self) -> Vec<u16> {
        self.subnets.iter().map(|s| s.netuid).collect()
    }

    pub fn validator(&self, label: &str) -> &Validator {
        self.validators
            .iter()
            .find(|v| v.label == label)
            .unwrap_or_else(|| panic!("no validator labelled {label}"))
    }
}

fn transfer(
    dest: [u8; 32],
    amount: u64,
) -> subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>> {
    tx::call(
        "Balances",
        "transfer_keep_alive",
        [Value::unnamed_variant("Id", [id(dest)]), rao(amount)],
    )
}

/// The netuid named in a `NetworkAdded(netuid, mechanism)` event.
fn network_added_netuid(outcome: &TxOutcome) -> Option<u16> {
    let event = outcome
        .events
        .iter()
        .find(|e| e.is("SubtensorModule", "NetworkAdded"))?;
    let digits: String = event
        .fields
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Fallback when the event cannot be read: the count of subnets so far (genesis holds 0 and 1).
async fn next_netuid_guess(api: &OnlineClient<SubstrateConfig>) -> u16 {
    let at = api
        .at_current_block()
        .await
        .unwrap_or_else(|e| panic!("current block: {e}"));
    at.storage()
        .try_fetch(
            subxt::dynamic::storage::<(), u16>("SubtensorModule", "TotalNetworks"),
            (),
        )
        .await
        .ok()
        .flatten()
        .and_then(|v| v.decode().ok())
        .unwrap_or(2)
}

/// One chain and one seeded world per test binary, with the runtime their clients live on.
pub struct Shared {
    pub chain: LocalChain,
    pub world: World,
    pub runtime: tokio::runtime::Runtime,
}

impl Shared {
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        self.runtime.block_on(fut)
    }

    pub fn ws_url(&self) -> &str {
        self.chain.ws_url()
    }
}

static SHARED: OnceLock<Result<Option<Shared>, String>> = OnceLock::new();

/// The binary's seeded world, seeding it on first use. `None` (after a SKIPPED line) where the chain cannot run
/// here; panics where it could run but failed, and under CI where it cannot run.
pub fn shared_or_skip() -> Option<&'static Shared> {
    let shared = SHARED.get_or_init(|| {
        let chain = match LocalChain::start() {
            Ok(chain) => chain,
            Err(StartError::Unavailable(reason)) if !running_in_ci() => {
                report_skip("seeded world", &reason);
                return Ok(None);
            }
            Err(e) => return Err(e.to_string()),
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        // A failed seed is remembered, so the other tests fail fast instead of each seeding a chain again.
        let world = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime.block_on(World::seed(&chain))
        }))
        .map_err(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            format!("{message}\nchain log:\n{}", chain.log_tail())
        })?;
        Ok(Some(Shared {
            chain,
            world,
            runtime,
        }))
    });
    match shared {
        Ok(Some(shared)) => Some(shared),
        Ok(None) => {
            report_skip(
                &std::thread::current().name().unwrap_or("test").to_owned(),
                "the local chain is unavailable (see the SKIPPED line above)",
            );
            None
        }
        Err(e) => panic!("the seeded world could not be built: {e}"),
    }
}
