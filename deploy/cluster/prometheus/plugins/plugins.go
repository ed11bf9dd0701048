// The service discovery our Prometheus is built with. Prometheus' own plugins/plugins.go (generated from
// its plugins.yml) registers every provider it knows (AWS, Azure, GCE, ...), and compiling their SDKs was
// most of a cold build. The local cluster's Prometheus only reads the kubernetes_sd_configs that
// prometheus-operator writes for PodMonitors (static and file discovery are built in), so the build puts
// this file in place of Prometheus' own, in a copy of its module (scripts/cluster/build.ts).
package plugins

import (
	// Register kubernetes plugin.
	_ "github.com/prometheus/prometheus/discovery/kubernetes"
)
