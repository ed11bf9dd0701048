// The Barman Cloud plugin's ObjectStore CRD (components/cloudnative-pg-backups), in a module of its own:
// the one version the module proxy serves with a checksum asks for a newer Gateway API than the one the
// cluster installs (../go.mod), and a shared module would move that one too.
module shiftstack.dev/cluster/crds/barman-cloud

go 1.26.4

// Read for its YAML (config/crd), never imported: keep it through `go mod tidy`.
require github.com/cloudnative-pg/plugin-barman-cloud v0.15.0
