# Tests of epss_threshold.rego.
package vigil.examples_test.epss_threshold

import rego.v1

import data.vigil.gate

base := {
	"now": "2026-12-06T10:00:00Z",
	"environment": {"name": "prod", "require_signed": false, "sla_days": {"critical": 7, "high": 30, "medium": 90, "low": 180, "unrated": 90, "kev": 3}},
	"service": {"name": "checkout", "owner": "payments"},
	"release": {"version": "1.4.2", "commit": null, "sbom_sha256": "5d41402abc4b2a76b9719d911017c592", "digests": [], "recorded_at": "2026-12-01T09:00:00Z", "signed": false, "signatures": []},
	"findings": [],
}

finding := {
	"advisory": "GHSA-rv95-896h-c2vc",
	"aliases": ["CVE-2022-24999"],
	"summary": "qs vulnerable to Prototype Pollution",
	"severity": "high",
	"severity_score": 7.5,
	"kev": false,
	"epss": 0.62,
	"package": {"purl": "pkg:npm/qs@6.5.2", "ecosystem": "npm", "name": "qs", "version": "6.5.2"},
	"dependency": "transitive",
	"certainty": "affected",
	"fix": {"state": "fixed_in", "versions": ["6.5.3"]},
	"triage": null,
	"due": null,
	"overdue": false,
}

reasons(inp) := {r | some r in gate.deny with input as inp; r.code == "untriaged_high_epss"}

with_finding(changes) := object.union(base, {"findings": [object.union(finding, changes)]})

test_high_epss_untriaged_in_prod_is_denied if {
	reasons(with_finding({})) == {{
		"code": "untriaged_high_epss",
		"msg": "GHSA-rv95-896h-c2vc in pkg:npm/qs@6.5.2 has an EPSS score of 0.62 (at least 0.5 blocks prod) and is untriaged: upgrade the package or record a triage decision",
		"advisory": "GHSA-rv95-896h-c2vc",
		"package": "pkg:npm/qs@6.5.2",
	}}
}

test_threshold_is_inclusive if {
	count(reasons(with_finding({"epss": 0.5}))) == 1
}

test_low_epss_is_allowed if {
	count(reasons(with_finding({"epss": 0.49}))) == 0
}

test_missing_epss_is_allowed if {
	count(reasons(with_finding({"epss": null}))) == 0
}

test_under_investigation_is_denied if {
	count(reasons(with_finding({"triage": {"status": "under_investigation"}}))) == 1
}

test_triaged_is_allowed if {
	count(reasons(with_finding({"triage": {"status": "affected", "action": "upgrade qs next sprint"}}))) == 0
}

test_other_environments_are_allowed if {
	staging := object.union(with_finding({}), {"environment": {"name": "staging"}})
	count(reasons(staging)) == 0
}
