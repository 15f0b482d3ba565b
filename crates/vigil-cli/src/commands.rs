//! Command implementations, one module per command group.

mod bench;
mod bench_console;
mod dast;
mod demo;
mod evidence;
mod fim;
mod gate;
mod intel;
mod ledger;
mod report;
mod scan;
mod serve;
mod signals;
mod signing;
mod store;
mod triage;
mod version;
mod version_demo;

use std::process::ExitCode;

use crate::cli::{
    AdvisoriesCommand, AppCommand, CatalogCommand, Cli, Command, ConfigCommand, EnvCommand,
    EvidenceCommand, FeedCommand, FimCommand, IntelCommand, LedgerCommand, ReleaseCommand,
    RuntimeCommand, ServiceCommand, ServiceKeyCommand, SignalsCommand, TeamCommand, TokenCommand,
    TriageCommand, VersionCommand, VexCommand,
};

pub(crate) use serve::Explicit;

/// Runs the parsed command. `Err` is reported by `main` with an exit code that says
/// whose fault it was.
pub(crate) fn run(cli: Cli, explicit: serve::Explicit) -> anyhow::Result<ExitCode> {
    let s = &cli.store;
    match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Init(args) => serve::init(s, &args),
        Command::Release(ReleaseCommand::Add(args)) => evidence::release_add(s, &args),
        Command::Release(ReleaseCommand::List(args)) => evidence::release_list(s, &args),
        Command::Release(ReleaseCommand::Signatures(args)) => signing::release_signatures(s, &args),
        Command::Service(ServiceCommand::Key(ServiceKeyCommand::Add(args))) => {
            signing::key_add(s, &args)
        }
        Command::Service(ServiceCommand::Key(ServiceKeyCommand::List(args))) => {
            signing::key_list(s, &args)
        }
        Command::Service(ServiceCommand::Key(ServiceKeyCommand::Remove(args))) => {
            signing::key_remove(s, &args)
        }
        Command::Env(EnvCommand::List(args)) => signing::env_list(s, &args),
        Command::Env(EnvCommand::Policy(args)) => signing::env_policy(s, &args),
        Command::Diff(args) => report::diff(s, &args),
        Command::Metrics(args) => report::metrics(s, &args),
        Command::Gate(args) => gate::run(s, &args),
        Command::RootCause(args) => report::root_cause(s, &args),
        Command::Patterns(args) => report::patterns(s, &args),
        Command::Dast(args) => dast::run(s, &args),
        Command::Import(args) => signals::import(s, &args),
        Command::Runtime(RuntimeCommand::Falco(args)) => signals::falco(s, &args),
        Command::Fim(FimCommand::Baseline(args)) => fim::baseline(s, &args),
        Command::Fim(FimCommand::Check(args)) => fim::check(s, &args),
        Command::Signals(SignalsCommand::List(args)) => signals::list(s, &args),
        Command::Signals(SignalsCommand::Triage(args)) => signals::triage(s, &args),
        Command::Inventory(args) => signals::inventory(s, &args),
        Command::Runtime(RuntimeCommand::Map(args)) => signals::map(s, &args),
        Command::Runtime(RuntimeCommand::Unmap(args)) => signals::unmap(s, &args),
        Command::Runtime(RuntimeCommand::Mappings(args)) => signals::mappings(s, &args),
        Command::Runtime(RuntimeCommand::Alerts(args)) => signals::alerts(s, &args),
        Command::Triage(TriageCommand::Set(args)) => triage::set(s, &args),
        Command::Triage(TriageCommand::List(args)) => triage::list(s, &args),
        Command::Triage(TriageCommand::Revoke(args)) => triage::revoke(s, &args),
        Command::Team(TeamCommand::Add(args)) => triage::team_add(s, &args),
        Command::Team(TeamCommand::List(args)) => triage::team_list(s, &args),
        Command::Team(TeamCommand::Own(args)) => triage::team_own(s, &args),
        Command::Catalog(CatalogCommand::Import(args)) => triage::catalog_import(s, &args),
        Command::Vex(VexCommand::Import(args)) => triage::vex_import(s, &args),
        Command::Vex(VexCommand::Export(args)) => triage::vex_export(s, &args),
        Command::Deploy(args) => evidence::deploy(s, &args),
        Command::Undeploy(args) => evidence::undeploy(s, &args),
        Command::App(AppCommand::Add(args)) => evidence::app_add(s, &args),
        Command::App(AppCommand::List(args)) => evidence::app_list(s, &args),
        Command::Advisories(AdvisoriesCommand::Import(args)) => intel::import(s, &args),
        Command::Advisories(AdvisoriesCommand::Show(args)) => intel::show(s, &args),
        Command::Feed(FeedCommand::Sync(args)) => intel::feed_sync(s, &args),
        Command::Kev(IntelCommand::Import(args)) => intel::kev(s, &args),
        Command::Epss(IntelCommand::Import(args)) => intel::epss(s, &args),
        Command::Rematch(args) => intel::rematch(s, &args),
        Command::Affected(args) => report::affected(s, &args),
        Command::Findings(args) => report::findings(s, &args),
        Command::Status(args) => report::status(s, &args),
        Command::Scan(args) => scan::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Version(VersionCommand::Cmp(args)) => version::cmp(&args),
        Command::Version(VersionCommand::Sort(args)) => version::sort(&args),
        Command::Version(VersionCommand::Demo(args)) => version_demo::run(&args),
        Command::Serve(args) => serve::serve(s, explicit, &args),
        Command::Token(TokenCommand::Create(args)) => serve::token_create(s, &args),
        Command::Token(TokenCommand::List(args)) => serve::token_list(s, &args),
        Command::Token(TokenCommand::Revoke(args)) => serve::token_revoke(s, &args),
        Command::Config(ConfigCommand::Show(args)) => serve::config_show(s, explicit, &args),
        Command::Ledger(LedgerCommand::Checkpoint(args)) => ledger::checkpoint(s, &args),
        Command::Ledger(LedgerCommand::Key(args)) => ledger::key(s, &args),
        Command::Ledger(LedgerCommand::Verify(args)) => ledger::verify(s, &args),
        Command::Ledger(LedgerCommand::Proof(args)) => ledger::proof(s, &args),
        Command::Ledger(LedgerCommand::Leaves(args)) => ledger::leaves(s, &args),
        Command::Evidence(EvidenceCommand::Export(args)) => ledger::evidence_export(s, &args),
        Command::Evidence(EvidenceCommand::Verify(args)) => ledger::evidence_verify(&args),
    }
}
