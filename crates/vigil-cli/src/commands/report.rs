//! The questions: `affected`, `findings` and `status`.

use std::collections::BTreeSet;
use std::process::ExitCode;

use vigil_engine::{AffectedReport, FindingQuery, FindingRow, Status};

use super::store;
use crate::cli::{
    AffectedArgs, FindingsArgs, GateSeverity, MetricsArgs, MetricsGroup, PatternsArgs,
    RootCauseArgs, StatusArgs, StoreArgs,
};
use crate::output::{Format, count, print, print_json, table};

pub(crate) fn affected(store_args: &StoreArgs, args: &AffectedArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine_now(store_args)?;
    if let Some(at) = store::time("at", args.at.as_deref())? {
        return affected_at(&mut engine, &args.id, at, args.format);
    }
    let report = engine.affected(&args.id, args.all_releases, args.app.as_deref())?;
    match args.format {
        Format::Json => print_json(&report)?,
        Format::Table => print(&render_affected(&report, args.all_releases))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Since when a row's environment has been exposed: the later of the release starting
/// to run there and the finding being known. Both are fixed-width UTC text.
fn since(r: &FindingRow) -> String {
    match &r.row.running_since {
        Some(running) if *running > r.row.first_seen => running.clone(),
        Some(_) => r.row.first_seen.clone(),
        None => "-".to_owned(),
    }
}

fn fix(r: &FindingRow) -> String {
    match (r.row.fix.as_str(), r.row.fixed.as_deref()) {
        ("fixed_in", Some(v)) => v.to_owned(),
        ("no_fix_known", Some(last)) => format!("none known (last affected {last})"),
        ("no_fix_yet" | "no_fix_known", _) => "no fix yet".to_owned(),
        ("not_listed", _) => "a version not listed".to_owned(),
        _ => "?".to_owned(),
    }
}

fn package(r: &FindingRow) -> String {
    match &r.row.installed {
        Some(installed) => format!("{} ({installed})", r.row.package),
        None => r.row.package.clone(),
    }
}

fn severity(r: &FindingRow) -> String {
    match r.row.severity_score {
        Some(score) => format!("{} {score:.1}", r.severity),
        None => r.severity.to_owned(),
    }
}

fn render_affected(report: &AffectedReport, all: bool) -> String {
    let mut out = String::new();
    for a in &report.advisories {
        let s = &a.advisory;
        let mut line = s.id.clone();
        if !s.aliases.is_empty() {
            line.push_str(&format!(" ({})", s.aliases.join(", ")));
        }
        line.push_str(&format!(": {}", a.severity));
        if let Some(score) = s.severity_score {
            line.push_str(&format!(" {score:.1}"));
        }
        if let Some(k) = &a.exploitation.kev {
            line.push_str(&format!(
                ", in CISA KEV since {}{}",
                k.date_added,
                match k.ransomware.as_deref() {
                    Some("Known") => ", used by ransomware",
                    _ => "",
                }
            ));
        }
        if let Some((cve, score, pct)) = &a.exploitation.epss {
            line.push_str(&format!(
                ", EPSS {score:.3} ({:.1}th percentile, {cve})",
                pct * 100.0
            ));
        }
        if s.withdrawn.is_some() {
            line.push_str(", WITHDRAWN");
        }
        out.push_str(&line);
        out.push('\n');
        if let Some(summary) = &s.summary {
            out.push_str(&format!("  {summary}\n"));
        }
    }
    out.push('\n');
    if report.rows.is_empty() {
        out.push_str(if all {
            "No release is affected.\n"
        } else {
            "Nothing that runs now is affected. --all-releases includes releases that run nowhere.\n"
        });
        return out;
    }
    let rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|r| {
            vec![
                r.row.environment.clone().unwrap_or_else(|| "-".into()),
                r.row.service.clone(),
                r.row.owner.clone().unwrap_or_else(|| "-".into()),
                r.row.release.clone(),
                package(r),
                r.row.version.clone(),
                fix(r),
                since(r),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "ENVIRONMENT",
            "SERVICE",
            "OWNER",
            "RELEASE",
            "PACKAGE",
            "VERSION",
            "FIXED IN",
            "EXPOSED SINCE",
        ],
        &rows,
    ));
    let services: BTreeSet<&str> = report.rows.iter().map(|r| r.row.service.as_str()).collect();
    let envs: BTreeSet<&str> = report
        .rows
        .iter()
        .filter_map(|r| r.row.environment.as_deref())
        .collect();
    let releases: BTreeSet<i64> = report.rows.iter().map(|r| r.row.release_id).collect();
    out.push_str(&format!(
        "\n{} of {} affected in {}\n",
        count(releases.len(), "release"),
        count(services.len(), "service"),
        count(envs.len(), "environment"),
    ));
    out
}

pub(crate) fn findings(store_args: &StoreArgs, args: &FindingsArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine_now(store_args)?;
    let rows = engine.findings(&FindingQuery {
        environment: args.env.clone(),
        service: args.service.clone(),
        application: args.app.clone(),
        min_severity_rank: args.min_severity.map_or(0, rank),
        kev_only: args.kev,
        all_releases: args.all_releases,
        overdue_only: args.overdue,
        ..FindingQuery::default()
    })?;
    match args.format {
        Format::Json => print_json(&rows)?,
        Format::Table => {
            if rows.is_empty() {
                print(if args.overdue {
                    "No finding is past its SLA due date.\n"
                } else {
                    "No open findings match.\n"
                })?;
                return Ok(ExitCode::SUCCESS);
            }
            let table_rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.row.environment.clone().unwrap_or_else(|| "-".into()),
                        r.row.service.clone(),
                        r.row.release.clone(),
                        package(r),
                        r.row.version.clone(),
                        r.row.advisory_id.clone(),
                        severity(r),
                        if r.kev { "KEV".into() } else { "-".into() },
                        r.epss.map_or_else(|| "-".into(), |e| format!("{e:.3}")),
                        fix(r),
                        r.row.triage.clone().unwrap_or_else(|| "-".into()),
                        due(r),
                    ]
                })
                .collect();
            let mut text = table(
                &[
                    "ENVIRONMENT",
                    "SERVICE",
                    "RELEASE",
                    "PACKAGE",
                    "VERSION",
                    "ADVISORY",
                    "SEVERITY",
                    "KEV",
                    "EPSS",
                    "FIXED IN",
                    "TRIAGE",
                    "DUE",
                ],
                &table_rows,
            );
            text.push_str(&format!("\n{}\n", count(rows.len(), "finding")));
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The due date's day, marked when past.
fn due(r: &vigil_engine::FindingRow) -> String {
    match &r.due {
        Some(d) => {
            let day: String = d.chars().take(10).collect();
            if r.overdue {
                format!("{day} OVERDUE")
            } else {
                day
            }
        }
        None => "-".into(),
    }
}

fn rank(g: GateSeverity) -> i64 {
    match g {
        GateSeverity::Low => 1,
        GateSeverity::Medium => 2,
        GateSeverity::High => 3,
        GateSeverity::Critical => 4,
    }
}

pub(crate) fn status(store_args: &StoreArgs, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(store_args)?;
    let status = engine.status(args.app.as_deref())?;
    match args.format {
        Format::Json => print_json(&status)?,
        Format::Table => print(&render_status(&status))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn render_status(s: &Status) -> String {
    let c = &s.counts;
    let mut out = format!(
        "{}{}: {}, {}, {} ({} release packages), {}, {}\n\n",
        s.backend,
        s.application
            .as_deref()
            .map(|a| format!(", application {a}"))
            .unwrap_or_default(),
        count(c.services as usize, "service"),
        count(c.environments as usize, "environment"),
        count(c.releases as usize, "release"),
        c.release_packages,
        count(c.advisories as usize, "advisory"),
        count(c.deployments as usize, "deployment event"),
    );
    if s.environments.is_empty() {
        out.push_str(
            "Nothing is deployed yet. Next: vigil deploy --env ENV --service S --version V\n",
        );
    } else {
        let get = |e: &vigil_engine::EnvironmentExposure, k: &str| {
            e.findings.get(k).copied().unwrap_or(0).to_string()
        };
        let rows: Vec<Vec<String>> = s
            .environments
            .iter()
            .map(|e| {
                vec![
                    e.environment.clone(),
                    e.services_running.to_string(),
                    e.services_affected.to_string(),
                    get(e, "critical"),
                    get(e, "high"),
                    get(e, "medium"),
                    get(e, "low"),
                    get(e, "unrated"),
                    e.advisories.to_string(),
                    e.kev_advisories.to_string(),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "ENVIRONMENT",
                "SERVICES",
                "AFFECTED",
                "CRITICAL",
                "HIGH",
                "MEDIUM",
                "LOW",
                "UNRATED",
                "ADVISORIES",
                "IN KEV",
            ],
            &rows,
        ));
    }
    out.push('\n');
    for i in &s.intel {
        out.push_str(&format!(
            "{}: {} entries{}, imported {}\n",
            i.feed.to_uppercase(),
            i.records,
            i.version
                .as_deref()
                .map(|v| format!(" (version {v})"))
                .unwrap_or_default(),
            i.imported_at
        ));
    }
    for (base, ecosystem, cursor, synced) in &s.feeds {
        out.push_str(&format!(
            "OSV {ecosystem} from {base}: up to {cursor}, synced {synced}\n"
        ));
    }
    out
}

pub(crate) fn diff(s: &StoreArgs, args: &crate::cli::DiffArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(s)?;
    let d = engine.diff_releases(&args.service, &args.from, &args.to)?;
    match args.format {
        Format::Json => print_json(&d)?,
        Format::Table => {
            let mut rows = Vec::new();
            let sections = [
                ("added", &d.added),
                ("removed", &d.removed),
                ("upgraded", &d.upgraded),
                ("downgraded", &d.downgraded),
                ("changed", &d.changed),
            ];
            for (what, changes) in sections {
                for c in changes {
                    rows.push(vec![
                        what.to_owned(),
                        c.ecosystem.clone(),
                        c.name.clone(),
                        c.from.clone().unwrap_or_else(|| "-".into()),
                        c.to.clone().unwrap_or_else(|| "-".into()),
                    ]);
                }
            }
            let mut text = format!(
                "{} {} -> {}: {} added, {} removed, {} upgraded, {} downgraded, {} changed, {} unchanged\n",
                d.service,
                d.from,
                d.to,
                d.added.len(),
                d.removed.len(),
                d.upgraded.len(),
                d.downgraded.len(),
                d.changed.len(),
                d.unchanged
            );
            if !rows.is_empty() {
                text.push_str(&table(
                    &["CHANGE", "ECOSYSTEM", "PACKAGE", "FROM", "TO"],
                    &rows,
                ));
            }
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Seconds as days with one decimal, or `-`.
fn days(seconds: Option<f64>) -> String {
    seconds.map_or_else(|| "-".into(), |s| format!("{:.1}d", s / 86_400.0))
}

pub(crate) fn metrics(store_args: &StoreArgs, args: &MetricsArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine_now(store_args)?;
    let now = engine.now();
    let trend_from = args.months.map(|m| {
        // The first instant of the month `m - 1` months before this one.
        let mut date = now.date().replace_day(1).unwrap_or(now.date());
        for _ in 1..m.max(1) {
            date = date
                .previous_day()
                .and_then(|d| d.replace_day(1).ok())
                .unwrap_or(date);
        }
        date.midnight().assume_utc()
    });
    let report = engine.metrics(&vigil_engine::response::MetricsQuery {
        group: match args.by {
            MetricsGroup::All => vigil_exposure::Group::All,
            MetricsGroup::Environment => vigil_exposure::Group::Environment,
            MetricsGroup::Service => vigil_exposure::Group::Service,
            MetricsGroup::Team => vigil_exposure::Group::Team,
        },
        trend_from,
        environment: args.env.clone(),
        service: args.service.clone(),
        team: args.team.clone(),
    })?;
    match args.format {
        Format::Json => print_json(&report)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = report
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.key.clone().unwrap_or_else(|| {
                            if r.group == vigil_exposure::Group::All {
                                "all".into()
                            } else {
                                "(none)".into()
                            }
                        }),
                        r.episodes.to_string(),
                        days(r.mttd.mean_seconds),
                        days(r.mttr.mean_seconds),
                        days(r.mttr.median_seconds),
                        r.open.count.to_string(),
                        days(r.open.mean_seconds),
                        days(r.open.max_seconds),
                        r.sla
                            .ratio
                            .map_or_else(|| "-".into(), |x| format!("{:.0}%", x * 100.0)),
                        r.sla.overdue.to_string(),
                        format!(
                            "{}/{}/{}/{}",
                            r.backlog.critical, r.backlog.high, r.backlog.medium, r.backlog.low
                        ),
                    ]
                })
                .collect();
            let mut text = table(
                &[
                    "GROUP",
                    "EXPOSURES",
                    "MTTD",
                    "MTTR",
                    "MTTR MEDIAN",
                    "OPEN",
                    "OPEN AGE",
                    "OLDEST",
                    "SLA MET",
                    "OVERDUE",
                    "BACKLOG C/H/M/L",
                ],
                &rows,
            );
            if let Some(trend) = &report.trend {
                let rows: Vec<Vec<String>> = trend
                    .iter()
                    .map(|t| {
                        vec![
                            t.month.clone(),
                            t.detected.to_string(),
                            t.resolved.to_string(),
                            days(t.mttd.mean_seconds),
                            days(t.mttr.mean_seconds),
                            t.open_at_end.to_string(),
                        ]
                    })
                    .collect();
                text.push('\n');
                text.push_str(&table(
                    &[
                        "MONTH",
                        "DETECTED",
                        "RESOLVED",
                        "MTTD",
                        "MTTR",
                        "OPEN AT END",
                    ],
                    &rows,
                ));
            }
            text.push_str(
                "\nAn exposure is one advisory in one service in one environment, from when \
                 Vigil knew of it running there to when it stopped. docs/metrics.md defines \
                 each figure.\n",
            );
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn affected_at(
    engine: &mut vigil_engine::Engine,
    id: &str,
    at: time::OffsetDateTime,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let report = engine.affected_at(id, at)?;
    match format {
        Format::Json => print_json(&report)?,
        Format::Table => {
            let at_text = vigil_store::time::format(report.at);
            let mut text = String::new();
            for a in &report.advisories {
                text.push_str(&match (&a.modified, a.known) {
                    (Some(m), true) => format!(
                        "{}: as known at {at_text} (modified {m}){}\n",
                        a.id,
                        if a.withdrawn { ", withdrawn" } else { "" }
                    ),
                    _ => format!("{}: not yet known at {at_text}\n", a.id),
                });
            }
            if report.rows.is_empty() {
                text.push_str(&format!("Nothing running at {at_text} was affected.\n"));
            } else {
                let rows: Vec<Vec<String>> = report
                    .rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.environment.clone(),
                            r.service.clone(),
                            r.release.clone(),
                            r.running_since.clone(),
                            r.purl.clone(),
                            r.advisory_id.clone(),
                            match (&r.triage, r.ruled_out) {
                                (Some(t), true) => format!("{t} (ruled out)"),
                                (Some(t), false) => t.clone(),
                                (None, _) => "-".into(),
                            },
                        ]
                    })
                    .collect();
                text.push_str(&table(
                    &[
                        "ENVIRONMENT",
                        "SERVICE",
                        "RELEASE",
                        "RUNNING SINCE",
                        "PACKAGE",
                        "ADVISORY",
                        "TRIAGE THEN",
                    ],
                    &rows,
                ));
                text.push_str(&format!(
                    "\n{} exposed at {at_text}.\n",
                    count(report.exposed, "deployment")
                ));
            }
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn root_cause(store_args: &StoreArgs, args: &RootCauseArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(store_args)?;
    let report = engine.root_cause(&args.id, args.service.as_deref())?;
    match args.format {
        Format::Json => print_json(&report)?,
        Format::Table => {
            if report.origins.is_empty() {
                print(&format!(
                    "No release of any service has been affected by {}.\n",
                    args.id
                ))?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut text = String::new();
            let release = |r: &vigil_exposure::ReleaseRef| match &r.commit {
                Some(c) => format!(
                    "{} (commit {c}, recorded {})",
                    r.version,
                    vigil_store::time::format(r.recorded_at)
                ),
                None => format!(
                    "{} (recorded {})",
                    r.version,
                    vigil_store::time::format(r.recorded_at)
                ),
            };
            for o in &report.origins {
                text.push_str(&format!(
                    "{} {} in {}\n",
                    o.advisory_id, o.lineage.purl, o.service
                ));
                text.push_str(&format!("  entered with {}\n", release(&o.lineage.entered)));
                match &o.lineage.left {
                    Some(l) => text.push_str(&format!(
                        "  left with    {}{}\n",
                        release(l),
                        if o.lineage.replaced_by.is_empty() {
                            String::new()
                        } else {
                            format!(", replaced by {}", o.lineage.replaced_by.join(", "))
                        }
                    )),
                    None => text.push_str("  still in the newest release\n"),
                }
                for w in &o.windows {
                    text.push_str(&format!(
                        "  {}: {} to {} ({})\n",
                        w.environment,
                        vigil_store::time::format(w.from),
                        w.to.map_or_else(|| "now".to_owned(), vigil_store::time::format),
                        w.releases.join(", ")
                    ));
                }
            }
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn patterns(store_args: &StoreArgs, args: &PatternsArgs) -> anyhow::Result<ExitCode> {
    let mut engine = store::engine(store_args)?;
    let p = engine.patterns(args.top)?;
    match args.format {
        Format::Json => print_json(&p)?,
        Format::Table => {
            let tally = |t: &vigil_exposure::Tally| {
                vec![
                    t.introductions.to_string(),
                    t.advisories.to_string(),
                    t.services.to_string(),
                    t.max_severity.name().to_owned(),
                ]
            };
            let head = ["INTRODUCTIONS", "ADVISORIES", "SERVICES", "WORST"];
            let mut text = String::from("Packages that bring vulnerabilities in most often:\n");
            let rows: Vec<Vec<String>> = p
                .packages
                .iter()
                .map(|r| {
                    let mut row = vec![r.ecosystem.clone(), r.package.clone()];
                    row.extend(tally(&r.tally));
                    row
                })
                .collect();
            let mut h = vec!["ECOSYSTEM", "PACKAGE"];
            h.extend(head);
            text.push_str(&table(&h, &rows));
            text.push_str("\nEcosystems:\n");
            let rows: Vec<Vec<String>> = p
                .ecosystems
                .iter()
                .map(|r| {
                    let mut row = vec![r.ecosystem.clone()];
                    row.extend(tally(&r.tally));
                    row
                })
                .collect();
            let mut h = vec!["ECOSYSTEM"];
            h.extend(head);
            text.push_str(&table(&h, &rows));
            text.push_str("\nTeams:\n");
            let rows: Vec<Vec<String>> = p
                .teams
                .iter()
                .map(|r| {
                    let mut row = vec![r.team.clone().unwrap_or_else(|| "(no owner)".into())];
                    row.extend(tally(&r.tally));
                    row
                })
                .collect();
            let mut h = vec!["TEAM"];
            h.extend(head);
            text.push_str(&table(&h, &rows));
            text.push_str(
                "\nAn introduction is one advisory reaching one service; docs/metrics.md says exactly what is counted.\n",
            );
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
