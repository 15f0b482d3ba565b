//! `vigil gate`: allow or deny a deployment by a Rego policy; `vigil gate test DIR`.

use std::process::ExitCode;

use super::store;
use crate::cli::{GateArgs, GateCommand, GateTestArgs, StoreArgs};
use crate::output::{Format, print, print_json, table};

pub(crate) fn run(s: &StoreArgs, args: &GateArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        Some(GateCommand::Test(t)) => return test(t),
        Some(GateCommand::Default) => {
            print(vigil_policy::DEFAULT_POLICY)?;
            return Ok(ExitCode::SUCCESS);
        }
        None => {}
    }
    let (Some(env), Some(service), Some(version)) = (&args.env, &args.service, &args.version)
    else {
        return Err(vigil_engine::EngineError::Invalid(
            "the gate needs --env, --service and --version (or `vigil gate test DIR`)".into(),
        )
        .into());
    };
    let policy = args
        .policy
        .as_deref()
        .map(|p| vigil_engine::gate::compile(&vigil_engine::gate::read_policy(p)?))
        .transpose()?;
    let mut engine = store::engine_now(s)?;
    let answer = engine.gate(env, service, version, policy.as_ref())?;
    match args.format {
        Format::Json => print_json(&answer)?,
        Format::Table => {
            let mut text = format!(
                "{}: {} {} to {} (policy {})\n",
                if answer.decision.allow {
                    "ALLOW"
                } else {
                    "DENY"
                },
                service,
                version,
                env,
                answer.policy.join(", ")
            );
            for (what, reasons) in [
                ("deny", &answer.decision.deny),
                ("warn", &answer.decision.warn),
            ] {
                for r in reasons {
                    text.push_str(&format!("  {what} {}: {}\n", r.code, r.message));
                }
            }
            if args.show_input {
                text.push_str(&serde_json::to_string_pretty(&answer.input)?);
                text.push('\n');
            }
            print(&text)?;
        }
    }
    Ok(if answer.decision.allow {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn test(args: &GateTestArgs) -> anyhow::Result<ExitCode> {
    let sources = vigil_engine::gate::read_policy(&args.path)?;
    let policy = vigil_engine::gate::compile(&sources)?;
    let results = policy.run_tests();
    let failed = results.iter().filter(|r| !r.passed).count();
    match args.format {
        Format::Json => print_json(&results)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = results
                .iter()
                .map(|r| {
                    vec![
                        if r.passed { "PASS" } else { "FAIL" }.to_owned(),
                        r.file.clone(),
                        format!("{}.{}", r.package, r.name),
                        r.error.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            let mut text = table(&["RESULT", "FILE", "TEST", "ERROR"], &rows);
            text.push_str(&format!(
                "\n{} passed, {failed} failed\n",
                results.len() - failed
            ));
            print(&text)?;
        }
    }
    if results.is_empty() {
        return Err(vigil_engine::EngineError::Invalid(format!(
            "{} has no test_* rules",
            args.path.display()
        ))
        .into());
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
