# Example: nothing runs in prod without an owner.
#
# Enforces: a service without an owning team cannot be deployed to the environments in
# owner_required_environments, so every alert about what runs there reaches someone.
package vigil.gate

import rego.v1

owner_required_environments := {"prod"}

deny contains reason if {
	input.environment.name in owner_required_environments
	not is_string(input.service.owner)
	reason := {
		"code": "service_without_owner",
		"msg": sprintf(
			"service %s has no owning team, and %s requires one: set the service's owner, then deploy again",
			[input.service.name, input.environment.name],
		),
	}
}
