//! The tables between CycloneDX's analysis terms and OpenVEX's, used by the reader and
//! the writer alike so that the two cannot disagree. `docs/vex.md` prints them.

use crate::{Justification, Status};

/// CycloneDX `analysis.state` → status, and the state written for each status.
pub(crate) const STATES: &[(&str, Status)] = &[
    ("not_affected", Status::NotAffected),
    ("false_positive", Status::NotAffected),
    ("exploitable", Status::Affected),
    ("resolved", Status::Fixed),
    ("resolved_with_pedigree", Status::Fixed),
    ("in_triage", Status::UnderInvestigation),
];

pub(crate) const STATE_NAMES: &str =
    "resolved, resolved_with_pedigree, exploitable, in_triage, false_positive, not_affected";

/// CycloneDX `analysis.justification` → OpenVEX justification, and back (the first
/// CycloneDX value listed for a justification is the one written).
///
/// The VEX working group's mapping: `code_not_present` is `vulnerable_code_not_present`,
/// `code_not_reachable` is `vulnerable_code_not_in_execute_path`, `requires_dependency`
/// ("exploitability requires a dependency that is not present") is
/// `component_not_present`, the other `requires_*` say the vulnerable code cannot be
/// reached by an attacker as deployed, and every `protected_*` is an inline mitigation.
pub(crate) const JUSTIFICATIONS: &[(&str, Justification)] = &[
    ("requires_dependency", Justification::ComponentNotPresent),
    ("code_not_present", Justification::VulnerableCodeNotPresent),
    (
        "code_not_reachable",
        Justification::VulnerableCodeNotInExecutePath,
    ),
    (
        "requires_environment",
        Justification::VulnerableCodeCannotBeControlledByAdversary,
    ),
    (
        "requires_configuration",
        Justification::VulnerableCodeCannotBeControlledByAdversary,
    ),
    (
        "protected_by_mitigating_control",
        Justification::InlineMitigationsAlreadyExist,
    ),
    (
        "protected_by_compiler",
        Justification::InlineMitigationsAlreadyExist,
    ),
    (
        "protected_at_runtime",
        Justification::InlineMitigationsAlreadyExist,
    ),
    (
        "protected_at_perimeter",
        Justification::InlineMitigationsAlreadyExist,
    ),
];

pub(crate) const JUSTIFICATION_NAMES: &str = "code_not_present, code_not_reachable, requires_configuration, requires_dependency, requires_environment, protected_by_compiler, protected_at_runtime, protected_at_perimeter, protected_by_mitigating_control";

/// CycloneDX `analysis.response` values and how the reader words them in an action
/// statement (CycloneDX's own descriptions).
pub(crate) const RESPONSES: &[(&str, &str)] = &[
    ("can_not_fix", "Can not fix"),
    ("will_not_fix", "Will not fix"),
    ("update", "Update to a different revision or release"),
    ("rollback", "Revert to a previous revision or release"),
    ("workaround_available", "There is a workaround available"),
];

/// A CycloneDX `affects[].versions[].status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VersionStatus {
    Affected,
    Unaffected,
    Unknown,
}

impl VersionStatus {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "affected" => Some(VersionStatus::Affected),
            "unaffected" => Some(VersionStatus::Unaffected),
            "unknown" => Some(VersionStatus::Unknown),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            VersionStatus::Affected => "affected",
            VersionStatus::Unaffected => "unaffected",
            VersionStatus::Unknown => "unknown",
        }
    }

    /// The version status that says `status`.
    pub(crate) fn of(status: Status) -> Self {
        match status {
            Status::Affected => VersionStatus::Affected,
            Status::NotAffected | Status::Fixed => VersionStatus::Unaffected,
            Status::UnderInvestigation => VersionStatus::Unknown,
        }
    }

    /// The statement status for a version with this status, given the status the
    /// analysis state says (`None` when the vulnerability has no state): the version's
    /// own status decides, and of the two statuses that `unaffected` can mean, the
    /// analysis picks (`resolved` makes it fixed). The second value is false when the
    /// analysis said something else.
    pub(crate) fn status(self, analysis: Option<Status>) -> (Status, bool) {
        match (self, analysis) {
            (VersionStatus::Affected, a) => {
                (Status::Affected, a.is_none_or(|a| a == Status::Affected))
            }
            (VersionStatus::Unaffected, Some(a @ (Status::NotAffected | Status::Fixed))) => {
                (a, true)
            }
            (VersionStatus::Unaffected, a) => (Status::NotAffected, a.is_none()),
            (VersionStatus::Unknown, a) => (
                Status::UnderInvestigation,
                a.is_none_or(|a| a == Status::UnderInvestigation),
            ),
        }
    }
}

pub(crate) fn state_status(state: &str) -> Option<Status> {
    STATES.iter().find(|(s, _)| *s == state).map(|(_, st)| *st)
}

/// The state written for `status`: `original` when it says the same, else the first
/// listed for the status.
pub(crate) fn status_state(status: Status, original: Option<&str>) -> &str {
    if let Some(o) = original
        && state_status(o) == Some(status)
    {
        return o;
    }
    STATES
        .iter()
        .find(|(_, st)| *st == status)
        .map_or("in_triage", |(s, _)| s)
}

pub(crate) fn cdx_justification(j: &str) -> Option<Justification> {
    JUSTIFICATIONS
        .iter()
        .find(|(c, _)| *c == j)
        .map(|(_, o)| *o)
}

/// The CycloneDX justification written for `j`: `original` when it maps to `j`, else
/// the first listed.
pub(crate) fn justification_cdx(j: Justification, original: Option<&str>) -> &str {
    if let Some(o) = original
        && cdx_justification(o) == Some(j)
    {
        return o;
    }
    JUSTIFICATIONS
        .iter()
        .find(|(_, o)| *o == j)
        .map_or("code_not_present", |(c, _)| c)
}

/// The action statement a list of responses makes: their descriptions, joined.
pub(crate) fn response_text(responses: &[String]) -> Option<String> {
    let parts: Vec<&str> = responses
        .iter()
        .map(|r| {
            RESPONSES
                .iter()
                .find(|(k, _)| k == r)
                .map_or(r.as_str(), |(_, d)| d)
        })
        .collect();
    (!parts.is_empty()).then(|| format!("{}.", parts.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_maps_and_writes_back() {
        for (state, status) in STATES {
            assert_eq!(state_status(state), Some(*status));
            assert_eq!(status_state(*status, Some(state)), *state);
        }
        assert_eq!(state_status("exploited"), None);
        assert_eq!(status_state(Status::NotAffected, None), "not_affected");
        assert_eq!(
            status_state(Status::NotAffected, Some("exploitable")),
            "not_affected"
        );
        assert_eq!(status_state(Status::Affected, None), "exploitable");
        assert_eq!(status_state(Status::Fixed, None), "resolved");
        assert_eq!(status_state(Status::UnderInvestigation, None), "in_triage");
    }

    #[test]
    fn justifications_round_trip_through_cyclonedx() {
        for j in Justification::ALL {
            assert_eq!(
                cdx_justification(justification_cdx(j, None)),
                Some(j),
                "{j}"
            );
        }
        for (cdx, j) in JUSTIFICATIONS {
            assert_eq!(justification_cdx(*j, Some(cdx)), *cdx);
        }
        assert_eq!(
            cdx_justification("requires_dependency"),
            Some(Justification::ComponentNotPresent)
        );
        assert_eq!(
            cdx_justification("requires_configuration"),
            Some(Justification::VulnerableCodeCannotBeControlledByAdversary)
        );
        assert_eq!(
            cdx_justification("protected_at_perimeter"),
            Some(Justification::InlineMitigationsAlreadyExist)
        );
        assert_eq!(cdx_justification("vulnerable_code_not_present"), None);
        // The written value for a justification that several CycloneDX values map to.
        assert_eq!(
            justification_cdx(
                Justification::VulnerableCodeCannotBeControlledByAdversary,
                None
            ),
            "requires_environment"
        );
        assert_eq!(
            justification_cdx(
                Justification::InlineMitigationsAlreadyExist,
                Some("code_not_present")
            ),
            "protected_by_mitigating_control"
        );
    }

    #[test]
    fn version_status_decides() {
        use Status::*;
        use VersionStatus as V;
        let cases = [
            (V::Affected, None, Affected, true),
            (V::Affected, Some(Affected), Affected, true),
            (V::Affected, Some(NotAffected), Affected, false),
            (V::Unaffected, None, NotAffected, true),
            (V::Unaffected, Some(NotAffected), NotAffected, true),
            (V::Unaffected, Some(Fixed), Fixed, true),
            (V::Unaffected, Some(Affected), NotAffected, false),
            (V::Unaffected, Some(UnderInvestigation), NotAffected, false),
            (V::Unknown, None, UnderInvestigation, true),
            (
                V::Unknown,
                Some(UnderInvestigation),
                UnderInvestigation,
                true,
            ),
            (V::Unknown, Some(Fixed), UnderInvestigation, false),
        ];
        for (v, analysis, want, agrees) in cases {
            assert_eq!(
                v.status(analysis),
                (want, agrees),
                "{v:?} under {analysis:?}"
            );
            assert_eq!(V::of(want).status(Some(want)), (want, true));
        }
    }

    #[test]
    fn responses_read_as_an_action() {
        assert_eq!(
            response_text(&["will_not_fix".into(), "update".into()]).as_deref(),
            Some("Will not fix; Update to a different revision or release.")
        );
        assert_eq!(response_text(&["other".into()]).as_deref(), Some("other."));
        assert_eq!(response_text(&[]), None);
    }
}
