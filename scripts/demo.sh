#!/usr/bin/env bash
# make demo: a full local ceremony with three simulated stations, each a
# separate coldtss process with its own home folder, sharing one "stick"
# folder. 2-of-3 secp256k1 keygen, then alice and carol sign a batch of
# messages along BIP32 paths, and every result is verified.
# DEMO_VIA=qr (make demo-qr) runs the ceremonies over QR instead, in a
# simulated room: each screen a PNG in $WORK/room-*/<station>/, each camera a
# simulated webcam that loses 30% of the frames; alice is the hub. It uses an
# ed25519 key: a secp256k1 keygen's 134 KB first packets take many minutes of
# simulated screens and cameras on a laptop's CPU (docs/qr.md, "How long it takes").
set -euo pipefail

BIN=${BIN:-$(pwd)/bin/coldtss}
WORK=${DEMO_DIR:-$(mktemp -d -t coldtss-demo.XXXXXX)}
STICK=$WORK/stick
STATIONS=(alice bob carol)
CURVE=secp256k1
[ "${DEMO_VIA:-usb}" = qr ] && CURVE=ed25519
mkdir -p "$STICK"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
station() { local s=$1; shift; "$BIN" "$@" --home "$WORK/$s" ; }
pass() { echo "--passphrase-file=$WORK/$1.pass"; }
# join_all PLAN TAG STATION...: every named station joins the plan in its own
# process, checking the fingerprint words read aloud; waits for all of them.
join_all() {
  local plan=$1 tag=$2; shift 2
  local words pids=()
  words=$("$BIN" plan show "$plan" | sed -n 's/^Fingerprint: *//p')
  echo "Everyone reads aloud: $words"
  local via=(--via "usb:$STICK")
  if [ "${DEMO_VIA:-usb}" = qr ]; then
    via=(--via "qr-sim:$WORK/room-$tag" --hub alice --sim-drop 0.3 --fps 25)
    echo "Over QR: the stations face alice (the hub) in turn; their screens are PNGs in $WORK/room-$tag/"
  fi
  for s in "$@"; do
    "$BIN" join "$plan" "${via[@]}" --home "$WORK/$s" "$(pass "$s")" \
      --expect-fingerprint "$words" --poll 50ms ${JOIN_FLAGS:-} > "$WORK/$s.$tag.out" 2> >(sed -u "s/^/[$s] /" >&2) &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
}

say "Demo folder: $WORK (stations: ${STATIONS[*]}; the shared stick: $STICK)"

say "1. Every station creates its identity and exports its card to the stick"
for s in "${STATIONS[@]}"; do
  umask 077; printf 'correct horse battery staple %s\n' "$s" > "$WORK/$s.pass"
  "$BIN" init --name "$s" --home "$WORK/$s" "$(pass "$s")"
  "$BIN" id export --home "$WORK/$s" --out "$STICK/$s.card"
done

if [ "$CURVE" = secp256k1 ]; then
say "2. Every station precomputes its Paillier pre-parameters (the slow part; in parallel)"
pids=()
for s in "${STATIONS[@]}"; do
  "$BIN" preparams --home "$WORK/$s" "$(pass "$s")" 2>&1 | sed -u "s/^/[$s] /" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
fi

say "3. The coordinator makes a 2-of-3 keygen plan from the cards"
"$BIN" plan keygen --card "$STICK/alice.card" --card "$STICK/bob.card" --card "$STICK/carol.card" \
  --threshold 2 --curve "$CURVE" --label demo-treasury --out "$STICK/keygen-plan.json"

say "4. All three stations join the keygen, each in its own process"
join_all "$STICK/keygen-plan.json" keygen "${STATIONS[@]}"
cat "$WORK/alice.keygen.out"
KEY=$("$BIN" keys list --home "$WORK/alice" --json | sed -n 's/.*"id": "\(.*\)".*/\1/p' | head -1)
mine=$("$BIN" keys show "$KEY" --home "$WORK/alice" --json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p')
for s in bob carol; do
  other=$("$BIN" keys show "$KEY" --home "$WORK/$s" --json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p')
  [ "$other" = "$mine" ] || { echo "public keys differ between alice and $s" >&2; exit 1; }
done
echo "All three stations hold a share of key $KEY with the same public key."

if [ "$CURVE" = secp256k1 ]; then
say "4b. What wallets see: Bitcoin descriptors and an Ethereum address (public data only, no passphrase)"
"$BIN" export descriptor --home "$WORK/bob" --key "$KEY" --network regtest
"$BIN" address --home "$WORK/carol" --key "$KEY" --network regtest --count 2
"$BIN" address --home "$WORK/carol" --key "$KEY" --chain ethereum

say "5. alice and carol sign a batch of 20 digests, each along its own BIP32 path, in one ceremony"
args=()
for i in $(seq 0 19); do
  d=$(printf 'coldtss demo message %d' "$i" | sha256sum | cut -d' ' -f1)
  args+=(--digest "$d@m/0/$i")
done
else
say "5. alice and carol sign a batch of 20 messages in one ceremony, face to face"
args=()
for i in $(seq 0 19); do
  args+=(--message "$(printf 'coldtss demo message %d' "$i" | od -An -tx1 | tr -d ' \n')")
done
fi
"$BIN" plan sign --home "$WORK/alice" --key "$KEY" --signer alice --signer carol "${args[@]}" --out "$STICK/sign-plan.json" > /dev/null
# Raw digests cannot be reviewed by the stations, so they must agree to sign them blind.
JOIN_FLAGS=--allow-raw join_all "$STICK/sign-plan.json" sign alice carol
cat "$WORK/alice.sign.out"

say "6. Anyone can verify the transcripts (signatures checked against the key's derived children)"
SESSION=$(sed -n 's/.*"session": "\(.*\)".*/\1/p' "$STICK/sign-plan.json" | head -1)
"$BIN" transcript verify "$WORK/carol/transcripts/$SESSION.json"
KSESSION=$(sed -n 's/.*"session": "\(.*\)".*/\1/p' "$STICK/keygen-plan.json" | head -1)
"$BIN" transcript verify "$WORK/bob/transcripts/$KSESSION.json"

say "Done. What is on the stick (no secret in clear: identities and shares never leave the station folders):"
find "$STICK" -type f | sort | sed "s|$WORK/||"
echo
echo "Everything is in $WORK (delete it when done)."
