#!/usr/bin/env bash
# Used by the kind job in .github/workflows/cd.yml, against the dev overlay in namespace shiftstack-dev.
#   smoke                    every service answers through its Service: readiness, an API read, the web page
#   rolling-update VERSION   deploys VERSION with the rollout script while a client inside the cluster sends
#                            requests without pause; fails if a single request failed
# The client runs outside the app namespace, which enforces Pod Security "restricted" and a quota.
set -euo pipefail

namespace=shiftstack-dev
# The client stands where the Gateway does: the dev NetworkPolicies admit port 8080 only from that namespace.
client_namespace=envoy-gateway-system
urls=(
  "http://users.$namespace.svc:8080/api/v1/locations"
  "http://shifts.$namespace.svc:8080/readyz"
  "http://web.$namespace.svc:8080/"
)

# Runs a curl loop in a pod until /tmp/stop exists, then prints "ok=N failed=M".
start_client() {
  kubectl create namespace "$client_namespace" --dry-run=client -o yaml | kubectl apply -f -
  kubectl -n "$client_namespace" delete pod client --ignore-not-found --wait
  kubectl -n "$client_namespace" run client --restart=Never --image=curlimages/curl:8.10.1 --command -- sh -c "
    ok=0; failed=0
    while [ ! -f /tmp/stop ]; do
      for url in ${urls[*]}; do
        if curl -fsS -o /dev/null --max-time 5 \"\$url\"; then ok=\$((ok+1)); else failed=\$((failed+1)); echo \"FAILED \$url\"; fi
      done
    done
    echo \"ok=\$ok failed=\$failed\""
  kubectl -n "$client_namespace" wait pod/client --for=condition=Ready --timeout=120s
}

stop_client() {
  kubectl -n "$client_namespace" exec client -- touch /tmp/stop
  kubectl -n "$client_namespace" wait pod/client --for=jsonpath='{.status.phase}'=Succeeded --timeout=60s
  kubectl -n "$client_namespace" logs client | tail -20
}

case "${1:-}" in
  smoke)
    start_client
    sleep 15
    summary="$(stop_client)"
    echo "$summary"
    # Something was served, and nothing failed once everything was ready.
    grep -Eq '^ok=[1-9][0-9]* failed=0$' <<<"$(tail -1 <<<"$summary")"
    ;;
  rolling-update)
    version="${2:?usage: $0 rolling-update VERSION}"
    start_client
    sleep 5
    npm run deploy -- --env dev --version "$version"
    sleep 5
    summary="$(stop_client)"
    echo "$summary"
    kubectl -n "$namespace" get deployments -o wide
    last="$(tail -1 <<<"$summary")"
    if ! grep -Eq '^ok=[1-9][0-9]* failed=0$' <<<"$last"; then
      echo "rolling update to $version dropped requests: $last" >&2
      exit 1
    fi
    echo "rolling update to $version: $last"
    ;;
  *)
    echo "usage: $0 smoke | rolling-update VERSION" >&2
    exit 64
    ;;
esac
