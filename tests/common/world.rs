//! A realistic nominator world on a fresh local chain, built only with taotui's own signing and submission code
//! (`taotui::chain::{signer, tx}`) and keys derived by `taotui_keystore`.
//!
//! What [`World::seed`] creates (netuid 1 is in genesis, never started, so ours are 2, 3, 4), 12 extrinsics in all;
//! related calls share one `Utility.batch_all` (all or nothing) because every extrinsic costs a ~2 s block:
//! - sudo (//Alice): `sudo_set_network_rate_limit(0)`, `sudo_set_tx_rate_limit(0)`, `sudo_set_subtoken_enabled(0, true)`
//!   (root's subtoken is off in this genesis, so root stakes would be refused with custom error 255);
//! - //Alice: `register_network` x3 (owner hotkeys //Alice//owner-N); transfers funding the fresh validator
//!   coldkey and the nominator; `dev_newBlock {count: 11}` (`DurationOfStartCall` is 10); `start_call` x3;
//! - sudo: `sudo_set_max_registrations_per_block` and `sudo_set_target_registrations_per_interval` (32) per subnet;
//! - per validator coldkey (//Bob, //Charlie, a fresh phrase): `burned_register` of its hotkeys, three per subnet,
//!   and `root_register` for two of them; `set_identity` for //Bob and //Charlie;
//! - the nominator (fixed phrase): one `add_stake` alone, then eight more in a batch: nine positions, two on root,
//!   with bob-v1 and charlie-v1 each holding its stake on root and two subnets;
//! - `dev_newBlock {count: 25}`: tempo is 10, so every subnet runs epochs and validators earn dividends.
//!
//! [`shared_or_skip`] seeds once per test binary and hands the same world to every test in it.

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
    /// Each seeding transaction and how long it took from signing to "in block" with events read.
    pub steps: Vec<(String, Duration)>,
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

/// //Alice sends `amount` rao to `account` (keep-alive transfer), waiting for the block.
pub async fn fund_from_alice(
    api: &OnlineClient<SubstrateConfig>,
    rpc: &RpcClient,
    account: [u8; 32],
    amount: u64,
) {
    // Tests of one binary fund at the same time; two transfers from //Alice with the same nonce make the node
    // drop one (chopsticks then answers the watch with a status subxt cannot read). One at a time.
    static ALICE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _turn = ALICE.lock().await;
    let opts = SubmitOptions {
        wait_for_finalized: false,
        ..SubmitOptions::default()
    };
    tx::submit(
        api,
        rpc,
        &signer("//Alice"),
        &transfer(account, amount),
        &opts,
    )
    .await
    .unwrap_or_else(|e| panic!("funding transfer from //Alice: {e}"));
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
    // A few blocks per request: on a loaded machine 25 blocks in one request outlast the RPC request timeout.
    let mut left = count;
    while left > 0 {
        let n = left.min(5);
        let _: serde_json::Value = rpc
            .request(
                "dev_newBlock",
                rpc_params![serde_json::json!({ "count": n })],
            )
            .await
            .unwrap_or_else(|e| panic!("dev_newBlock {n} (of {count}): {e}"));
        left -= n;
    }
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
    steps: Vec<(String, Duration)>,
}

impl Seeder<'_> {
    async fn send(
        &mut self,
        what: &str,
        by: &KeypairSigner,
        call: &subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>>,
    ) -> TxOutcome {
        self.count += 1;
        let started = Instant::now();
        let outcome = tx::submit(self.api, self.rpc, by, call, &seed_options())
            .await
            .unwrap_or_else(|e| panic!("seeding step `{what}` failed: {e}"));
        self.steps.push((what.to_owned(), started.elapsed()));
        outcome
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
        let started = Instant::now();
        let outcome = self
            .try_sudo(call)
            .await
            .unwrap_or_else(|e| panic!("sudo seeding step `{what}` failed: {e}"));
        self.steps.push((format!("sudo {what}"), started.elapsed()));
        outcome
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
            steps: Vec::new(),
        };

        // Rate limits off, so the steps below can follow each other block after block; root's subtoken is
        // disabled in this genesis, so staking on root is refused (custom error 255) until it is enabled.
        s.sudo(
            "rate limits 0 and root subtoken on",
            batch([
                tx::call("AdminUtils", "sudo_set_network_rate_limit", [rao(0)]),
                tx::call("AdminUtils", "sudo_set_tx_rate_limit", [rao(0)]),
                tx::call(
                    "AdminUtils",
                    "sudo_set_subtoken_enabled",
                    [netuid(0), Value::bool(true)],
                ),
            ]),
        )
        .await;

        // Subnets: register one per transaction (each is a separate lock and owner hotkey), wait
        // DurationOfStartCall, then start them and raise their registration limits.
        let owner_hotkeys: Vec<[u8; 32]> = (0..SUBNET_COUNT)
            .map(|i| account(&format!("//Alice//owner-{i}")))
            .collect();
        let outcome = s
            .send(
                "register_network x3",
                &alice,
                &batch(
                    owner_hotkeys.iter().map(|&hotkey| {
                        tx::call("SubtensorModule", "register_network", [id(hotkey)])
                    }),
                ),
            )
            .await;
        let netuids = network_added_netuids(&outcome);
        assert_eq!(
            netuids.len(),
            SUBNET_COUNT,
            "register_network events: {:?}",
            outcome.events
        );
        let subnets: Vec<Subnet> = netuids
            .into_iter()
            .zip(owner_hotkeys)
            .map(|(netuid, owner_hotkey)| Subnet {
                netuid,
                owner_coldkey: alice.public_key(),
                owner_hotkey,
            })
            .collect();
        let fresh = signer(FRESH_VALIDATOR_MNEMONIC);
        let nominator = nominator_signer();
        s.send(
            "fund the fresh validator coldkey and the nominator",
            &alice,
            &batch([
                transfer(fresh.public_key(), FRESH_VALIDATOR_FUNDING),
                transfer(nominator.public_key(), NOMINATOR_FUNDING),
            ]),
        )
        .await;
        let waited = Instant::now();
        new_blocks(&rpc, START_CALL_WAIT_BLOCKS).await;
        s.steps.push((
            format!("dev_newBlock {START_CALL_WAIT_BLOCKS}"),
            waited.elapsed(),
        ));
        s.send(
            "start_call",
            &alice,
            &batch(
                subnets.iter().map(|subnet| {
                    tx::call("SubtensorModule", "start_call", [netuid(subnet.netuid)])
                }),
            ),
        )
        .await;
        s.sudo(
            "registration limits",
            batch(subnets.iter().flat_map(|subnet| {
                [
                    tx::call(
                        "AdminUtils",
                        "sudo_set_max_registrations_per_block",
                        [netuid(subnet.netuid), rao(u64::from(REGISTRATIONS_LIMIT))],
                    ),
                    tx::call(
                        "AdminUtils",
                        "sudo_set_target_registrations_per_interval",
                        [netuid(subnet.netuid), rao(u64::from(REGISTRATIONS_LIMIT))],
                    ),
                ]
            })),
        )
        .await;

        // Validators: each coldkey registers its hotkeys (and root-registers some) in one batch.
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
            validators.push(Validator {
                label: label.to_owned(),
                hotkey: account(hot_suri),
                coldkey: account(cold_suri),
                coldkey_suri: cold_suri.to_owned(),
                netuids,
                on_root,
                identity: None,
            });
        }
        for cold_suri in ["//Bob", "//Charlie", FRESH_VALIDATOR_MNEMONIC] {
            let cold = signer(cold_suri);
            let mut calls = Vec::new();
            for v in validators.iter().filter(|v| v.coldkey_suri == cold_suri) {
                for &n in &v.netuids {
                    calls.push(tx::call(
                        "SubtensorModule",
                        "burned_register",
                        [netuid(n), id(v.hotkey)],
                    ));
                }
                if v.on_root {
                    calls.push(tx::call("SubtensorModule", "root_register", [id(v.hotkey)]));
                }
            }
            s.send(
                &format!("register validators of {cold_suri}"),
                &cold,
                &batch(calls),
            )
            .await;
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
            let started = Instant::now();
            let result = tx::submit(&api, &rpc, &cold, &call, &seed_options()).await;
            s.steps
                .push((format!("set_identity {cold_suri}"), started.elapsed()));
            match result {
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

        // The nominator stakes one position per transaction, as a user would.
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
        // The first stake goes alone through the plain single-call path; the rest share one batch to save
        // eight blocks (~15 s) of seeding.
        let positions: Vec<Position> = plan
            .iter()
            .map(|&(label, n, amount)| Position {
                hotkey: hot(label),
                netuid: n,
                tao_staked: amount,
            })
            .collect();
        let stake = |p: &Position| {
            tx::call(
                "SubtensorModule",
                "add_stake",
                [id(p.hotkey), netuid(p.netuid), rao(p.tao_staked)],
            )
        };
        s.send(
            "nominator add_stake (first position)",
            &nominator,
            &stake(&positions[0]),
        )
        .await;
        s.send(
            "nominator add_stake x8 (batch)",
            &nominator,
            &batch(positions[1..].iter().map(stake)),
        )
        .await;

        let waited = Instant::now();
        new_blocks(&rpc, EPOCH_BLOCKS).await;
        s.steps
            .push((format!("dev_newBlock {EPOCH_BLOCKS}"), waited.elapsed()));
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
            steps: s.steps,
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

/// `Utility.batch_all`: all calls or none, in one transaction (one block instead of one per call).
fn batch(
    calls: impl IntoIterator<
        Item = subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>>,
    >,
) -> subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>> {
    let calls: Vec<Value> = calls.into_iter().map(|c| c.into_value()).collect();
    tx::call("Utility", "batch_all", [Value::unnamed_composite(calls)])
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

/// The netuids named in `NetworkAdded(netuid, mechanism)` events, in order.
fn network_added_netuids(outcome: &TxOutcome) -> Vec<u16> {
    outcome
        .events
        .iter()
        .filter(|e| e.is("SubtensorModule", "NetworkAdded"))
        .filter_map(|event| {
            let digits: String = event
                .fields
                .trim_start_matches(|c: char| !c.is_ascii_digit())
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect()
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
                std::thread::current().name().unwrap_or("test"),
                "the local chain is unavailable (see the SKIPPED line above)",
            );
            None
        }
        Err(e) => panic!("the seeded world could not be built: {e}"),
    }
}
