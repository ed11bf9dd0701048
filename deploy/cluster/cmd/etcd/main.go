// etcd for the local cluster: upstream's own entry point (etcdmain.Main), at the version go.mod pins.
// etcd's root module (where its main package lives) carries relative replaces, so it cannot be required;
// its server module can, and etcdmain is the whole program.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
