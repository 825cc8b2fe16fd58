#!/usr/bin/env bash
# Makes the TLS material for a dptrain cluster with the JDK's keytool:
#   OUT_DIR/dptrain-node.p12    PKCS12 key store: one RSA 2048 key pair, self-signed certificate CN=dptrain-node
#   OUT_DIR/dptrain-trust.p12   PKCS12 trust store holding that certificate
#   OUT_DIR/dptrain-node.crt    the certificate (PEM), for inspection
#
#   gen-tls.sh OUT_DIR [SAN ...]      SAN: ip:10.0.0.1, dns:node1.example, or a bare IP address or host name
#   DPTRAIN_TLS_PASSWORD=...  gen-tls.sh /etc/dptrain/tls ip:10.0.0.1 ip:10.0.0.2
#
# There is no CA. Every node of the cluster uses the same key store and the same trust store: a node is let in
# because it holds the shared cluster key (mutual authentication on both ends of each connection), so treat
# dptrain-node.p12 and its password as a cluster secret and copy them only to the cluster's nodes. Any node
# holding them can join. To revoke, make new stores and replace them on every node.
#
# The certificate lists 127.0.0.1 and localhost plus the SANs given; conf/tls.conf turns host name
# verification off, so the SANs matter only if you turn it on.
# Passwords: $DPTRAIN_TLS_PASSWORD (default "changeit"), for both stores and the key.
set -euo pipefail

usage() { echo "usage: $(basename "$0") OUT_DIR [ip:ADDR|dns:NAME|ADDR|NAME ...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
case "$1" in -h|--help) usage ;; esac
out="$1"; shift

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/keytool" ]; then
  keytool="$JAVA_HOME/bin/keytool"
elif command -v keytool >/dev/null 2>&1; then
  keytool="$(command -v keytool)"
else
  echo "gen-tls.sh: keytool not found; install a JDK 17+ or set JAVA_HOME" >&2
  exit 1
fi

password="${DPTRAIN_TLS_PASSWORD:-changeit}"
if [ "${#password}" -lt 6 ]; then
  echo "gen-tls.sh: DPTRAIN_TLS_PASSWORD must have at least 6 characters (keytool's minimum)" >&2
  exit 2
fi
if [ -z "${DPTRAIN_TLS_PASSWORD:-}" ]; then
  echo "gen-tls.sh: DPTRAIN_TLS_PASSWORD is not set; using the default password 'changeit'" >&2
fi

san="ip:127.0.0.1,dns:localhost"
for s in "$@"; do
  case "$s" in
    ip:?*|dns:?*) ;;
    *:*) echo "gen-tls.sh: bad SAN '$s' (expected ip:ADDR, dns:NAME, or a bare address or name)" >&2; exit 2 ;;
    *[!0-9.]*) s="dns:$s" ;;
    *) s="ip:$s" ;;
  esac
  case "$s" in
    *,*|*' '*) echo "gen-tls.sh: bad SAN '$s' (no commas or spaces)" >&2; exit 2 ;;
  esac
  san="$san,$s"
done

keystore="$out/dptrain-node.p12"
truststore="$out/dptrain-trust.p12"
cert="$out/dptrain-node.crt"
for f in "$keystore" "$truststore" "$cert"; do
  if [ -e "$f" ]; then
    echo "gen-tls.sh: $f exists; remove the old files first (all nodes must get the new ones together)" >&2
    exit 1
  fi
done
mkdir -p "$out"
umask 077

# One key pair; its certificate serves both as TLS server and as TLS client certificate.
"$keytool" -genkeypair -noprompt \
  -alias dptrain-node -keyalg RSA -keysize 2048 -validity 825 \
  -dname "CN=dptrain-node" \
  -ext "SAN=$san" \
  -ext "KeyUsage=digitalSignature,keyEncipherment" \
  -ext "ExtendedKeyUsage=serverAuth,clientAuth" \
  -storetype PKCS12 -keystore "$keystore" -storepass "$password" -keypass "$password"

"$keytool" -exportcert -rfc -alias dptrain-node \
  -keystore "$keystore" -storetype PKCS12 -storepass "$password" -file "$cert"

"$keytool" -importcert -noprompt -alias dptrain-node -file "$cert" \
  -storetype PKCS12 -keystore "$truststore" -storepass "$password"

chmod 600 "$keystore"
chmod 644 "$truststore" "$cert"
echo "gen-tls.sh: wrote $keystore, $truststore and $cert (SAN $san)" >&2
echo "gen-tls.sh: copy both .p12 files to every node; point DPTRAIN_KEYSTORE / DPTRAIN_TRUSTSTORE at them" >&2
