// `npm run cluster -- build|up|deploy|down`: a real single-node Kubernetes on this machine, built from the pinned
// sources in deploy/cluster. Needs root, Go, and Debian's runc, containernetworking-plugins, iptables,
// conntrack, openssl and gcc (docs/cluster.md). `build` and `up` take `--with-controllers` to add the
// controllers production relies on (scripts/cluster/controllers.ts); without it they stay lean.
import { existsSync } from 'node:fs';
import { binDir, buildCluster, CONTROLLER_PARTS } from './build';
import { startControllers } from './controllers';
import { applyDev, buildAndImportImages, DEV_NAMESPACE } from './deploy';
import { adminKubeconfig, down, NODE_NAME, up } from './node';

const say = (line: string) => process.stdout.write(`[cluster] ${line}\n`);
const command = process.argv[2];
const withControllers = process.argv.includes('--with-controllers');

async function main(): Promise<void> {
  switch (command) {
    case 'build': {
      // The cluster's parts and the controllers' build side by side (two parts at a time in all).
      const [bin, controllers] = await Promise.all([
        buildCluster(say),
        withControllers ? buildCluster(say, CONTROLLER_PARTS) : undefined,
      ]);
      say(`binaries in ${bin}`);
      if (controllers) say(`controllers in ${controllers}`);
      return;
    }
    case 'up': {
      const [bin, controllers] = await Promise.all([
        buildCluster(say),
        withControllers ? buildCluster(say, CONTROLLER_PARTS) : undefined,
      ]);
      await up(bin, say);
      if (controllers) await startControllers(bin, controllers, say);
      const plugin = controllers ? `\n  export PATH=${controllers}:$PATH   # kubectl argo rollouts` : '';
      say(`node ${NODE_NAME} is Ready. Use it with:
  export KUBECONFIG=${adminKubeconfig}${plugin}
  ${bin}/kubectl get nodes
Stop it and remove everything with: npm run cluster -- down`);
      return;
    }
    case 'deploy': {
      const bin = await buildCluster(say);
      if (!existsSync(adminKubeconfig)) throw new Error('no cluster: run `npm run cluster -- up` first');
      await buildAndImportImages(bin, say);
      applyDev(bin, say);
      say(`shiftstack is running in namespace ${DEV_NAMESPACE}:
  ${bin}/kubectl --kubeconfig ${adminKubeconfig} -n ${DEV_NAMESPACE} get pods`);
      return;
    }
    case 'down': {
      const bin = binDir();
      await down(existsSync(bin) ? bin : undefined, say);
      return;
    }
    default:
      process.stderr.write('usage: npm run cluster -- build|up|deploy|down [--with-controllers]\n');
      process.exit(64);
  }
}

main().catch((err: unknown) => {
  say(`failed: ${(err as Error).message}`);
  process.exit(1);
});
