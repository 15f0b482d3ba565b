# Tests of risk_acceptance_limit.rego.
package vigil.examples_test.risk_acceptance_limit

import rego.v1

import data.vigil.gate

base := {
	"now": "2026-12-06T10:00:00Z",
	"environment": {"name": "prod", "require_signed": false, "sla_days": {"critical": 7, "high": 30, "medium": 90, "low": 180, "unrated": 90, "kev": 3}},
	"service": {"name": "checkout", "owner": "payments"},
	"release": {"version": "1.4.2", "commit": null, "sbom_sha256": "5d41402abc4b2a76b9719d911017c592", "digests": [], "recorded_at": "2026-12-01T09:00:00Z", "signed": false, "signatures": []},
	"findings": [],
}

accepted := {
	"advisory": "GHSA-h452-7996-h45h",
	"aliases": ["CVE-2024-29041"],
	"summary": "Express.js Open Redirect in malformed URLs",
	"severity": "medium",
	"severity_score": 6.1,
	"kev": false,
	"epss": 0.002,
	"package": {"purl": "pkg:npm/express@4.18.2", "ecosystem": "npm", "name": "express", "version": "4.18.2"},
	"dependency": "direct",
	"certainty": "affected",
	"fix": {"state": "fixed_in", "versions": ["4.19.2"]},
	"triage": {
		"status": "risk_accepted",
		"justification": null,
		"impact": null,
		"action": null,
		"reason": "redirects only to our own hosts",
		"actor": "alice",
		"at": "2026-11-01T09:00:00Z",
		"expires": "2027-01-30T09:00:00Z",
		"scope": "service",
	},
	"due": "2027-01-30T09:00:00Z",
	"overdue": false,
}

reasons(inp) := {r | some r in gate.deny with input as inp; r.code == "risk_acceptance_too_long"}

with_triage(changes) := object.union(base, {"findings": [object.union(accepted, {"triage": changes})]})

test_ninety_days_is_allowed if {
	count(reasons(with_triage({}))) == 0
}

test_one_second_over_ninety_days_is_denied if {
	reasons(with_triage({"expires": "2027-01-30T09:00:01Z"})) == {{
		"code": "risk_acceptance_too_long",
		"msg": "the risk acceptance of GHSA-h452-7996-h45h in pkg:npm/express@4.18.2 by alice runs 91 days, from 2026-11-01T09:00:00Z to 2027-01-30T09:00:01Z; the limit is 90 days: accept it again with an earlier expiry, or fix it",
		"advisory": "GHSA-h452-7996-h45h",
		"package": "pkg:npm/express@4.18.2",
	}}
}

test_offsets_are_honoured if {
	# 2027-01-30T10:00:00+01:00 is 09:00Z, exactly 90 days.
	count(reasons(with_triage({"expires": "2027-01-30T10:00:00+01:00"}))) == 0
	count(reasons(with_triage({"expires": "2027-01-30T09:00:00-01:00"}))) == 1
}

test_no_expiry_is_denied if {
	reasons(with_triage({"expires": null})) == {{
		"code": "risk_acceptance_too_long",
		"msg": "the risk acceptance of GHSA-h452-7996-h45h in pkg:npm/express@4.18.2 by alice has no expiry; accept it again with an expiry at most 90 days out, or fix it",
		"advisory": "GHSA-h452-7996-h45h",
		"package": "pkg:npm/express@4.18.2",
	}}
}

test_other_statuses_are_not_checked if {
	count(reasons(with_triage({"status": "not_affected", "expires": null}))) == 0
}

test_untriaged_is_not_checked if {
	untriaged := object.union(base, {"findings": [object.union(accepted, {"triage": null})]})
	count(reasons(untriaged)) == 0
}
