# Tests of default.rego. Each test looks only at the codes of the default policy, so the
# tests still hold when other rules of package vigil.gate are loaded beside it.
package vigil.gate_test

import rego.v1

import data.vigil.gate

# A prod deployment of a signed release with no findings: the default policy allows it.
base := {
	"now": "2026-12-06T10:00:00Z",
	"environment": {
		"name": "prod",
		"require_signed": true,
		"sla_days": {"critical": 7, "high": 30, "medium": 90, "low": 180, "unrated": 90, "kev": 3},
	},
	"service": {"name": "checkout", "owner": "payments"},
	"release": {
		"version": "1.4.2",
		"commit": "abc123",
		"sbom_sha256": "5d41402abc4b2a76b9719d911017c592",
		"digests": ["sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"],
		"recorded_at": "2026-12-01T09:00:00Z",
		"signed": true,
		"signatures": [{"kind": "signature", "target": "sbom", "verdict": "verified", "key_fingerprint": "sha256:0f1e"}],
	},
	"findings": [],
}

# A high-severity finding of a direct dependency, not known exploited, not triaged.
finding := {
	"advisory": "GHSA-35jh-r3h4-6jhm",
	"aliases": ["CVE-2021-23337"],
	"summary": "Command injection in lodash",
	"severity": "high",
	"severity_score": 7.2,
	"kev": false,
	"epss": 0.01,
	"package": {"purl": "pkg:npm/lodash@4.17.20", "ecosystem": "npm", "name": "lodash", "version": "4.17.20"},
	"dependency": "direct",
	"certainty": "affected",
	"fix": {"state": "fixed_in", "versions": ["4.17.21"]},
	"triage": null,
	"due": "2026-12-31T09:00:00Z",
	"overdue": false,
}

with_findings(findings) := object.union(base, {"findings": findings})

triaged(status) := {
	"status": status,
	"justification": null,
	"impact": null,
	"action": null,
	"reason": "reviewed",
	"actor": "alice",
	"at": "2026-12-02T09:00:00Z",
	"expires": null,
	"scope": "service",
}

default_codes := {"untriaged_kev", "untriaged_critical", "unsigned_release", "sla_overdue"}

# The reasons of the default policy among a set of reasons.
ours(reasons) := {r | some r in reasons; r.code in default_codes}

test_clean_release_is_allowed if {
	count(ours(gate.deny)) == 0 with input as base
	count(ours(gate.warn)) == 0 with input as base
}

test_untriaged_critical_is_denied if {
	critical := object.union(finding, {"severity": "critical", "severity_score": 9.8})
	ours(gate.deny) == {{
		"code": "untriaged_critical",
		"msg": "GHSA-35jh-r3h4-6jhm in pkg:npm/lodash@4.17.20 (severity critical) is untriaged: upgrade the package or record a triage decision",
		"advisory": "GHSA-35jh-r3h4-6jhm",
		"package": "pkg:npm/lodash@4.17.20",
	}} with input as with_findings([critical])
}

test_critical_under_investigation_is_denied if {
	critical := object.union(finding, {"severity": "critical", "triage": triaged("under_investigation")})
	{r.code | some r in ours(gate.deny)} == {"untriaged_critical"} with input as with_findings([critical])
}

test_triaged_critical_is_allowed if {
	every status in ["affected", "not_affected", "fixed", "risk_accepted"] {
		critical := object.union(finding, {"severity": "critical", "triage": triaged(status)})
		count(ours(gate.deny)) == 0 with input as with_findings([critical])
	}
}

test_untriaged_high_is_allowed if {
	count(ours(gate.deny)) == 0 with input as with_findings([finding])
}

test_untriaged_kev_is_denied if {
	kev := object.union(finding, {"kev": true})
	ours(gate.deny) == {{
		"code": "untriaged_kev",
		"msg": "GHSA-35jh-r3h4-6jhm in pkg:npm/lodash@4.17.20 (severity high) is on CISA's known exploited list and untriaged: upgrade the package or record a triage decision",
		"advisory": "GHSA-35jh-r3h4-6jhm",
		"package": "pkg:npm/lodash@4.17.20",
	}} with input as with_findings([kev])
}

test_critical_kev_has_one_reason if {
	both := object.union(finding, {"kev": true, "severity": "critical"})
	{r.code | some r in ours(gate.deny)} == {"untriaged_kev"} with input as with_findings([both])
}

test_kev_of_unrated_severity_is_denied if {
	kev := object.union(finding, {"kev": true, "severity": "unrated", "severity_score": null})
	{r.code | some r in ours(gate.deny)} == {"untriaged_kev"} with input as with_findings([kev])
}

test_triaged_kev_is_allowed if {
	kev := object.union(finding, {"kev": true, "triage": triaged("not_affected")})
	count(ours(gate.deny)) == 0 with input as with_findings([kev])
}

test_each_finding_is_a_reason if {
	a := object.union(finding, {"severity": "critical"})
	b := object.union(finding, {"severity": "critical", "advisory": "GHSA-p6mc-m468-83gw"})
	c := object.union(finding, {"kev": true, "package": {"purl": "pkg:npm/minimist@1.2.5"}})
	reasons := ours(gate.deny) with input as with_findings([a, b, c])
	{[r.code, r.advisory, r.package] | some r in reasons} == {
		["untriaged_critical", "GHSA-35jh-r3h4-6jhm", "pkg:npm/lodash@4.17.20"],
		["untriaged_critical", "GHSA-p6mc-m468-83gw", "pkg:npm/lodash@4.17.20"],
		["untriaged_kev", "GHSA-35jh-r3h4-6jhm", "pkg:npm/minimist@1.2.5"],
	}
}

test_unsigned_release_is_denied_where_required if {
	unsigned := object.union(base, {"release": {"signed": false, "signatures": []}})
	ours(gate.deny) == {{
		"code": "unsigned_release",
		"msg": "release 1.4.2 of checkout has no verified signature or attestation, and environment prod requires one: sign the release and record the signature",
	}} with input as unsigned
}

test_unsigned_release_is_allowed_where_not_required if {
	unsigned := object.union(base, {
		"environment": {"require_signed": false},
		"release": {"signed": false, "signatures": []},
	})
	count(ours(gate.deny)) == 0 with input as unsigned
}

test_missing_signed_field_is_denied_where_required if {
	release := object.remove(base.release, ["signed"])
	inp := object.union(object.remove(base, ["release"]), {"release": release})
	{r.code | some r in ours(gate.deny)} == {"unsigned_release"} with input as inp
}

test_overdue_finding_warns if {
	overdue := object.union(finding, {"overdue": true, "due": "2026-12-01T09:00:00Z"})
	inp := with_findings([overdue])
	ours(gate.warn) == {{
		"code": "sla_overdue",
		"msg": "GHSA-35jh-r3h4-6jhm in pkg:npm/lodash@4.17.20 (severity high) was due for remediation by 2026-12-01T09:00:00Z",
		"advisory": "GHSA-35jh-r3h4-6jhm",
		"package": "pkg:npm/lodash@4.17.20",
	}} with input as inp
	count(ours(gate.deny)) == 0 with input as inp
}

test_finding_not_overdue_does_not_warn if {
	count(ours(gate.warn)) == 0 with input as with_findings([finding])
}
