#!/usr/bin/env bash
# End-to-end smoke test of the local test PDS (start.mjs) with curl.
# Prints PASS/FAIL per step (INFO for observations) and exits non-zero on any
# FAIL. Needs: node, curl. Run ./install.sh first.
# SMOKE_VERBOSE=1 prints every response body; SMOKE_OUT=DIR keeps them there;
# SMOKE_RATE_LIMITS=1 turns the PDS's rate limits on and checks the 429.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

if [[ ! -d node_modules/@atproto/pds ]]; then
  echo "node_modules missing: run $HERE/install.sh first" >&2
  exit 2
fi

OUT="${SMOKE_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/pds-smoke.XXXXXX")}"
mkdir -p "$OUT"
KEEP_OUT="${SMOKE_OUT:+1}"
FAILS=0
PASSES=0

pass() { PASSES=$((PASSES + 1)); printf 'PASS  %s\n' "$*"; }
fail() { FAILS=$((FAILS + 1)); printf 'FAIL  %s\n' "$*"; }
info() { printf 'INFO  %s\n' "$*"; }

# jget FILE JS-EXPR  -> evaluates EXPR with `j` bound to the parsed JSON file.
jget() {
  node -e '
    const fs = require("fs");
    let j; try { j = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { j = null; }
    const v = (0, eval)("(j) => (" + process.argv[2] + ")")(j);
    if (v === undefined || v === null) process.exit(1);
    process.stdout.write(typeof v === "string" ? v : JSON.stringify(v));
  ' "$1" "$2"
}

# xrpc NAME METHOD NSID [curl args...]: response body -> $OUT/NAME.json,
# status -> $STATUS, body -> $BODY (one line, for printing).
xrpc() {
  local name="$1" method="$2" nsid="$3"
  shift 3
  STATUS=$(curl -sS -o "$OUT/$name.json" -D "$OUT/$name.headers" -w '%{http_code}' \
    -X "$method" "$PDS/xrpc/$nsid" "$@") || STATUS=000
  BODY=$(tr -d '\n' <"$OUT/$name.json" | head -c 400)
  if [[ -n "${SMOKE_VERBOSE:-}" ]]; then echo "      $name -> $STATUS $BODY"; fi
}

errname() { jget "$OUT/$1.json" 'j.error' || echo '?'; }

# expect NAME STATUS [ERROR]: checks the last xrpc call.
expect() {
  local step="$1" want="$2" wanterr="${3:-}"
  if [[ "$STATUS" != "$want" ]]; then
    fail "$step: HTTP $STATUS (want $want) $BODY"
    return 1
  fi
  if [[ -n "$wanterr" ]]; then
    local got
    got=$(jget "$OUT/$LAST.json" 'j.error' || true)
    if [[ "$got" != "$wanterr" ]]; then
      fail "$step: error '$got' (want '$wanterr') $BODY"
      return 1
    fi
    pass "$step: HTTP $STATUS $BODY"
  else
    pass "$step: HTTP $STATUS"
  fi
}
call() { LAST="$1"; xrpc "$@"; }

# ------------------------------------------------------------------ start
# A coprocess gets a pipe as stdin: when this script exits, however it exits,
# the pipe closes and start.mjs shuts itself down.
JWT_SECRET="$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))')"
T_START=$(date +%s%N)
RATE=""
[[ -n "${SMOKE_RATE_LIMITS:-}" ]] && RATE=1
coproc PDSPROC { PDS_JWT_SECRET="$JWT_SECRET" PDS_RATE_LIMITS="$RATE" exec node "$HERE/start.mjs" 2>"$OUT/server.log"; }
PDS_PID=$PDSPROC_PID
exec {PDS_IN}>&"${PDSPROC[1]}"   # keep our own copy of the write end
cleanup() {
  if kill -0 "$PDS_PID" 2>/dev/null; then
    kill -TERM "$PDS_PID" 2>/dev/null
    wait "$PDS_PID" 2>/dev/null
  fi
  [[ -z "$KEEP_OUT" ]] && rm -rf "$OUT"
}
trap cleanup EXIT

READY=""
if ! IFS= read -r -t 60 -u "${PDSPROC[0]}" READY || [[ -z "$READY" ]]; then
  fail "start.mjs did not print a ready line within 60 s"
  cat "$OUT/server.log" >&2
  exit 1
fi
T_READY=$(date +%s%N)
echo "$READY" >"$OUT/ready.json"
PDS=$(jget "$OUT/ready.json" 'j.pds')
PLC=$(jget "$OUT/ready.json" 'j.plc')
ADMIN=$(jget "$OUT/ready.json" 'j.adminPassword')
pass "start: ready after $(((T_READY - T_START) / 1000000)) ms (server says $(jget "$OUT/ready.json" 'j.startupMs') ms): $READY"

# ------------------------------------------------------------------ server
call describe GET com.atproto.server.describeServer
expect "describeServer" 200
info "describeServer: $BODY"
[[ "$(jget "$OUT/describe.json" 'j.inviteCodeRequired')" == "false" ]] &&
  pass "no invite code required" || fail "invite code required: $BODY"

# ------------------------------------------------------------------ account
HANDLE=alice.test
PASSWORD='correct horse battery staple'
call create POST com.atproto.server.createAccount -H 'Content-Type: application/json' \
  --data "{\"handle\":\"$HANDLE\",\"email\":\"alice@example.com\",\"password\":\"$PASSWORD\"}"
expect "createAccount $HANDLE" 200 || { cat "$OUT/server.log" >&2; exit 1; }
DID=$(jget "$OUT/create.json" 'j.did')
info "createAccount: did=$DID handle=$(jget "$OUT/create.json" 'j.handle')"

call create_dup POST com.atproto.server.createAccount -H 'Content-Type: application/json' \
  --data "{\"handle\":\"$HANDLE\",\"email\":\"alice2@example.com\",\"password\":\"$PASSWORD\"}"
expect "createAccount with a taken handle is refused" 400 InvalidRequest

STATUS=$(curl -sS -o "$OUT/plc_doc.json" -w '%{http_code}' "$PLC/$DID") || STATUS=000
BODY=$(tr -d '\n' <"$OUT/plc_doc.json" | head -c 400)
[[ "$STATUS" == 200 && "$(jget "$OUT/plc_doc.json" 'j.service[0].serviceEndpoint')" == "$PDS" ]] &&
  pass "PLC directory has the DID document pointing at the PDS" ||
  fail "PLC DID document: HTTP $STATUS $BODY"

# ------------------------------------------------------------------ sessions
call session POST com.atproto.server.createSession -H 'Content-Type: application/json' \
  --data "{\"identifier\":\"$HANDLE\",\"password\":\"$PASSWORD\"}"
expect "createSession" 200 || exit 1
ACCESS=$(jget "$OUT/session.json" 'j.accessJwt')
REFRESH=$(jget "$OUT/session.json" 'j.refreshJwt')
AUTH=(-H "Authorization: Bearer $ACCESS")

call session_badpw POST com.atproto.server.createSession -H 'Content-Type: application/json' \
  --data "{\"identifier\":\"$HANDLE\",\"password\":\"wrong password\"}"
expect "createSession with a wrong password is refused" 401 AuthenticationRequired

call session_nouser POST com.atproto.server.createSession -H 'Content-Type: application/json' \
  --data '{"identifier":"nobody.test","password":"whatever"}'
expect "createSession for an unknown account is refused" 401 AuthenticationRequired

call getsession GET com.atproto.server.getSession "${AUTH[@]}"
expect "getSession" 200

# ------------------------------------------------------------------ records
RKEY=3jzfcijpj2z2a
NOW=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
# Text with non-ASCII before the facets so byte offsets differ from char offsets.
POST_JSON=$(node -e '
  const [did, rkey, now] = process.argv.slice(1)
  const enc = (s) => Buffer.byteLength(s, "utf8")
  const pre = "Ciao 안녕 🎉 "
  const mention = "@alice.test"
  const mid = " see "
  const link = "https://example.com/x"
  const tail = " #socialdesk"
  const text = pre + mention + mid + link + tail
  let at = enc(pre)
  const facets = []
  facets.push({ index: { byteStart: at, byteEnd: at + enc(mention) },
    features: [{ $type: "app.bsky.richtext.facet#mention", did }] })
  at += enc(mention) + enc(mid)
  facets.push({ index: { byteStart: at, byteEnd: at + enc(link) },
    features: [{ $type: "app.bsky.richtext.facet#link", uri: link }] })
  at += enc(link) + 1
  facets.push({ index: { byteStart: at, byteEnd: at + enc(tail) - 1 },
    features: [{ $type: "app.bsky.richtext.facet#tag", tag: "socialdesk" }] })
  process.stdout.write(JSON.stringify({ repo: did, collection: "app.bsky.feed.post", rkey,
    record: { $type: "app.bsky.feed.post", text, facets, langs: ["it", "ko"], createdAt: now } }))
' "$DID" "$RKEY" "$NOW")
call post POST com.atproto.repo.createRecord "${AUTH[@]}" -H 'Content-Type: application/json' --data "$POST_JSON"
expect "createRecord app.bsky.feed.post rkey=$RKEY with facets" 200
URI=$(jget "$OUT/post.json" 'j.uri')
CID=$(jget "$OUT/post.json" 'j.cid')
[[ "$URI" == "at://$DID/app.bsky.feed.post/$RKEY" ]] && pass "record uri uses our rkey: $URI" ||
  fail "unexpected uri $URI"

# The PDS 0.4.x answers a duplicate rkey with a bare 500 (its log says
# "There is already a value at key: app.bsky.feed.post/<rkey>"). This step
# pins that behaviour so a PDS upgrade that changes it is noticed.
call post_dup POST com.atproto.repo.createRecord "${AUTH[@]}" -H 'Content-Type: application/json' --data "$POST_JSON"
expect "createRecord with the same rkey again is refused" 500 InternalServerError

# Alternatives that give a clean answer for "create only if absent":
PUT_NEW_JSON=$(node -e '
  const j = JSON.parse(process.argv[1]); delete j.rkey
  process.stdout.write(JSON.stringify({ ...j, rkey: process.argv[2], swapRecord: null }))' "$POST_JSON" "$RKEY")
call put_swapnull_same POST com.atproto.repo.putRecord "${AUTH[@]}" -H 'Content-Type: application/json' --data "$PUT_NEW_JSON"
expect "putRecord (swapRecord:null) of identical content on an existing rkey" 200
[[ "$(jget "$OUT/put_swapnull_same.json" 'j.cid')" == "$CID" && -z "$(jget "$OUT/put_swapnull_same.json" 'j.commit')" ]] &&
  pass "... is a no-op: same cid, no commit in the answer" || fail "... not a no-op: $BODY"
call put_swapnull POST com.atproto.repo.putRecord "${AUTH[@]}" -H 'Content-Type: application/json' \
  --data "$(node -e 'const j = JSON.parse(process.argv[1]); j.record.text += " (edited)"; process.stdout.write(JSON.stringify(j))' "$PUT_NEW_JSON")"
expect "putRecord (swapRecord:null) of different content on an existing rkey is refused" 400 InvalidSwap
call applywrites_dup POST com.atproto.repo.applyWrites "${AUTH[@]}" -H 'Content-Type: application/json' \
  --data "$(node -e '
    const j = JSON.parse(process.argv[1])
    process.stdout.write(JSON.stringify({ repo: j.repo, writes: [{ $type: "com.atproto.repo.applyWrites#create",
      collection: j.collection, rkey: j.rkey, value: j.record }] }))' "$POST_JSON")"
info "applyWrites#create with an existing rkey: HTTP $STATUS $BODY"
PUT2_JSON=$(node -e '
  const j = JSON.parse(process.argv[1]); j.rkey = "3jzfcijpj2z2c"; j.swapRecord = null
  process.stdout.write(JSON.stringify(j))' "$PUT_NEW_JSON")
call put_new POST com.atproto.repo.putRecord "${AUTH[@]}" -H 'Content-Type: application/json' --data "$PUT2_JSON"
expect "putRecord with swapRecord:null on a new rkey creates it" 200
call put_same POST com.atproto.repo.putRecord "${AUTH[@]}" -H 'Content-Type: application/json' \
  --data "$(node -e 'const j = JSON.parse(process.argv[1]); delete j.swapRecord; process.stdout.write(JSON.stringify(j))' "$PUT2_JSON")"
info "putRecord (no swap) with identical content: HTTP $STATUS $BODY"

call get GET "com.atproto.repo.getRecord?repo=$DID&collection=app.bsky.feed.post&rkey=$RKEY"
expect "getRecord" 200
[[ "$(jget "$OUT/get.json" 'j.cid')" == "$CID" &&
  "$(jget "$OUT/get.json" 'j.value.facets[1].index.byteStart')" == \
  "$(node -e 'process.stdout.write(String(Buffer.byteLength("Ciao 안녕 🎉 @alice.test see ")))')" ]] &&
  pass "getRecord returns the same cid and facets" || fail "getRecord body: $BODY"

call get_handle GET "com.atproto.repo.getRecord?repo=$HANDLE&collection=app.bsky.feed.post&rkey=$RKEY"
expect "getRecord with repo=handle" 200

call get_missing GET "com.atproto.repo.getRecord?repo=$DID&collection=app.bsky.feed.post&rkey=3jzfcijpj2z2b"
expect "getRecord of a missing record" 400 RecordNotFound

call list GET "com.atproto.repo.listRecords?repo=$DID&collection=app.bsky.feed.post"
expect "listRecords" 200
[[ "$(jget "$OUT/list.json" 'j.records.length')" == 2 ]] && pass "listRecords has the 2 posts" ||
  fail "listRecords: $BODY"

# bad record: over 300 graphemes must be refused by lexicon validation
LONG_JSON=$(node -e '
  const [did, now] = process.argv.slice(1)
  process.stdout.write(JSON.stringify({ repo: did, collection: "app.bsky.feed.post",
    record: { $type: "app.bsky.feed.post", text: "a".repeat(301), createdAt: now } }))' "$DID" "$NOW")
call post_long POST com.atproto.repo.createRecord "${AUTH[@]}" -H 'Content-Type: application/json' --data "$LONG_JSON"
expect "createRecord with 301 graphemes is refused" 400 InvalidRequest

# ------------------------------------------------------------------ blobs
node -e '
  // 1x1 red PNG
  const b = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC", "base64")
  require("fs").writeFileSync(process.argv[1], b)' "$OUT/pixel.png"
call blob POST com.atproto.repo.uploadBlob "${AUTH[@]}" -H 'Content-Type: image/png' --data-binary "@$OUT/pixel.png"
expect "uploadBlob (PNG, $(wc -c <"$OUT/pixel.png") bytes)" 200
BLOB=$(jget "$OUT/blob.json" 'j.blob')
info "uploadBlob: $BODY"

IMG_JSON=$(node -e '
  const [did, now, blob] = process.argv.slice(1)
  process.stdout.write(JSON.stringify({ repo: did, collection: "app.bsky.feed.post",
    record: { $type: "app.bsky.feed.post", text: "picture", createdAt: now,
      embed: { $type: "app.bsky.embed.images",
        images: [{ image: JSON.parse(blob), alt: "a red pixel", aspectRatio: { width: 1, height: 1 } }] } } }))' \
  "$DID" "$NOW" "$BLOB")
call post_img POST com.atproto.repo.createRecord "${AUTH[@]}" -H 'Content-Type: application/json' --data "$IMG_JSON"
expect "createRecord post with the uploaded image embedded" 200
BLOB_CID=$(jget "$OUT/blob.json" 'j.blob.ref.$link')
STATUS=$(curl -sS -o "$OUT/blob_get.bin" -w '%{http_code}' "$PDS/xrpc/com.atproto.sync.getBlob?did=$DID&cid=$BLOB_CID") || STATUS=000
[[ "$STATUS" == 200 ]] && cmp -s "$OUT/blob_get.bin" "$OUT/pixel.png" &&
  pass "sync.getBlob returns the same bytes" || fail "sync.getBlob: HTTP $STATUS"

# ------------------------------------------------------------------ delete
call del POST com.atproto.repo.deleteRecord "${AUTH[@]}" -H 'Content-Type: application/json' \
  --data "{\"repo\":\"$DID\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"$RKEY\"}"
expect "deleteRecord" 200
call get_deleted GET "com.atproto.repo.getRecord?repo=$DID&collection=app.bsky.feed.post&rkey=$RKEY"
expect "getRecord after deleteRecord" 400 RecordNotFound
call del_again POST com.atproto.repo.deleteRecord "${AUTH[@]}" -H 'Content-Type: application/json' \
  --data "{\"repo\":\"$DID\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"$RKEY\"}"
info "deleteRecord of an already deleted record: HTTP $STATUS $BODY"
call post_after_del POST com.atproto.repo.createRecord "${AUTH[@]}" -H 'Content-Type: application/json' --data "$POST_JSON"
info "createRecord with the rkey of a deleted record: HTTP $STATUS $BODY"

# ------------------------------------------------------------------ handles
call resolve GET "com.atproto.identity.resolveHandle?handle=$HANDLE"
expect "resolveHandle $HANDLE" 200
[[ "$(jget "$OUT/resolve.json" 'j.did')" == "$DID" ]] && pass "resolveHandle gives $DID" ||
  fail "resolveHandle: $BODY"
call resolve_unknown GET "com.atproto.identity.resolveHandle?handle=nobody.test"
expect "resolveHandle of an unknown handle" 400 InvalidRequest
call resolve_bad GET "com.atproto.identity.resolveHandle?handle=not_a_handle"
info "resolveHandle of a syntactically invalid handle: HTTP $STATUS $BODY"

# ------------------------------------------------------------------ tokens
call refresh POST com.atproto.server.refreshSession -H "Authorization: Bearer $REFRESH"
expect "refreshSession" 200
ACCESS2=$(jget "$OUT/refresh.json" 'j.accessJwt')
REFRESH2=$(jget "$OUT/refresh.json" 'j.refreshJwt')
call getsession2 GET com.atproto.server.getSession -H "Authorization: Bearer $ACCESS2"
expect "getSession with the refreshed access token" 200

call refresh_with_access POST com.atproto.server.refreshSession -H "Authorization: Bearer $ACCESS2"
expect "refreshSession with an access token instead of the refresh token" 400 InvalidToken

call no_auth POST com.atproto.repo.createRecord -H 'Content-Type: application/json' --data "$POST_JSON"
expect "createRecord without Authorization" 401 AuthMissing

call garbage_token GET com.atproto.server.getSession -H "Authorization: Bearer not.a.jwt"
expect "getSession with a garbage token" 400 InvalidToken

# Forge an expired access token with the secret we gave the server, reusing
# the claims of a real one (only iat/exp changed).
EXPIRED=$(node -e '
  const crypto = require("crypto")
  const [tok, secret] = process.argv.slice(1)
  const [h, p] = tok.split(".")
  const claims = JSON.parse(Buffer.from(p, "base64url"))
  const now = Math.floor(Date.now() / 1000)
  claims.iat = now - 7200; claims.exp = now - 3600
  const body = h + "." + Buffer.from(JSON.stringify(claims)).toString("base64url")
  const sig = crypto.createHmac("sha256", Buffer.from(secret, "utf8")).update(body).digest("base64url")
  process.stdout.write(body + "." + sig)' "$ACCESS2" "$JWT_SECRET")
call expired GET com.atproto.server.getSession -H "Authorization: Bearer $EXPIRED"
expect "getSession with an expired access token" 400 ExpiredToken

call refresh_old POST com.atproto.server.refreshSession -H "Authorization: Bearer $REFRESH"
info "refreshSession reusing the already-used refresh token: HTTP $STATUS $(jget "$OUT/refresh_old.json" 'j.error ?? "(ok, new tokens)"')"

call delsession POST com.atproto.server.deleteSession -H "Authorization: Bearer $REFRESH2"
expect "deleteSession" 200
call refresh_revoked POST com.atproto.server.refreshSession -H "Authorization: Bearer $REFRESH2"
expect "refreshSession after deleteSession" 400 ExpiredToken

# ------------------------------------------------------------------ AppView
# The PDS alone has no AppView: app.bsky.* reads are proxied to the AppView
# configured with PDS_BSKY_APP_VIEW_URL, and none is configured here.
call session3 POST com.atproto.server.createSession -H 'Content-Type: application/json' \
  --data "{\"identifier\":\"$HANDLE\",\"password\":\"$PASSWORD\"}"
AUTH3=(-H "Authorization: Bearer $(jget "$OUT/session3.json" 'j.accessJwt')")
for q in \
  "app.bsky.feed.getPosts?uris=at://$DID/app.bsky.feed.post/$RKEY" \
  "app.bsky.actor.getProfile?actor=$DID" \
  "app.bsky.notification.listNotifications" \
  "app.bsky.feed.getTimeline" \
  "app.bsky.feed.getAuthorFeed?actor=$DID" \
  "app.bsky.feed.getPostThread?uri=at://$DID/app.bsky.feed.post/$RKEY" \
  "app.bsky.actor.getPreferences"; do
  nsid=${q%%\?*}
  call "appview_$nsid" GET "$q" "${AUTH3[@]}"
  info "$nsid (authenticated): HTTP $STATUS $BODY"
done
call appview_anon GET "app.bsky.actor.getProfile?actor=$DID"
info "app.bsky.actor.getProfile (no auth): HTTP $STATUS $BODY"

# ------------------------------------------------------------------ rate limits
# Only with SMOKE_RATE_LIMITS=1 (starts the server with PDS_RATE_LIMITS=1):
# createSession allows 30 per 5 minutes per identifier and IP.
if [[ -n "${SMOKE_RATE_LIMITS:-}" ]]; then
  GOT429=""
  for i in $(seq 40); do
    call ratelimit POST com.atproto.server.createSession -H 'Content-Type: application/json' \
      --data "{\"identifier\":\"$HANDLE\",\"password\":\"$PASSWORD\"}"
    if [[ "$STATUS" == 429 ]]; then GOT429=$i; break; fi
  done
  if [[ -n "$GOT429" ]]; then
    pass "createSession rate limit hit at call $GOT429 of this loop: HTTP 429 $BODY"
    info "429 headers: $(grep -i '^ratelimit' "$OUT/ratelimit.headers" | tr -d '\r' | tr '\n' ' ')"
  else
    fail "no 429 after 40 createSession calls"
  fi
fi

# ------------------------------------------------------------------ admin
STATUS=$(curl -sS -o "$OUT/admin.json" -w '%{http_code}' -u "admin:$ADMIN" \
  "$PDS/xrpc/com.atproto.admin.getAccountInfo?did=$DID") || STATUS=000
[[ "$STATUS" == 200 ]] && pass "admin getAccountInfo with the admin password" ||
  fail "admin getAccountInfo: HTTP $STATUS $(cat "$OUT/admin.json")"

# ------------------------------------------------------------------ memory, stop
RSS_KB=$(awk '/^VmRSS/ {print $2}' "/proc/$PDS_PID/status" 2>/dev/null || echo '?')
info "server RSS after the run: ${RSS_KB} kB"

exec {PDS_IN}>&- # close our copy of its stdin too
kill -TERM "$PDS_PID"
T_STOP=$(date +%s%N)
for _ in $(seq 100); do kill -0 "$PDS_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$PDS_PID" 2>/dev/null; then
  fail "server still running 10 s after SIGTERM"
else
  wait "$PDS_PID" 2>/dev/null
  RC=$?
  [[ $RC == 0 ]] && pass "SIGTERM: clean exit in $((($(date +%s%N) - T_STOP) / 1000000)) ms" ||
    fail "SIGTERM: exit code $RC"
fi
DATADIR=$(jget "$OUT/ready.json" 'j.dataDir')
[[ ! -e "$DATADIR" ]] && pass "temp data dir removed" || fail "temp data dir left behind: $DATADIR"

echo
echo "$PASSES passed, $FAILS failed"
[[ -n "$KEEP_OUT" ]] && echo "responses kept in $OUT"
[[ $FAILS == 0 ]]
