// Package crds pins, through go.mod and go.sum, the upstream projects whose CustomResourceDefinitions the
// local cluster installs from their own module files (scripts/cluster reads config/crd from the module
// cache). Nothing here is built into a program.
package crds

import (
	_ "sigs.k8s.io/gateway-api/apis/v1"
)
