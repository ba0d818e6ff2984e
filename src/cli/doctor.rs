//! `taotui doctor`: which features work on the connected runtime, or on a metadata file offline.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Serialize;
use subxt::Metadata;

use crate::chain::features::{FeatureTable, Status};
use crate::chain::runtime_info::{RuntimeFacts, metadata_from_file_bytes};

use super::GlobalArgs;
use super::output::{Table, print_json, print_text};

#[derive(Debug, Args, Clone)]
pub struct DoctorArgs {
    /// Check this metadata file offline instead of a node: the SCALE bytes `state_getMetadata` returns, or their
    /// 0x hex form.
    #[arg(long, value_name = "FILE")]
    pub metadata: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct FeatureJson {
    id: &'static str,
    name: &'static str,
    core: bool,
    status: &'static str,
    /// Why it is off, or what it works without.
    reasons: Vec<String>,
}

#[derive(Debug, Serialize)]
struct DoctorJson {
    /// The node asked, when checking a live runtime.
    endpoint: Option<String>,
    /// The file read, when checking a metadata file.
    metadata_file: Option<String>,
    spec_name: Option<String>,
    spec_version: Option<u32>,
    transaction_version: Option<u32>,
    extensions: Vec<String>,
    /// Balances, positions, prices, previews and the stake/unstake/transfer calls all work.
    core_works: bool,
    features: Vec<FeatureJson>,
}

pub fn run(args: DoctorArgs, global: &GlobalArgs) -> Result<()> {
    let report = match &args.metadata {
        Some(path) => offline(path)?,
        None => live(global)?,
    };
    if global.json {
        print_json(&report)?;
    } else {
        print_text(&render(&report))?;
    }
    if !report.core_works {
        let broken: Vec<String> = report
            .features
            .iter()
            .filter(|f| f.core && f.status == "off")
            .map(|f| format!("{} need {}", f.name, f.reasons.join("; ")))
            .collect();
        bail!(
            "the nominator's core does not work on runtime {}: {}",
            report
                .spec_version
                .map_or_else(|| "?".to_owned(), |v| v.to_string()),
            broken.join("; ")
        );
    }
    Ok(())
}

fn offline(path: &PathBuf) -> Result<DoctorJson> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let metadata = metadata_from_file_bytes(&bytes)
        .with_context(|| format!("cannot use {} as runtime metadata", path.display()))?;
    let facts = RuntimeFacts::of(&metadata);
    let table = FeatureTable::build(&metadata, facts.spec_version.unwrap_or(0));
    Ok(report(
        None,
        Some(path.display().to_string()),
        facts,
        &metadata,
        &table,
    ))
}

fn live(global: &GlobalArgs) -> Result<DoctorJson> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async {
        let client = super::chain_cmds::connect(global).await?;
        let metadata = client.metadata();
        let mut facts = RuntimeFacts::of(&metadata);
        // The node's own answer wins over the metadata constant (they agree on a sane node).
        facts.spec_version = Some(client.spec_version());
        facts.transaction_version = Some(client.transaction_version());
        let table = client.features();
        Ok(report(
            Some(client.endpoint()),
            None,
            facts,
            &metadata,
            &table,
        ))
    })
}

fn report(
    endpoint: Option<String>,
    metadata_file: Option<String>,
    facts: RuntimeFacts,
    _metadata: &Metadata,
    table: &FeatureTable,
) -> DoctorJson {
    let features = table
        .statuses()
        .iter()
        .map(|(f, status)| FeatureJson {
            id: f.id,
            name: f.name,
            core: f.core,
            status: status.label(),
            reasons: match status {
                Status::Works => Vec::new(),
                Status::Reduced(r) | Status::Off(r) => r.clone(),
            },
        })
        .collect();
    DoctorJson {
        endpoint,
        metadata_file,
        spec_name: facts.spec_name,
        spec_version: facts.spec_version,
        transaction_version: facts.transaction_version,
        extensions: facts.extensions,
        core_works: table.core_works(),
        features,
    }
}

fn render(r: &DoctorJson) -> String {
    let mut out = String::new();
    if let Some(e) = &r.endpoint {
        out.push_str(&format!("endpoint    {e}\n"));
    }
    if let Some(f) = &r.metadata_file {
        out.push_str(&format!("metadata    {f} (offline)\n"));
    }
    let or_unknown = |v: Option<u32>| v.map_or_else(|| "unknown".to_owned(), |v| v.to_string());
    out.push_str(&format!(
        "runtime     {} spec {}, transaction version {}\n",
        r.spec_name.as_deref().unwrap_or("(unnamed)"),
        or_unknown(r.spec_version),
        or_unknown(r.transaction_version)
    ));
    out.push_str(&format!(
        "extensions  {} ({})\n\n",
        r.extensions.len(),
        r.extensions.join(", ")
    ));
    let mut t = Table::new(["feature", "core", "status", "why"]);
    for f in &r.features {
        t.row([
            f.name.to_owned(),
            if f.core { "yes" } else { "" }.to_owned(),
            f.status.to_owned(),
            f.reasons.join("; "),
        ]);
    }
    out.push_str(&t.render());
    out.push_str(if r.core_works {
        "\nnominator core: works (balances, positions, prices, previews, stake, unstake, transfer)\n"
    } else {
        "\nnominator core: DOES NOT WORK on this runtime (see the features marked core above)\n"
    });
    out
}
