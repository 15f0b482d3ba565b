# Vigil's default deployment gate.
#
# Denies a deployment that would run a critical or known-exploited (CISA KEV) finding
# that nobody has triaged yet, or an unsigned release where the environment requires
# signatures. Warns about findings past their SLA due date. The input document is
# described in docs/gate.md.
package vigil.gate

import rego.v1

# A finding is untriaged while it has no decision, or only "under investigation".
untriaged(finding) if finding.triage == null

untriaged(finding) if finding.triage.status == "under_investigation"

# A known-exploited finding gets one reason, untriaged_kev, whatever its severity: being
# exploited is the more urgent fact.
deny contains reason if {
	some finding in input.findings
	finding.kev == true
	untriaged(finding)
	reason := {
		"code": "untriaged_kev",
		"msg": sprintf(
			"%s in %s (severity %s) is on CISA's known exploited list and untriaged: upgrade the package or record a triage decision",
			[finding.advisory, finding.package.purl, finding.severity],
		),
		"advisory": finding.advisory,
		"package": finding.package.purl,
	}
}

deny contains reason if {
	some finding in input.findings
	finding.severity == "critical"
	not finding.kev == true
	untriaged(finding)
	reason := {
		"code": "untriaged_critical",
		"msg": sprintf(
			"%s in %s (severity critical) is untriaged: upgrade the package or record a triage decision",
			[finding.advisory, finding.package.purl],
		),
		"advisory": finding.advisory,
		"package": finding.package.purl,
	}
}

deny contains reason if {
	input.environment.require_signed == true
	# Written with `not`, so that a missing field denies rather than passes.
	not input.release.signed == true
	reason := {
		"code": "unsigned_release",
		"msg": sprintf(
			"release %s of %s has no verified signature or attestation, and environment %s requires one: sign the release and record the signature",
			[input.release.version, input.service.name, input.environment.name],
		),
	}
}

warn contains reason if {
	some finding in input.findings
	finding.overdue == true
	reason := {
		"code": "sla_overdue",
		"msg": sprintf(
			"%s in %s (severity %s) was due for remediation by %s",
			[finding.advisory, finding.package.purl, finding.severity, finding.due],
		),
		"advisory": finding.advisory,
		"package": finding.package.purl,
	}
}
