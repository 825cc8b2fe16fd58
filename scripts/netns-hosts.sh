#!/usr/bin/env bash
# Simulated hosts on one machine: N network namespaces PREFIX-1 … PREFIX-N, each with one veth interface (default
# MTU 1500, like Ethernet) at 10.RR.0.i/24 on a bridge that lives in its own namespace PREFIX-sw, so the machine's own
# network is not touched. The data plane between them is real UDP through the kernel. Root (CAP_NET_ADMIN) only.
#   scripts/netns-hosts.sh up PREFIX N [SUBNET]    (SUBNET: the second octet RR, default 77) -> prints the addresses
#   scripts/netns-hosts.sh down PREFIX N
# Run a command on host i:  ip netns exec PREFIX-i COMMAND …
set -euo pipefail

die() { echo "netns-hosts: $*" >&2; exit 1; }
[[ $# -ge 3 ]] || die "usage: $0 up|down PREFIX N [SUBNET]"
action=$1 prefix=$2 n=$3 subnet=${4:-77}
[[ $prefix =~ ^[a-z][a-z0-9]{0,7}$ ]] || die "PREFIX must be 1-8 lower-case letters/digits, starting with a letter (got '$prefix')"
[[ $n =~ ^[1-9][0-9]?$ ]] || die "N must be 1..99 (got '$n')"
[[ $subnet =~ ^[0-9]{1,3}$ && $subnet -le 255 ]] || die "SUBNET must be 0..255 (got '$subnet')"
command -v ip >/dev/null || die "ip (iproute2) not found: apt-get install iproute2"

down() {
  for ((i = 1; i <= n; i++)); do
    ip netns del "$prefix-$i" 2>/dev/null || true
  done
  ip netns del "$prefix-sw" 2>/dev/null || true
}

case $action in
  down) down ;;
  up)
    down
    trap 'down' ERR
    ip netns add "$prefix-sw"
    ip -n "$prefix-sw" link add br0 type bridge
    ip -n "$prefix-sw" link set br0 up
    for ((i = 1; i <= n; i++)); do
      ns=$prefix-$i
      ip netns add "$ns"
      ip -n "$ns" link set lo up
      # veth names are per namespace once moved; create them with names unique in the root namespace
      ip link add "${prefix}h$i" type veth peer name "${prefix}s$i"
      ip link set "${prefix}h$i" netns "$ns"
      ip link set "${prefix}s$i" netns "$prefix-sw"
      ip -n "$prefix-sw" link set "${prefix}s$i" master br0 up
      ip -n "$ns" link set "${prefix}h$i" name eth0
      ip -n "$ns" addr add "10.$subnet.0.$i/24" dev eth0
      ip -n "$ns" link set eth0 up
      echo "$ns 10.$subnet.0.$i"
    done
    trap - ERR
    ;;
  *) die "unknown action '$action' (expected up or down)" ;;
esac
