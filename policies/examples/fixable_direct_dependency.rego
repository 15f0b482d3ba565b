# Example: a fix that the team can take must be taken.
#
# Enforces: a high or critical finding in a direct dependency (one the service itself
# declares) for which a fixed version exists blocks the deployment, unless triage says
# the service is not affected, the fix is in, or the risk is accepted. Transitive
# dependencies and findings without a fix are left to the other rules.
package vigil.gate

import rego.v1

fixable_severities := {"critical", "high"}

# Triage that lets a fixable finding through.
fixable_cleared := {"not_affected", "fixed", "risk_accepted"}

deny contains reason if {
	some finding in input.findings
	finding.dependency == "direct"
	finding.severity in fixable_severities
	finding.fix.state == "fixed_in"
	count(finding.fix.versions) > 0
	not finding.triage.status in fixable_cleared
	reason := {
		"code": "fixable_direct_dependency",
		"msg": sprintf(
			"%s in %s (severity %s) is fixed in %s: upgrade this direct dependency, or record a triage decision",
			[finding.advisory, finding.package.purl, finding.severity, concat(", ", finding.fix.versions)],
		),
		"advisory": finding.advisory,
		"package": finding.package.purl,
	}
}
