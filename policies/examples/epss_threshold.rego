# Example: deny untriaged findings that are likely to be exploited soon.
#
# Enforces: in the environments listed in epss_environments, a finding whose EPSS score
# (FIRST's estimate of the chance that the flaw is exploited within 30 days) is at least
# epss_threshold blocks the deployment until someone triages it. A finding without a
# score is left to the other rules.
package vigil.gate

import rego.v1

epss_threshold := 0.5

epss_environments := {"prod"}

deny contains reason if {
	input.environment.name in epss_environments
	some finding in input.findings
	is_number(finding.epss)
	finding.epss >= epss_threshold
	epss_untriaged(finding)
	reason := {
		"code": "untriaged_high_epss",
		"msg": sprintf(
			"%s in %s has an EPSS score of %v (at least %v blocks %s) and is untriaged: upgrade the package or record a triage decision",
			[finding.advisory, finding.package.purl, finding.epss, epss_threshold, input.environment.name],
		),
		"advisory": finding.advisory,
		"package": finding.package.purl,
	}
}

epss_untriaged(finding) if finding.triage == null

epss_untriaged(finding) if finding.triage.status == "under_investigation"
