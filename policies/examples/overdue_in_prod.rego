# Example: in prod, an overdue finding blocks the deployment.
#
# Enforces: in the environments listed in overdue_blocking_environments, a finding past
# its SLA due date (overdue) blocks the deployment; the default policy only warns. The
# engine does not mark a finding overdue once triage rules it out (not_affected, fixed)
# or accepts its risk, so those do not block.
package vigil.gate

import rego.v1

overdue_blocking_environments := {"prod", "production"}

deny contains reason if {
	input.environment.name in overdue_blocking_environments
	some finding in input.findings
	finding.overdue == true
	reason := {
		"code": "overdue_in_prod",
		"msg": sprintf(
			"%s in %s (severity %s) was due for remediation by %s, and overdue findings block %s: upgrade the package or record a triage decision",
			[finding.advisory, finding.package.purl, finding.severity, finding.due, input.environment.name],
		),
		"advisory": finding.advisory,
		"package": finding.package.purl,
	}
}
