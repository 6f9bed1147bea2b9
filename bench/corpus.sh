# Sourced by bench/run.sh, bench/compare.sh and bench/instructions.sh: `prepare_corpus N` makes (once) the standard
# corpus of N incidents in "$work/corpus-N" with the benchmark site's configuration and theme,
# and "$work/full-N", the same incidents as a default site. Sets $corpus and $full.
#
# CODE=short or CODE=long makes a variant of the corpus for code highlighting, in
# "$work/corpus-N-$CODE" (the standard corpus's only code block, an incident's indicators, is
# ```text, which stays plain): with `short`, that block becomes ```bash in even-numbered
# incidents and ```yaml in odd ones; with `long`, each incident also quotes a 40-line shell
# script and a 31-line Kubernetes manifest, a post-mortem's restore commands and fix.
prepare_corpus() {
  local n=$1
  corpus="$work/corpus-$n"
  if [ ! -d "$corpus/content" ]; then
    python3 ../shared/bench/gen_corpus.py --count "$n" --out "$corpus" >/dev/null
  fi
  if [ -n "${CODE:-}" ]; then
    case "$CODE" in short|long) ;; *) echo "CODE must be short or long" >&2; exit 2 ;; esac
    local plain=$corpus
    corpus="$work/corpus-$n-$CODE"
    if [ ! -d "$corpus/content" ]; then
      rm -rf "$corpus"; mkdir -p "$corpus"; cp -r "$plain/content" "$corpus/"
      local extra=()
      [ "$CODE" = long ] && extra=(-e '/^## Indicators$/{' -e "r $work/code-sample.md" -e '}')
      [ "$CODE" = long ] && code_sample > "$work/code-sample.md"
      # Incident files end in their number (incident-00042.md): even ones get bash, odd yaml.
      find "$corpus/content" -name '*[02468].md' -print0 | xargs -0 sed -i -e 's/^```text$/```bash/' "${extra[@]}"
      find "$corpus/content" -name '*[13579].md' -print0 | xargs -0 sed -i -e 's/^```text$/```yaml/' "${extra[@]}"
    fi
  fi
  cp bench/site/casebook.yaml "$corpus/"
  rm -rf "$corpus/themes"; cp -r bench/site/themes "$corpus/"
  full="$work/full-$n${CODE:+-$CODE}"; rm -rf "$full"; mkdir -p "$full"; ln -s "$corpus/content" "$full/content"
}

# The blocks CODE=long adds after each incident's "## Indicators" heading.
code_sample() {
  cat <<'EOF'

```bash
#!/usr/bin/env bash
# Restore the billing database from the last clean snapshot.
set -euo pipefail

SNAPSHOT="${1:-billing-2026-11-02T23:00Z}"
TARGET=/srv/postgres/billing
LOG=/var/log/restore-$(date +%Y%m%d).log

echo "Restoring ${SNAPSHOT} into ${TARGET}" | tee -a "$LOG"
systemctl stop billing-api.service postgresql@15-main.service

if [[ ! -d "$TARGET" ]]; then
  mkdir -p "$TARGET" && chown postgres:postgres "$TARGET"
fi

# Keep the encrypted files for the forensic team before wiping.
tar --zstd -cf "/forensics/encrypted-$(hostname).tar.zst" "$TARGET" 2>>"$LOG"
find "$TARGET" -name '*.locked' -print0 | xargs -0 rm -f

zfs rollback -r "tank/billing@${SNAPSHOT}"
for db in billing invoices payments; do
  sudo -u postgres pg_dump --schema-only "$db" > "/tmp/${db}.schema.sql" || {
    echo "schema dump of $db failed" >&2
    exit 1
  }
done

count=$(psql -U postgres -tAc "SELECT count(*) FROM invoices WHERE created_at > now() - interval '1 day'")
if (( count == 0 )); then
  echo "warning: no invoices in the last day" | tee -a "$LOG"
fi

case "$(systemctl is-active postgresql@15-main)" in
  active) echo "database up" ;;
  *) systemctl start postgresql@15-main.service ;;
esac

curl -fsS --retry 3 https://status.example.org/api/ping >/dev/null
systemctl start billing-api.service
echo "done at $(date -Is)" >> "$LOG"
```

```yaml
# Deployment of the billing API after the restore.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: billing-api
  namespace: billing
  labels:
    app: billing-api
    incident: "2026-11-ransomware"
spec:
  replicas: 3
  selector:
    matchLabels:
      app: billing-api
  template:
    metadata:
      labels:
        app: billing-api
    spec:
      containers:
        - name: api
          image: registry.example.org/billing-api:4.12.1
          ports:
            - containerPort: 8080
          env:
            - name: DATABASE_URL
              valueFrom: {secretKeyRef: {name: billing-db, key: url}}
            - name: READ_ONLY
              value: "true"
          resources:
            limits: {cpu: 500m, memory: 512Mi}
```
EOF
}
