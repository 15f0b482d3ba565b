//! A small benchmark run end to end, on SQLite and (when `VIGIL_TEST_PG_URL` is set)
//! PostgreSQL: the store ends up holding what the configuration asked for, the
//! advisories built to hit give findings, and `affected` finds them. Only structure is
//! checked; the timings are whatever the machine gave.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

use std::path::PathBuf;

use vigil_bench::portfolio::{Portfolio, PortfolioConfig, Usage};
use vigil_bench::{BenchConfig, BenchReport, StoreTarget, run};
use vigil_engine::Engine;
use vigil_store::{Location, Store};

fn small(store: StoreTarget) -> BenchConfig {
    BenchConfig {
        seed: 42,
        services: 40,
        releases: 200,
        components_per_release: 80,
        package_pool: 6_000,
        advisories: 2_000,
        hit_fraction: 0.05,
        real_advisories: None,
        store,
        repetitions: 3,
        fresh_components: 150,
        rematch: true,
        keep: true,
        advisory_batch: 250,
    }
}

/// Runs `config`, then checks the store it left against what the generator planned.
fn check(config: &BenchConfig, location: &Location) -> BenchReport {
    let mut printed = Vec::new();
    let report = run(config, &mut printed).unwrap();
    let printed = String::from_utf8(printed).unwrap();
    eprintln!("{printed}");
    assert!(printed.contains("targets:"), "{printed}");

    let plan = Usage::of(&Portfolio::generate(&PortfolioConfig {
        seed: config.seed,
        services: config.services,
        releases: config.releases,
        components_per_release: config.components_per_release,
        package_pool: config.package_pool,
    }));
    let fresh = config.repetitions as i64;
    let s = &report.sizes;
    assert_eq!(s.services, config.services as i64);
    assert_eq!(s.releases, config.releases as i64 + fresh);
    assert!(
        s.release_packages >= plan.release_packages as i64 + fresh * config.fresh_components as i64
    );
    assert!(
        s.release_packages
            <= plan.release_packages as i64 + fresh * (config.fresh_components as i64 + 1)
    );
    assert_eq!(s.advisories, config.advisories as i64 + fresh);
    assert_eq!(s.hit_advisories, 100);
    assert!(s.findings > 0);
    assert!(s.running > 0 && s.deployments >= s.running);
    assert!(s.database_bytes.is_some_and(|b| b > 0));
    assert!(
        report.new_advisory.median_rows > 0,
        "arriving advisories give findings"
    );
    assert!(report.affected.max_rows > 0, "affected finds the releases");
    let rematch = report.rematch.as_ref().unwrap();
    assert_eq!(rematch.advisories, s.advisories as usize);
    assert_eq!(
        rematch.new_findings, 0,
        "the load left nothing for a rematch to find"
    );
    assert_eq!(report.targets.len(), 5);

    // The store is still there (keep): an advisory built to hit is affected, by the
    // engine's own answer.
    let mut engine = Engine::new(Store::open(location).unwrap());
    let id = &report.new_advisory.advisories[0];
    let affected = engine.affected(id, true, None).unwrap();
    assert!(!affected.rows.is_empty(), "{id}");
    assert!(affected.rows.iter().all(|r| &r.row.advisory_id == id));
    let json = serde_json::to_value(&report).unwrap();
    assert!(json["sizes"]["findings"].as_i64().unwrap() > 0);
    report
}

#[test]
fn small_run_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let config = small(StoreTarget::Sqlite {
        dir: Some(dir.path().to_path_buf()),
    });
    let report = check(&config, &Location::Sqlite(dir.path().to_path_buf()));
    assert_eq!(report.backend, "SQLite");
}

#[test]
fn small_run_on_postgres() {
    let Some(url) = std::env::var("VIGIL_TEST_PG_URL").ok() else {
        assert!(
            std::env::var("VIGIL_REQUIRE_PG").map_or(true, |v| v != "1"),
            "VIGIL_REQUIRE_PG=1 but VIGIL_TEST_PG_URL is not set"
        );
        eprintln!("SKIPPED PostgreSQL: set VIGIL_TEST_PG_URL to run it");
        return;
    };
    let schema = vigil_store::testing::unique_name("bench_small");
    let config = small(StoreTarget::Postgres {
        url: url.clone(),
        schema: Some(schema.clone()),
    });
    let location = Location::Postgres {
        url: url.clone(),
        schema: Some(schema.clone()),
    };
    let result = std::panic::catch_unwind(|| check(&config, &location));
    // The schema was named here, so it is dropped here, pass or fail.
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .unwrap();
    let report = result.unwrap();
    assert_eq!(report.backend, "PostgreSQL");
}

/// The real advisory databases load through the engine's reader when the conformance
/// data is there.
#[test]
fn real_advisories_are_read_when_available() {
    let Some(data) = std::env::var_os("VIGIL_CONFORMANCE_DATA").map(PathBuf::from) else {
        eprintln!("SKIPPED real advisories: set VIGIL_CONFORMANCE_DATA to read them");
        return;
    };
    let real = vigil_bench::osv::real(&data).unwrap();
    assert!(real.inputs.len() > 1_000, "{}", real.inputs.len());
    let ids: Vec<&str> = real.inputs.iter().map(|a| a.osv.id.as_str()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "sorted and distinct");
    assert!(ids.iter().any(|id| id.starts_with("GO-")));
    assert!(ids.iter().any(|id| id.starts_with("PYSEC-")));
    assert!(ids.iter().any(|id| id.starts_with("RUSTSEC-")));
    // Synthetic GO-, PYSEC- and RUSTSEC- ids number from 1,000,000 so as never to be a
    // real one: the real databases must stay below that.
    for id in ids {
        if let Some(n) = id.rsplit('-').next().and_then(|n| n.parse::<u64>().ok()) {
            assert!(n < 1_000_000, "{id} is in the synthetic range");
        }
    }
}
