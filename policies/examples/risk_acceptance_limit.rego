# Example: risk acceptances must be short-lived.
#
# Enforces: a finding whose risk is accepted (triage status risk_accepted) blocks the
# deployment when the acceptance has no expiry, or expires more than
# risk_acceptance_max_days after it was recorded. Accept the risk again with an earlier
# expiry, or fix the finding.
package vigil.gate

import rego.v1

risk_acceptance_max_days := 90

deny contains reason if {
	some finding in input.findings
	finding.triage.status == "risk_accepted"
	finding.triage.expires == null
	reason := {
		"code": "risk_acceptance_too_long",
		"msg": sprintf(
			"the risk acceptance of %s in %s by %s has no expiry; accept it again with an expiry at most %v days out, or fix it",
			[finding.advisory, finding.package.purl, finding.triage.actor, risk_acceptance_max_days],
		),
		"advisory": finding.advisory,
		"package": finding.package.purl,
	}
}

deny contains reason if {
	some finding in input.findings
	finding.triage.status == "risk_accepted"
	is_string(finding.triage.expires)
	nanos := time.parse_rfc3339_ns(finding.triage.expires) - time.parse_rfc3339_ns(finding.triage.at)
	days := nanos / ((24 * 60) * 60e9)
	days > risk_acceptance_max_days
	reason := {
		"code": "risk_acceptance_too_long",
		"msg": sprintf(
			"the risk acceptance of %s in %s by %s runs %v days, from %s to %s; the limit is %v days: accept it again with an earlier expiry, or fix it",
			[finding.advisory, finding.package.purl, finding.triage.actor, ceil(days), finding.triage.at, finding.triage.expires, risk_acceptance_max_days],
		),
		"advisory": finding.advisory,
		"package": finding.package.purl,
	}
}
