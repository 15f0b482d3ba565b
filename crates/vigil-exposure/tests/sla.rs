//! SLA policies: days by severity and KEV, the text form and every way it is refused.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on any error")]

use proptest::prelude::*;
use vigil_exposure::{PolicyError, SlaPolicies, SlaPolicy};

fn parse(input: &str) -> SlaPolicy {
    input.parse().unwrap()
}

fn error(input: &str) -> String {
    input.parse::<SlaPolicy>().unwrap_err().to_string()
}

#[test]
fn defaults() {
    let p = SlaPolicy::default();
    assert_eq!(
        p.to_string(),
        "critical=7,high=30,medium=90,low=180,unrated=90,kev=3"
    );
    assert_eq!(parse(""), p);
    assert_eq!(parse("  "), p);
}

#[test]
fn days_by_rank_and_kev() {
    let p = SlaPolicy::default();
    let got: Vec<_> = (0..=4)
        .map(|rank| (p.days(rank, false), p.days(rank, true)))
        .collect();
    assert_eq!(got, [(90, 3), (180, 3), (90, 3), (30, 3), (7, 3)]);
    // Ranks the store does not use are unrated.
    assert_eq!(p.days(5, false), 90);
    assert_eq!(p.days(-1, false), 90);
    // KEV only ever shortens.
    let p = parse("critical=2,kev=5");
    assert_eq!(p.days(4, true), 2);
    assert_eq!(p.days(3, true), 5);
}

#[test]
fn a_subset_overrides_the_defaults() {
    let p = parse(" high = 14 , kev=1");
    assert_eq!(
        p,
        SlaPolicy {
            high: 14,
            kev: 1,
            ..SlaPolicy::default()
        }
    );
    assert_eq!(
        parse("unrated=3650,low=1").to_string(),
        "critical=7,high=30,medium=90,low=1,unrated=3650,kev=3"
    );
}

#[test]
fn refusals_name_the_bad_part() {
    let cases = [
        (
            "high=30,severe=3",
            r#"SLA policy "high=30,severe=3": entry 2: unknown key "severe"; the keys are critical, high, medium, low, unrated, kev"#,
        ),
        (
            "high=thirty",
            r#"SLA policy "high=thirty": entry 1: high="thirty" is not a whole number of days"#,
        ),
        (
            "high=-1",
            r#"SLA policy "high=-1": entry 1: high="-1" is not a whole number of days"#,
        ),
        (
            "low=1.5",
            r#"SLA policy "low=1.5": entry 1: low="1.5" is not a whole number of days"#,
        ),
        (
            "kev=",
            r#"SLA policy "kev=": entry 1: kev="" is not a whole number of days"#,
        ),
        (
            "critical=0",
            r#"SLA policy "critical=0": critical=0 is out of range; days must be from 1 to 3650"#,
        ),
        (
            "medium=3651",
            r#"SLA policy "medium=3651": medium=3651 is out of range; days must be from 1 to 3650"#,
        ),
        (
            "high=3,high=4",
            r#"SLA policy "high=3,high=4": entry 2: key "high" is given twice"#,
        ),
        (
            "high=3,,low=4",
            r#"SLA policy "high=3,,low=4": entry 2 is empty; separate key=days entries with single commas"#,
        ),
        (
            "high=3,",
            r#"SLA policy "high=3,": entry 2 is empty; separate key=days entries with single commas"#,
        ),
        (
            "high 30",
            r#"SLA policy "high 30": entry 1 "high 30" has no '='; write key=days, for example high=30"#,
        ),
        (
            "HIGH=3",
            r#"SLA policy "HIGH=3": entry 1: unknown key "HIGH"; the keys are critical, high, medium, low, unrated, kev"#,
        ),
    ];
    for (input, expect) in cases {
        assert_eq!(error(input), expect, "{input}");
    }
    assert!(matches!(
        "x=1".parse::<SlaPolicy>(),
        Err(PolicyError::UnknownKey { entry: 1, .. })
    ));
}

#[test]
fn deserialized_policies_are_checked_too() {
    let p: SlaPolicies = serde_json::from_str(
        r#"{"default": {"high": 14}, "per_environment": {"dev": {"critical": 30, "kev": 30}}}"#,
    )
    .unwrap();
    assert_eq!(p.default.high, 14);
    assert_eq!(p.default.critical, 7);
    assert_eq!(p.for_environment("dev").critical, 30);
    assert_eq!(p.for_environment("prod"), &p.default);

    let err = serde_json::from_str::<SlaPolicies>(r#"{"default": {"high": 0}}"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(r#"SLA policy "high = 0": high=0 is out of range"#),
        "{err}"
    );
    let err = serde_json::from_str::<SlaPolicy>(r#"{"hgh": 3}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `hgh`"), "{err}");
    assert_eq!(
        serde_json::from_str::<SlaPolicies>("{}").unwrap(),
        SlaPolicies::default()
    );
}

proptest! {
    #[test]
    fn text_round_trips(days in proptest::array::uniform6(1u32..=3650)) {
        let [critical, high, medium, low, unrated, kev] = days;
        let p = SlaPolicy { critical, high, medium, low, unrated, kev };
        prop_assert_eq!(p.to_string().parse::<SlaPolicy>().unwrap(), p);
        let json = serde_json::to_string(&p).unwrap();
        prop_assert_eq!(serde_json::from_str::<SlaPolicy>(&json).unwrap(), p);
    }

    #[test]
    fn whatever_parses_prints_back_to_itself(input in "(critical|high|kev|low|x)?=?[0-9]{0,5}(,(high|low|unrated)=[0-9]{0,4}){0,3}") {
        if let Ok(p) = input.parse::<SlaPolicy>() {
            prop_assert_eq!(p.to_string().parse::<SlaPolicy>().unwrap(), p);
            prop_assert!([p.critical, p.high, p.medium, p.low, p.unrated, p.kev]
                .iter()
                .all(|d| (1..=3650).contains(d)));
        }
    }
}
