# Tests of overdue_in_prod.rego.
package vigil.examples_test.overdue_in_prod

import rego.v1

import data.vigil.gate

base := {
	"now": "2026-12-06T10:00:00Z",
	"environment": {"name": "prod", "require_signed": false, "sla_days": {"critical": 7, "high": 30, "medium": 90, "low": 180, "unrated": 90, "kev": 3}},
	"service": {"name": "billing", "owner": "payments"},
	"release": {"version": "2.0.1", "commit": "9f2c1e7", "sbom_sha256": "5d41402abc4b2a76b9719d911017c592", "digests": [], "recorded_at": "2026-12-01T09:00:00Z", "signed": true, "signatures": []},
	"findings": [],
}

finding := {
	"advisory": "PYSEC-2023-74",
	"aliases": ["CVE-2023-32681"],
	"summary": "Unintended leak of Proxy-Authorization header in requests",
	"severity": "medium",
	"severity_score": 6.1,
	"kev": false,
	"epss": 0.05,
	"package": {"purl": "pkg:pypi/requests@2.28.2", "ecosystem": "PyPI", "name": "requests", "version": "2.28.2"},
	"dependency": "direct",
	"certainty": "affected",
	"fix": {"state": "fixed_in", "versions": ["2.31.0"]},
	"triage": null,
	"due": "2026-11-20T09:00:00Z",
	"overdue": true,
}

reasons(inp) := {r | some r in gate.deny with input as inp; r.code == "overdue_in_prod"}

with_finding(changes) := object.union(base, {"findings": [object.union(finding, changes)]})

test_overdue_in_prod_is_denied if {
	reasons(with_finding({})) == {{
		"code": "overdue_in_prod",
		"msg": "PYSEC-2023-74 in pkg:pypi/requests@2.28.2 (severity medium) was due for remediation by 2026-11-20T09:00:00Z, and overdue findings block prod: upgrade the package or record a triage decision",
		"advisory": "PYSEC-2023-74",
		"package": "pkg:pypi/requests@2.28.2",
	}}
}

test_not_overdue_is_allowed if {
	count(reasons(with_finding({"overdue": false, "due": "2027-02-18T09:00:00Z"}))) == 0
}

test_not_exposed_is_allowed if {
	count(reasons(with_finding({"overdue": false, "due": null}))) == 0
}

test_overdue_in_staging_is_allowed if {
	staging := object.union(with_finding({}), {"environment": {"name": "staging"}})
	count(reasons(staging)) == 0
}
