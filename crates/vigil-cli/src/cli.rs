//! The command-line grammar: every command, flag and default, in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::Format;

/// Vigil: which running services are affected by a vulnerability, since when, who owns
/// them, what fixes them, and the evidence that proves it.
#[derive(Debug, Parser)]
#[command(name = "vigil", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Where the evidence store is.
#[derive(Clone, Debug, Args)]
pub(crate) struct StoreArgs {
    /// The directory of the embedded SQLite store (created if missing).
    #[arg(
        long,
        global = true,
        env = "VIGIL_DATA_DIR",
        default_value = "vigil-data"
    )]
    pub(crate) data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://user@host/db) to use instead of the embedded store.
    #[arg(
        long,
        global = true,
        env = "VIGIL_DATABASE_URL",
        hide_env_values = true
    )]
    pub(crate) database_url: Option<String>,
    /// The ledger's checkpoint signing key file (default: ledger.key in the data
    /// directory, made by `vigil init`). VIGIL_LEDGER_KEY may hold the key itself.
    #[arg(long, global = true, env = "VIGIL_LEDGER__KEY_FILE")]
    pub(crate) ledger_key: Option<PathBuf>,
    /// The origin line of signed checkpoints (default: the key's name).
    #[arg(long, global = true, env = "VIGIL_LEDGER__ORIGIN")]
    pub(crate) ledger_origin: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build a store from bundled demo data, show the exposure, and say what to try next.
    Demo(DemoArgs),
    /// Create the store (or bring its schema up to date) and say where it is.
    Init(FormatArgs),
    /// Releases: a built version of a service with its SBOM.
    #[command(subcommand)]
    Release(ReleaseCommand),
    /// Record that a release went to an environment.
    ///
    /// Example: vigil deploy --env production --service checkout --version 2.4.0
    Deploy(DeployArgs),
    /// Record that a service no longer runs in an environment.
    Undeploy(UndeployArgs),
    /// OSV advisories in the store.
    #[command(subcommand)]
    Advisories(AdvisoriesCommand),
    /// Sync OSV advisories from osv.dev's bucket (or a mirror with the same layout).
    #[command(subcommand)]
    Feed(FeedCommand),
    /// CISA's Known Exploited Vulnerabilities catalog.
    #[command(subcommand)]
    Kev(IntelCommand),
    /// FIRST's EPSS exploitation scores.
    #[command(subcommand)]
    Epss(IntelCommand),
    /// Who is affected by an advisory: every environment, service and release, now.
    ///
    /// Example: vigil affected CVE-2021-44228
    Affected(AffectedArgs),
    /// Open findings of what runs now, filtered.
    Findings(FindingsArgs),
    /// A summary of the portfolio: what runs where, and its exposure.
    Status(StatusArgs),
    /// Match every release against every advisory again, with this matcher.
    Rematch(QuietArgs),
    /// Applications: named sets of services that make one product.
    #[command(subcommand)]
    App(AppCommand),
    /// Scan an SBOM against OSV advisories, with no store.
    ///
    /// Example: vigil scan bom.json --advisories all.zip --fail-on high
    Scan(ScanArgs),
    /// Generate a synthetic portfolio, load it through the engine, and time the core
    /// operations against their targets.
    ///
    /// Example: vigil bench --scale 10   (a tenth of the full 10,000 releases)
    Bench(BenchArgs),
    /// Compare and sort versions exactly as each package ecosystem does.
    #[command(subcommand)]
    Version(VersionCommand),
    /// Run the HTTP API with the scheduled syncs, the alert outbox and metrics.
    ///
    /// Example: vigil serve --listen 127.0.0.1:8080
    Serve(ServeArgs),
    /// API tokens: create, list, revoke.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The server's configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The tamper-evident ledger of every accepted event: checkpoints, proofs, verify.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Evidence bundles: everything about one release, with ledger proofs, in one file
    /// that verifies offline.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// Services: the keys that sign their releases.
    #[command(subcommand)]
    Service(ServiceCommand),
    /// Environments and their policies (which take only signed releases).
    #[command(subcommand)]
    Env(EnvCommand),
    /// What changed between two releases of a service: packages added, removed,
    /// upgraded and downgraded, from their SBOMs.
    ///
    /// Example: vigil diff --service checkout 2.3.0 2.4.0
    Diff(DiffArgs),
    /// Security performance: time to detect (MTTD), time to remediate (MTTR), open
    /// exposure age, SLA compliance and backlog, overall or by environment, service or
    /// team, and by month.
    ///
    /// Example: vigil metrics --by team --months 6
    Metrics(MetricsArgs),
    /// Root cause of an advisory's findings: the release and commit in which each
    /// vulnerable package version entered a service, the one in which it left, and its
    /// exposure windows per environment.
    ///
    /// Example: vigil root-cause CVE-2021-44228 --service payments-api
    RootCause(RootCauseArgs),
    /// Recurring patterns: the packages, ecosystems and teams that most often bring
    /// vulnerabilities in.
    Patterns(PatternsArgs),
    /// The deployment gate: may this release go to this environment? A Rego policy
    /// (the built-in one, or --policy DIR) answers allow or deny with reasons. Exit 0
    /// allow, 1 deny.
    ///
    /// Example: vigil gate --env production --service checkout --version 2.4.0
    ///          vigil gate test policies/
    Gate(GateArgs),
    /// Triage: decisions on findings (VEX statuses, risk accepted until a date), their
    /// scopes and history.
    #[command(subcommand)]
    Triage(TriageCommand),
    /// VEX documents in (OpenVEX, CycloneDX VEX) and out.
    #[command(subcommand)]
    Vex(VexCommand),
    /// Teams that own services, with their contacts.
    #[command(subcommand)]
    Team(TeamCommand),
    /// Owners from a Backstage catalog: catalog-info.yaml files.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Issues from the running system (DAST, scanner reports, drift, file integrity):
    /// list them and triage them.
    #[command(subcommand)]
    Signals(SignalsCommand),
    /// Compare a runtime inventory (`kubectl get pods -o json`, or a list of workloads)
    /// with the deployment log: images no release produced, services running another
    /// release than the one deployed, and deployments with nothing running are drift.
    ///
    /// Exit 0 without drift, 1 with.
    ///
    /// Example: kubectl get pods -n shop -o json | vigil inventory - --env production
    Inventory(InventoryArgs),
    /// Runtime alerts and the mappings that tie hostnames, namespaces and app labels to
    /// environments and services.
    #[command(subcommand)]
    Runtime(RuntimeCommand),
    /// File integrity: a baseline of a release's deployed files (content hash, mode,
    /// owner, size), and checks against it.
    #[command(subcommand)]
    Fim(FimCommand),
    /// A passive DAST baseline scan of a running web application: security headers,
    /// cookie flags, version disclosure, CORS, directory listings, exposed files, TRACE,
    /// error pages, mixed content. Same-origin, bounded, robots-aware; only GET and one
    /// TRACE are sent. The results become issues of the service in the environment (a
    /// newer scan closes what is gone). Exit 1 when an issue at or above --fail-on is
    /// open.
    ///
    /// Example: `vigil dast https://staging.shop.example/ --env staging --service checkout`
    Dast(DastArgs),
    /// Import a scanner's report about a service in an environment: SARIF 2.1.0
    /// (Semgrep, CodeQL, …), ZAP JSON and Nikto JSON as issues; Trivy and Grype JSON as
    /// vulnerability results merged with Vigil's own findings. A newer report of the
    /// same kind closes what is gone and keeps triage on what stays.
    ///
    /// Example: semgrep --config rules.yml --sarif . > app.sarif
    ///          vigil import sarif app.sarif --env production --service checkout
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The report's format: sarif, zap, trivy, grype, nikto, or auto to recognise it.
    #[arg(value_name = "FORMAT")]
    pub(crate) kind: String,
    /// The report, or - for standard input.
    pub(crate) file: PathBuf,
    #[arg(long)]
    pub(crate) env: String,
    #[arg(long)]
    pub(crate) service: String,
    /// The release; by default the one deployed in --env.
    #[arg(long)]
    pub(crate) version: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct DastArgs {
    /// The base URL: the crawl starts here and stays on its origin.
    pub(crate) url: String,
    #[arg(long)]
    pub(crate) env: String,
    #[arg(long)]
    pub(crate) service: String,
    /// The release scanned; by default the one deployed in --env.
    #[arg(long)]
    pub(crate) version: Option<String>,
    /// Links followed from the base URL, at most.
    #[arg(long, default_value_t = 3)]
    pub(crate) depth: u32,
    /// Requests sent, at most.
    #[arg(long, default_value_t = 200)]
    pub(crate) max_requests: u32,
    /// Requests per second, at most.
    #[arg(long, default_value_t = 10)]
    pub(crate) rate: u32,
    /// Fetch what robots.txt disallows too.
    #[arg(long)]
    pub(crate) ignore_robots: bool,
    /// Do not probe for exposed files (/.git/HEAD, /.env, backups).
    #[arg(long)]
    pub(crate) no_probes: bool,
    /// Scan and print only; record nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Exit 1 when an issue of this severity or higher is found: low, medium, high.
    #[arg(long, default_value = "high")]
    pub(crate) fail_on: String,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum FimCommand {
    /// Record the baseline of the files under PATH as deployed for a release: every
    /// entry's kind, size, mode, owner and, for files, SHA-256, hashed in parallel.
    /// Ledgered with the manifest's digest.
    ///
    /// Example: vigil fim baseline --service checkout --version 2.4.0 /srv/checkout
    Baseline(FimBaselineArgs),
    /// Compare the files under PATH with a release's baseline: added, removed and
    /// changed entries. Exit 0 clean, 1 changes. With --env the changes are recorded as
    /// issues of the service there (in this store, or on --server).
    ///
    /// Example: vigil fim check --service checkout --version 2.4.0 --env production /srv/checkout
    Check(FimCheckArgs),
}

#[derive(Debug, Args)]
pub(crate) struct FimBaselineArgs {
    /// The directory (or file) to record.
    pub(crate) path: PathBuf,
    #[arg(long)]
    pub(crate) service: String,
    #[arg(long)]
    pub(crate) version: String,
    /// Leave out paths matching this glob (relative to PATH); repeatable.
    #[arg(long)]
    pub(crate) exclude: Vec<String>,
    /// Also write the manifest to this file.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Hashing threads (default: twice the cores, at least 8).
    #[arg(long)]
    pub(crate) threads: Option<usize>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct FimCheckArgs {
    /// The directory (or file) to check.
    pub(crate) path: PathBuf,
    /// The release whose baseline to check against (with --version).
    #[arg(long, requires = "version")]
    pub(crate) service: Option<String>,
    #[arg(long, requires = "service")]
    pub(crate) version: Option<String>,
    /// A manifest file to check against instead of a stored baseline.
    #[arg(long, conflicts_with_all = ["service", "version"])]
    pub(crate) baseline: Option<PathBuf>,
    /// Record the changes as issues of the service in this environment.
    #[arg(long, requires = "service")]
    pub(crate) env: Option<String>,
    /// Send the changes to this Vigil server (POST /api/v1/fim/changes) instead of the
    /// local store; the token comes from VIGIL_TOKEN.
    #[arg(long, requires = "env")]
    pub(crate) server: Option<String>,
    #[arg(long, env = "VIGIL_TOKEN", hide_env_values = true)]
    pub(crate) token: Option<String>,
    /// Compare modification times too.
    #[arg(long)]
    pub(crate) mtime: bool,
    #[arg(long)]
    pub(crate) threads: Option<usize>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SignalsCommand {
    /// Issues, highest severity first, with their SLA due dates.
    List(SignalsListArgs),
    /// Record a triage decision on an issue, with the rules of decisions on findings.
    ///
    /// Example: vigil signals triage 12 --status risk_accepted --for-days 30
    ///   --reason "the header ships with 2.5.0"
    Triage(SignalTriageArgs),
}

#[derive(Debug, Args)]
pub(crate) struct SignalsListArgs {
    #[arg(long)]
    pub(crate) env: Option<String>,
    #[arg(long)]
    pub(crate) service: Option<String>,
    /// dast, sarif, zap, nikto, trivy, grype, drift or fim.
    #[arg(long)]
    pub(crate) kind: Option<String>,
    /// Closed issues too.
    #[arg(long)]
    pub(crate) all: bool,
    /// Only issues past their SLA due date.
    #[arg(long)]
    pub(crate) overdue: bool,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct SignalTriageArgs {
    /// The signal's id (`vigil signals list` shows it).
    pub(crate) id: i64,
    #[arg(long, value_enum)]
    pub(crate) status: TriageStatus,
    /// For not_affected: an OpenVEX justification.
    #[arg(long)]
    pub(crate) justification: Option<String>,
    #[arg(long)]
    pub(crate) impact: Option<String>,
    #[arg(long)]
    pub(crate) action: Option<String>,
    #[arg(long)]
    pub(crate) reason: Option<String>,
    /// For risk_accepted: when the acceptance ends (RFC 3339).
    #[arg(long, conflicts_with = "for_days")]
    pub(crate) expires: Option<String>,
    #[arg(long = "for-days")]
    pub(crate) for_days: Option<u32>,
    #[arg(long)]
    pub(crate) actor: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct InventoryArgs {
    /// The inventory file (JSON), or - for standard input.
    pub(crate) file: PathBuf,
    #[arg(long)]
    pub(crate) env: String,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RuntimeCommand {
    /// Tie a hostname, Kubernetes namespace or app label value to an environment and
    /// optionally a service.
    ///
    /// Example: vigil runtime map --kind namespace --name shop-prod --env production
    Map(RuntimeMapArgs),
    /// Remove the mapping of a hostname, namespace or app label value. Alerts already
    /// tied by it keep what they were tied to.
    ///
    /// Example: vigil runtime unmap --kind namespace --name shop-prod
    Unmap(RuntimeUnmapArgs),
    /// The mappings.
    Mappings(FormatArgs),
    /// Runtime alerts, newest first.
    Alerts(RuntimeAlertsArgs),
    /// Record Falco alerts from a file (JSON objects, an array, or one per line, as
    /// Falco's json_output writes them), each tied to the release it concerns.
    ///
    /// Example: vigil runtime falco /var/log/falco/events.json
    Falco(RuntimeFalcoArgs),
}

#[derive(Debug, Args)]
pub(crate) struct RuntimeFalcoArgs {
    /// The alerts, or - for standard input.
    pub(crate) file: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct RuntimeMapArgs {
    /// hostname, namespace or label.
    #[arg(long)]
    pub(crate) kind: String,
    #[arg(long)]
    pub(crate) name: String,
    #[arg(long)]
    pub(crate) env: String,
    #[arg(long)]
    pub(crate) service: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct RuntimeUnmapArgs {
    /// hostname, namespace or label.
    #[arg(long)]
    pub(crate) kind: String,
    #[arg(long)]
    pub(crate) name: String,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct RuntimeAlertsArgs {
    #[arg(long, default_value_t = 50)]
    pub(crate) limit: i64,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct RootCauseArgs {
    /// An advisory id or alias.
    pub(crate) id: String,
    #[arg(long)]
    pub(crate) service: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct PatternsArgs {
    /// How many of each to show.
    #[arg(long, default_value_t = 10)]
    pub(crate) top: usize,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct GateArgs {
    #[command(subcommand)]
    pub(crate) command: Option<GateCommand>,
    #[arg(long)]
    pub(crate) env: Option<String>,
    #[arg(long)]
    pub(crate) service: Option<String>,
    #[arg(long)]
    pub(crate) version: Option<String>,
    /// A .rego file or a directory of them (package vigil.gate), instead of the
    /// built-in policy.
    #[arg(long)]
    pub(crate) policy: Option<PathBuf>,
    /// Print the input document the policy sees, too (with --format json it is always
    /// included).
    #[arg(long)]
    pub(crate) show_input: bool,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum GateCommand {
    /// Run the `test_*` rules of a policy directory, as `opa test` does. Exit 1 if any
    /// fails.
    Test(GateTestArgs),
    /// Print the built-in policy.
    Default,
}

#[derive(Debug, Args)]
pub(crate) struct GateTestArgs {
    pub(crate) path: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

/// How to group metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum MetricsGroup {
    #[default]
    All,
    Environment,
    Service,
    Team,
}

#[derive(Debug, Args)]
pub(crate) struct MetricsArgs {
    #[arg(long, value_enum, default_value_t)]
    pub(crate) by: MetricsGroup,
    /// Also show the last N calendar months.
    #[arg(long)]
    pub(crate) months: Option<u32>,
    #[arg(long)]
    pub(crate) env: Option<String>,
    #[arg(long)]
    pub(crate) service: Option<String>,
    #[arg(long)]
    pub(crate) team: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TriageCommand {
    /// Record a decision about an advisory. The flags given set its scope: --service
    /// with --release and --purl is one finding; --service and --release a release;
    /// --service (with or without --purl) every release of the service; --purl alone
    /// the package everywhere; none, the advisory everywhere. A decision on a service
    /// carries over to later releases while they hold the same package version.
    ///
    /// Example: vigil triage set CVE-2021-23337 --status not_affected --service checkout
    ///   --purl pkg:npm/lodash@4.17.20 --justification vulnerable_code_not_in_execute_path
    ///   --reason "template() is never called"
    Set(TriageSetArgs),
    /// List decisions, oldest first.
    List(TriageListArgs),
    /// Revoke a decision: the findings it covered fall back to the next one.
    Revoke(TriageRevokeArgs),
}

/// The triage statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub(crate) enum TriageStatus {
    UnderInvestigation,
    Affected,
    NotAffected,
    Fixed,
    RiskAccepted,
}

impl TriageStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TriageStatus::UnderInvestigation => "under_investigation",
            TriageStatus::Affected => "affected",
            TriageStatus::NotAffected => "not_affected",
            TriageStatus::Fixed => "fixed",
            TriageStatus::RiskAccepted => "risk_accepted",
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct TriageSetArgs {
    /// The advisory: its id or any alias (CVE, GHSA, ...).
    pub(crate) vulnerability: String,
    #[arg(long, value_enum)]
    pub(crate) status: TriageStatus,
    #[arg(long)]
    pub(crate) service: Option<String>,
    /// A release version of --service.
    #[arg(long, requires = "service")]
    pub(crate) release: Option<String>,
    /// The package: a package URL, with a version for that version only.
    #[arg(long)]
    pub(crate) purl: Option<String>,
    /// For not_affected: component_not_present, vulnerable_code_not_present,
    /// vulnerable_code_not_in_execute_path,
    /// vulnerable_code_cannot_be_controlled_by_adversary or
    /// inline_mitigations_already_exist.
    #[arg(long)]
    pub(crate) justification: Option<String>,
    /// For not_affected: how the vulnerability cannot be exploited.
    #[arg(long)]
    pub(crate) impact: Option<String>,
    /// For affected: what is being done about it.
    #[arg(long)]
    pub(crate) action: Option<String>,
    /// Why; kept with the decision.
    #[arg(long)]
    pub(crate) reason: Option<String>,
    /// For risk_accepted: when the acceptance ends (RFC 3339).
    #[arg(long, conflicts_with = "for_days")]
    pub(crate) expires: Option<String>,
    /// For risk_accepted: how many days it lasts.
    #[arg(long = "for-days")]
    pub(crate) for_days: Option<u32>,
    /// Who decides (default: $USER).
    #[arg(long)]
    pub(crate) actor: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct TriageListArgs {
    /// Only decisions about this advisory (by id or any alias).
    #[arg(long)]
    pub(crate) vulnerability: Option<String>,
    #[arg(long)]
    pub(crate) service: Option<String>,
    /// Include revoked, lapsed and expired decisions.
    #[arg(long)]
    pub(crate) all: bool,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct TriageRevokeArgs {
    /// The decision's id, as `vigil triage list` shows it.
    pub(crate) id: i64,
    #[arg(long)]
    pub(crate) reason: Option<String>,
    #[arg(long)]
    pub(crate) actor: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum VexCommand {
    /// Import a VEX document: OpenVEX (0.2.0, 0.0.1) or CycloneDX VEX, standalone or
    /// embedded in a BOM. Products are matched by package URL, artifact digest
    /// (sha256:...), service@version, or the BOM-link/serial number of a release's SBOM.
    ///
    /// Example: vigil vex import checkout.openvex.json
    Import(VexImportArgs),
    /// Export the decisions in effect as VEX: for one release, a service, or everything.
    ///
    /// Example: vigil vex export --service checkout --version 2.4.0 -o checkout.vex.json
    Export(VexExportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct VexImportArgs {
    pub(crate) file: PathBuf,
    /// Who vouches for it (default: $USER).
    #[arg(long)]
    pub(crate) actor: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

/// VEX formats written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum VexFormat {
    #[default]
    Openvex,
    Cyclonedx,
}

#[derive(Debug, Args)]
pub(crate) struct VexExportArgs {
    #[arg(long)]
    pub(crate) service: Option<String>,
    /// A release version of --service.
    #[arg(long, requires = "service")]
    pub(crate) version: Option<String>,
    #[arg(long = "as", value_enum, default_value_t)]
    pub(crate) vex_format: VexFormat,
    /// Where to write it; `-` (the default) for standard output.
    #[arg(long, short = 'o', default_value = "-")]
    pub(crate) output: PathBuf,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TeamCommand {
    /// Create or replace a team and its contacts.
    ///
    /// Example: vigil team add payments --email payments@example.com --slack "#payments-alerts"
    Add(TeamAddArgs),
    /// Teams, their contacts and the services they own.
    List(FormatArgs),
    /// Set the team that owns a service.
    ///
    /// Example: vigil team own payments --service checkout
    Own(TeamOwnArgs),
}

#[derive(Debug, Args)]
pub(crate) struct TeamAddArgs {
    pub(crate) name: String,
    #[arg(long)]
    pub(crate) title: Option<String>,
    #[arg(long)]
    pub(crate) email: Option<String>,
    #[arg(long)]
    pub(crate) slack: Option<String>,
    /// A paging address or on-call schedule.
    #[arg(long)]
    pub(crate) pager: Option<String>,
    #[arg(long)]
    pub(crate) url: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct TeamOwnArgs {
    pub(crate) team: String,
    #[arg(long, required = true)]
    pub(crate) service: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CatalogCommand {
    /// Import owners and teams from Backstage catalog files: a catalog-info.yaml, or
    /// every YAML file under a directory. Components name services and their
    /// spec.owner; Groups are teams with their profile email and links.
    ///
    /// Example: vigil catalog import ./catalog
    Import(CatalogImportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CatalogImportArgs {
    pub(crate) path: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    #[arg(long)]
    pub(crate) service: String,
    /// The older release's version.
    pub(crate) from: String,
    /// The newer release's version.
    pub(crate) to: String,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum EvidenceCommand {
    /// Write the evidence bundle of a release.
    ///
    /// Example: vigil evidence export --service payments --version 1.4.2 -o payments-1.4.2.json
    Export(EvidenceExportArgs),
    /// Verify a bundle offline, with no store, and say what it proves. Exit 1 if it
    /// does not verify.
    ///
    /// Example: vigil evidence verify payments-1.4.2.json --key "$(vigil ledger key)"
    Verify(EvidenceVerifyArgs),
}

#[derive(Debug, Args)]
pub(crate) struct EvidenceExportArgs {
    #[arg(long)]
    pub(crate) service: String,
    #[arg(long)]
    pub(crate) version: String,
    /// Where to write the bundle; `-` for standard output.
    #[arg(long, short = 'o')]
    pub(crate) output: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct EvidenceVerifyArgs {
    /// The bundle file.
    pub(crate) file: PathBuf,
    /// The verifier key of the log (name+id+key, as `vigil ledger key` prints it);
    /// repeat for several.
    #[arg(long = "key", required = true)]
    pub(crate) keys: Vec<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum LedgerCommand {
    /// Print the latest signed checkpoint, signing one first if the ledger grew.
    Checkpoint(FormatArgs),
    /// Print the verifier key of the checkpoint signing key (what auditors verify with).
    Key(FormatArgs),
    /// Recompute the tree from the stored leaves; check every stored hash and signed
    /// checkpoint; name any edited, deleted, inserted or reordered leaf. Exit 1 if any.
    Verify(LedgerVerifyArgs),
    /// An inclusion proof of a leaf or an event, or a consistency proof.
    ///
    /// Examples: vigil ledger proof --index 12
    ///           vigil ledger proof --event release/checkout@2.4.0
    ///           vigil ledger proof --consistency 10 42
    Proof(LedgerProofArgs),
    /// List leaves: the events recorded, oldest first.
    Leaves(LedgerLeavesArgs),
}

#[derive(Debug, Args)]
pub(crate) struct LedgerVerifyArgs {
    /// A verifier key (name+id+key) that may have signed checkpoints; repeat for
    /// several. The configured signing key is always included.
    #[arg(long = "key")]
    pub(crate) keys: Vec<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["index", "event", "consistency"])))]
pub(crate) struct LedgerProofArgs {
    /// The leaf index to prove.
    #[arg(long)]
    pub(crate) index: Option<u64>,
    /// An event subject, e.g. release/checkout@2.4.0 or deployment/12: proves every
    /// leaf about it.
    #[arg(long)]
    pub(crate) event: Option<String>,
    /// Two tree sizes: proves the smaller tree is a prefix of the larger.
    #[arg(long, num_args = 2, value_names = ["SIZE1", "SIZE2"])]
    pub(crate) consistency: Option<Vec<u64>>,
    /// The tree size to prove inclusion in (default: the latest checkpoint's).
    #[arg(long)]
    pub(crate) size: Option<u64>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct LedgerLeavesArgs {
    /// Only leaves whose subject starts with this, e.g. release/checkout@ or deployment/.
    #[arg(long)]
    pub(crate) subject: Option<String>,
    /// The first leaf index to list.
    #[arg(long, default_value_t = 0)]
    pub(crate) from: u64,
    /// Most leaves to list.
    #[arg(long, default_value_t = 100)]
    pub(crate) limit: u64,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// A TOML configuration file (see docs/server.md); environment variables
    /// `VIGIL_*` override it, and flags override both.
    #[arg(long, env = "VIGIL_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// The address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    pub(crate) listen: Option<String>,
    /// Log as `text` or `json`.
    #[arg(long)]
    pub(crate) log_format: Option<String>,
    /// A tracing filter, e.g. `info` or `vigil_server=debug,info`.
    #[arg(long)]
    pub(crate) log_level: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Create a token; its secret is printed once and never stored.
    ///
    /// Example: vigil token create --role publisher --env staging --name ci
    Create(TokenCreateArgs),
    /// List tokens (never their secrets).
    List(FormatArgs),
    /// Revoke a token at once.
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Args)]
pub(crate) struct TokenCreateArgs {
    /// admin, publisher (releases and deployments), triager or reader.
    #[arg(long)]
    pub(crate) role: String,
    /// An environment the token may touch; repeat for several. None: every environment.
    #[arg(long = "env")]
    pub(crate) env: Vec<String>,
    /// What the token is for.
    #[arg(long, default_value = "cli")]
    pub(crate) name: String,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct TokenRevokeArgs {
    /// The token id (tok_...), as `vigil token list` shows it.
    pub(crate) id: String,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print the effective configuration (file, then environment, then flags), secrets
    /// redacted.
    Show(ConfigShowArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ConfigShowArgs {
    #[command(flatten)]
    pub(crate) serve: ServeArgs,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct FormatArgs {
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct QuietArgs {
    /// No progress on standard error.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ReleaseCommand {
    /// Add a release: its SBOM is stored and matched against every advisory.
    ///
    /// Example: vigil release add --service checkout --version 2.4.0 --sbom bom.json
    Add(Box<ReleaseAddArgs>),
    /// List releases, newest last.
    List(ReleaseListArgs),
    /// The signatures and attestations recorded for a release, with their verdicts.
    Signatures(ReleaseSignaturesArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ReleaseAddArgs {
    #[arg(long)]
    pub(crate) service: String,
    #[arg(long)]
    pub(crate) version: String,
    /// The SBOM: CycloneDX (JSON or XML) or SPDX (JSON, tag-value, 3.0 JSON-LD).
    #[arg(long)]
    pub(crate) sbom: PathBuf,
    /// An artifact digest of the release (sha256:...); repeat for several.
    #[arg(long)]
    pub(crate) digest: Vec<String>,
    /// The source commit.
    #[arg(long)]
    pub(crate) commit: Option<String>,
    /// The source repository URL.
    #[arg(long)]
    pub(crate) repo: Option<String>,
    /// What built it (a CI system or builder id).
    #[arg(long)]
    pub(crate) builder: Option<String>,
    /// When it was built (RFC 3339).
    #[arg(long)]
    pub(crate) built_at: Option<String>,
    /// The team that owns the service.
    #[arg(long)]
    pub(crate) owner: Option<String>,
    /// A detached signature of the SBOM file (Ed25519 or ECDSA P-256, raw or base64 as
    /// `cosign sign-blob --key` writes it); repeat for several.
    #[arg(long, value_name = "FILE")]
    pub(crate) sbom_signature: Vec<PathBuf>,
    /// The artifact file, when its signatures are given; its SHA-256 is recorded as an
    /// artifact digest.
    #[arg(long, value_name = "FILE")]
    pub(crate) artifact: Option<PathBuf>,
    /// A detached signature of the artifact file; repeat for several.
    #[arg(long, value_name = "FILE", requires = "artifact")]
    pub(crate) artifact_signature: Vec<PathBuf>,
    /// A DSSE envelope (an in-toto attestation such as SLSA provenance) about the
    /// release; repeat for several.
    #[arg(long, value_name = "FILE")]
    pub(crate) attestation: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct ReleaseSignaturesArgs {
    #[arg(long)]
    pub(crate) service: String,
    #[arg(long)]
    pub(crate) version: String,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ServiceCommand {
    /// Keys that sign a service's releases.
    #[command(subcommand)]
    Key(ServiceKeyCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum ServiceKeyCommand {
    /// Trust a public key (PEM, Ed25519 or ECDSA P-256, as `cosign.pub`) for a
    /// service's releases.
    ///
    /// Example: vigil service key add --service checkout --key cosign.pub
    Add(ServiceKeyAddArgs),
    /// List the keys of one service or of all.
    List(ServiceKeyListArgs),
    /// Stop trusting a key.
    Remove(ServiceKeyRemoveArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ServiceKeyAddArgs {
    #[arg(long)]
    pub(crate) service: String,
    /// The public key file (PEM `PUBLIC KEY`).
    #[arg(long)]
    pub(crate) key: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct ServiceKeyListArgs {
    #[arg(long)]
    pub(crate) service: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct ServiceKeyRemoveArgs {
    #[arg(long)]
    pub(crate) service: String,
    /// The key's fingerprint, as `vigil service key list` shows it.
    #[arg(long)]
    pub(crate) fingerprint: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum EnvCommand {
    /// Environments and their policies.
    List(FormatArgs),
    /// Set an environment's policy.
    ///
    /// Example: vigil env policy --env production --require-signed true
    Policy(EnvPolicyArgs),
}

#[derive(Debug, Args)]
pub(crate) struct EnvPolicyArgs {
    #[arg(long)]
    pub(crate) env: String,
    /// Deploy only releases with a verified signature or attestation.
    #[arg(long, action = clap::ArgAction::Set)]
    pub(crate) require_signed: Option<bool>,
    /// Days to remediate by severity here, e.g. "critical=3,high=14,kev=2"; the
    /// severities not named keep the defaults (critical 7, high 30, medium 90, low 180,
    /// unrated 90, KEV-listed 3). `default` restores all defaults.
    #[arg(long)]
    pub(crate) sla: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ReleaseListArgs {
    #[arg(long)]
    pub(crate) service: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("release").required(true).args(["version", "digest"]))]
pub(crate) struct DeployArgs {
    #[arg(long)]
    pub(crate) env: String,
    #[arg(long, requires = "version")]
    pub(crate) service: Option<String>,
    #[arg(long, requires = "service")]
    pub(crate) version: Option<String>,
    /// The release's artifact digest (sha256:...), instead of service and version.
    #[arg(long, conflicts_with_all = ["service", "version"])]
    pub(crate) digest: Option<String>,
    /// Who deployed it.
    #[arg(long)]
    pub(crate) actor: Option<String>,
    /// When it happened (RFC 3339); now when not given.
    #[arg(long)]
    pub(crate) at: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct UndeployArgs {
    #[arg(long)]
    pub(crate) env: String,
    #[arg(long)]
    pub(crate) service: String,
    #[arg(long)]
    pub(crate) actor: Option<String>,
    /// When it happened (RFC 3339); now when not given.
    #[arg(long)]
    pub(crate) at: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AdvisoriesCommand {
    /// Import OSV advisories from a directory, a zip (osv.dev's all.zip) or a file.
    ///
    /// Example: vigil advisories import all.zip
    Import(AdvisoriesImportArgs),
    /// Show one advisory, by its id or any alias.
    Show(AdvisoryShowArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AdvisoriesImportArgs {
    /// Directories, zip archives or files; several may be given.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) quiet: QuietArgs,
}

#[derive(Debug, Args)]
pub(crate) struct AdvisoryShowArgs {
    pub(crate) id: String,
    /// Print the stored OSV JSON record itself.
    #[arg(long)]
    pub(crate) raw: bool,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum FeedCommand {
    /// Fetch what changed since the last sync (everything, the first time).
    ///
    /// Example: vigil feed sync --ecosystem npm --ecosystem PyPI
    Sync(FeedSyncArgs),
}

#[derive(Debug, Args)]
pub(crate) struct FeedSyncArgs {
    /// The bucket's base URL.
    #[arg(long, default_value = vigil_engine::feed::DEFAULT_BASE)]
    pub(crate) base: String,
    /// An ecosystem to sync (repeat for several); all that the feed lists when none.
    #[arg(long)]
    pub(crate) ecosystem: Vec<String>,
    #[command(flatten)]
    pub(crate) quiet: QuietArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum IntelCommand {
    /// Replace the stored data with a file or a URL's.
    Import(IntelImportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct IntelImportArgs {
    /// A file, or an http(s) URL.
    pub(crate) source: String,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct AffectedArgs {
    /// An OSV id, or an alias such as a CVE or GHSA id.
    pub(crate) id: String,
    /// Include releases that run nowhere now.
    #[arg(long)]
    pub(crate) all_releases: bool,
    /// Only services of this application.
    #[arg(long)]
    pub(crate) app: Option<String>,
    /// Answer for a past instant (RFC 3339): what ran then, the advisory as Vigil knew
    /// it then, and triage as it stood then.
    #[arg(long, conflicts_with_all = ["all_releases", "app"])]
    pub(crate) at: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct FindingsArgs {
    #[arg(long)]
    pub(crate) env: Option<String>,
    #[arg(long)]
    pub(crate) service: Option<String>,
    /// Only services of this application.
    #[arg(long)]
    pub(crate) app: Option<String>,
    /// Only findings at or above this severity.
    #[arg(long, value_enum)]
    pub(crate) min_severity: Option<GateSeverity>,
    /// Only advisories in CISA's Known Exploited Vulnerabilities catalog.
    #[arg(long)]
    pub(crate) kev: bool,
    /// Include releases that run nowhere now.
    #[arg(long)]
    pub(crate) all_releases: bool,
    /// Only findings past their SLA due date (and not risk-accepted).
    #[arg(long)]
    pub(crate) overdue: bool,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Only services of this application.
    #[arg(long)]
    pub(crate) app: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AppCommand {
    /// Create an application or add services to it.
    ///
    /// Example: vigil app add storefront --service checkout --service catalog
    Add(AppAddArgs),
    /// List applications and their services.
    List(FormatArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AppAddArgs {
    pub(crate) name: String,
    /// A service of the application (repeat for several); it must exist.
    #[arg(long, required = true)]
    pub(crate) service: Vec<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// The SBOM: CycloneDX (JSON or XML, 1.2-1.7) or SPDX (2.2/2.3 JSON or tag-value,
    /// 3.0 JSON-LD).
    pub(crate) sbom: PathBuf,
    /// OSV advisories: a directory of .json/.yaml records, a zip such as osv.dev's
    /// all.zip, or one file. Repeat for several sources.
    #[arg(long, short, required = true)]
    pub(crate) advisories: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: ScanFormat,
    /// Exit with code 1 when a finding at or above this severity exists.
    #[arg(long, value_enum)]
    pub(crate) fail_on: Option<GateSeverity>,
    /// No progress or summary on standard error.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// How `vigil scan` prints its findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum ScanFormat {
    /// A table for people.
    #[default]
    Table,
    /// The full report as JSON.
    Json,
    /// SARIF 2.1.0, as GitHub code scanning accepts it.
    Sarif,
}

/// A severity threshold for `--fail-on`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum GateSeverity {
    Low,
    Medium,
    High,
    Critical,
}

impl From<GateSeverity> for vigil_osv::Rating {
    fn from(g: GateSeverity) -> Self {
        match g {
            GateSeverity::Low => vigil_osv::Rating::Low,
            GateSeverity::Medium => vigil_osv::Rating::Medium,
            GateSeverity::High => vigil_osv::Rating::High,
            GateSeverity::Critical => vigil_osv::Rating::Critical,
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum VersionCommand {
    /// Compare two versions: prints `<`, `=` or `>`.
    ///
    /// Example: vigil version cmp Debian:12 1.0~rc1-1 1.0-1
    Cmp(CmpArgs),
    /// Sort versions read from standard input, one per line, ascending.
    ///
    /// Example: printf '1.0\n1.0rc1\n1.0.post1\n' | vigil version sort PyPI
    Sort(SortArgs),
    /// Sort real release histories and show the traps of each ecosystem's rules.
    Demo(FormatArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CmpArgs {
    /// An OSV ecosystem name, such as PyPI, npm, Maven, Go, crates.io, Debian:12,
    /// Ubuntu:22.04:LTS, Alpine:v3.19 or Red Hat.
    pub(crate) ecosystem: String,
    /// The first version.
    pub(crate) a: String,
    /// The second version.
    pub(crate) b: String,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct SortArgs {
    /// An OSV ecosystem name, such as PyPI, npm, Maven, Go, crates.io, Debian:12,
    /// Ubuntu:22.04:LTS, Alpine:v3.19 or Red Hat.
    pub(crate) ecosystem: String,
    /// Sort newest first.
    #[arg(long, short)]
    pub(crate) reverse: bool,
    /// Print each distinct version once (the first spelling seen of equal versions).
    #[arg(long, short)]
    pub(crate) unique: bool,
    /// Refuse input with more lines than this.
    #[arg(long, default_value_t = 10_000_000)]
    pub(crate) max_lines: usize,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Where to build the demo store; replaced if it holds an earlier demo.
    #[arg(long, default_value = "vigil-demo")]
    pub(crate) dir: PathBuf,
    /// Build the store and show the exposure, then exit instead of serving the web
    /// console (so does `--format json`).
    #[arg(long)]
    pub(crate) no_serve: bool,
    /// Where the web console listens after the demo is built.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) listen: String,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct BenchArgs {
    /// Run at 1/SCALE of the full size (10,000 releases of 500 components, 200,000
    /// package versions, 100,000 advisories); 1 is the full size.
    #[arg(long, default_value_t = 1)]
    pub(crate) scale: usize,
    /// Build the store on this PostgreSQL instead of SQLite (a new schema, dropped after
    /// unless --keep).
    #[arg(long, env = "VIGIL_BENCH_PG_URL", hide_env_values = true)]
    pub(crate) postgres: Option<String>,
    /// Build the SQLite store in this directory instead of a temporary one.
    #[arg(long, conflicts_with = "postgres")]
    pub(crate) dir: Option<PathBuf>,
    /// Also load the real advisories from this conformance data directory
    /// (osv-db-go, osv-db-pypa, osv-db-rustsec); VIGIL_CONFORMANCE_DATA by default.
    #[arg(long, env = "VIGIL_CONFORMANCE_DATA")]
    pub(crate) real_advisories: Option<PathBuf>,
    /// Repetitions of each timed operation.
    #[arg(long, default_value_t = 20)]
    pub(crate) repetitions: usize,
    /// Skip the full rematch, the longest measurement.
    #[arg(long)]
    pub(crate) no_rematch: bool,
    /// Keep the store afterwards.
    #[arg(long)]
    pub(crate) keep: bool,
    /// The generator's seed; the same seed gives the same portfolio.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Run the ledger benchmark instead: append this many leaves to an SQLite store in
    /// batches, verify the log at 1,000,000 leaves (or at the end), and time inclusion
    /// proofs at the full size. Example: vigil bench --ledger 10000000
    #[arg(long, value_name = "LEAVES", conflicts_with = "postgres")]
    pub(crate) ledger: Option<u64>,
    /// Leaves per transaction in the ledger benchmark.
    #[arg(long, default_value_t = 1000)]
    pub(crate) ledger_batch: u64,
    /// Time the web console's pages instead, on the store already in --dir (kept by an
    /// earlier `vigil bench --dir DIR --keep`). Example: vigil bench --console --dir /tmp/b
    #[arg(long, requires = "dir", conflicts_with_all = ["postgres", "ledger"])]
    pub(crate) console: bool,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}
