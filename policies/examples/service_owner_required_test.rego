# Tests of service_owner_required.rego.
package vigil.examples_test.service_owner_required

import rego.v1

import data.vigil.gate

base := {
	"now": "2026-12-06T10:00:00Z",
	"environment": {"name": "prod", "require_signed": false, "sla_days": {"critical": 7, "high": 30, "medium": 90, "low": 180, "unrated": 90, "kev": 3}},
	"service": {"name": "search", "owner": null},
	"release": {"version": "0.9.0", "commit": null, "sbom_sha256": "5d41402abc4b2a76b9719d911017c592", "digests": [], "recorded_at": "2026-12-01T09:00:00Z", "signed": false, "signatures": []},
	"findings": [],
}

reasons(inp) := {r | some r in gate.deny with input as inp; r.code == "service_without_owner"}

test_no_owner_in_prod_is_denied if {
	reasons(base) == {{
		"code": "service_without_owner",
		"msg": "service search has no owning team, and prod requires one: set the service's owner, then deploy again",
	}}
}

test_owner_in_prod_is_allowed if {
	count(reasons(object.union(base, {"service": {"owner": "search-team"}}))) == 0
}

test_no_owner_in_dev_is_allowed if {
	count(reasons(object.union(base, {"environment": {"name": "dev"}}))) == 0
}
