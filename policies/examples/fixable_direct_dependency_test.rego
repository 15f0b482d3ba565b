# Tests of fixable_direct_dependency.rego.
package vigil.examples_test.fixable_direct_dependency

import rego.v1

import data.vigil.gate

base := {
	"now": "2026-12-06T10:00:00Z",
	"environment": {"name": "staging", "require_signed": false, "sla_days": {"critical": 7, "high": 30, "medium": 90, "low": 180, "unrated": 90, "kev": 3}},
	"service": {"name": "search", "owner": null},
	"release": {"version": "0.9.0", "commit": null, "sbom_sha256": "5d41402abc4b2a76b9719d911017c592", "digests": [], "recorded_at": "2026-12-01T09:00:00Z", "signed": false, "signatures": []},
	"findings": [],
}

finding := {
	"advisory": "GHSA-4xh5-x5gv-qwph",
	"aliases": ["CVE-2024-6345"],
	"summary": "pypa/setuptools vulnerable to Command Injection via package URL",
	"severity": "high",
	"severity_score": 8.8,
	"kev": false,
	"epss": 0.003,
	"package": {"purl": "pkg:pypi/setuptools@65.5.0", "ecosystem": "PyPI", "name": "setuptools", "version": "65.5.0"},
	"dependency": "direct",
	"certainty": "affected",
	"fix": {"state": "fixed_in", "versions": ["70.0.0", "71.1.0"]},
	"triage": null,
	"due": null,
	"overdue": false,
}

reasons(inp) := {r | some r in gate.deny with input as inp; r.code == "fixable_direct_dependency"}

with_finding(changes) := object.union(base, {"findings": [object.union(finding, changes)]})

test_fixable_direct_high_is_denied if {
	reasons(with_finding({})) == {{
		"code": "fixable_direct_dependency",
		"msg": "GHSA-4xh5-x5gv-qwph in pkg:pypi/setuptools@65.5.0 (severity high) is fixed in 70.0.0, 71.1.0: upgrade this direct dependency, or record a triage decision",
		"advisory": "GHSA-4xh5-x5gv-qwph",
		"package": "pkg:pypi/setuptools@65.5.0",
	}}
}

test_triaged_affected_is_still_denied if {
	count(reasons(with_finding({"triage": {"status": "affected", "action": "will upgrade"}}))) == 1
}

test_cleared_by_triage_is_allowed if {
	every status in ["not_affected", "fixed", "risk_accepted"] {
		count(reasons(with_finding({"triage": {"status": status}}))) == 0
	}
}

test_transitive_is_allowed if {
	count(reasons(with_finding({"dependency": "transitive"}))) == 0
}

test_medium_is_allowed if {
	count(reasons(with_finding({"severity": "medium"}))) == 0
}

test_no_fix_is_allowed if {
	count(reasons(with_finding({"fix": {"state": "no_fix_yet", "versions": []}}))) == 0
}
